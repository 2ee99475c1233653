import { describe, expect, it } from 'vitest';
import { decodeJwt } from 'jose';
import { CUPIDS, expectError, expectTokens, useJourneyApp } from '../support/journey-client.js';

/** A journey belongs to the client that started it: to any other client its steps do not exist. */

const { j } = useJourneyApp();

const asMobile = { headers: { 'x-client-id': 'mobile-app' } };

describe('a journey started as web-banking', () => {
  it('is unknown to mobile-app at every MFA step; nothing is consumed; web-banking finishes it for itself', async () => {
    const mfa = await j.loginToMfa('mfauser');
    expect((await j.journey(mfa.context_id)).app_id).toBe('web-banking');
    expectError(await j.initiate(mfa.context_id, mfa.transaction_id, 'sms', 1, asMobile), 404, 'CIAM_E01_03_001');
    expect((await j.step(mfa.transaction_id)).transaction_status).toBe('PENDING');

    const sent = await j.sendCode(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    const stolen = await j.verify(mfa.context_id, sent.transactionId, sent.code, asMobile);
    expectError(stolen, 404, 'CIAM_E01_03_001');
    expect((await j.step(sent.transactionId)).transaction_status).toBe('PENDING');
    expect(await j.auditByCorrelation(stolen.correlationId)).toEqual([]);
    expect(await j.sessions(mfa.context_id)).toHaveLength(0);

    const verified = await j.verify(mfa.context_id, sent.transactionId, sent.code);
    expectTokens(verified, 201, mfa.context_id);
    expect(decodeJwt(verified.body.id_token).aud).toBe('web-banking');
  });

  it('is unknown to mobile-app at the push poll, while the phone (another client) may still answer with its secret', async () => {
    const mfa = await j.loginToMfa('mfauser');
    const push = await j.sendPush(CUPIDS.mfauser, mfa.context_id, mfa.transaction_id);
    expectError(await j.poll(mfa.context_id, push.transactionId, asMobile), 404, 'CIAM_E01_03_001');
    const approved = await j.approve(mfa.context_id, push.transactionId, push.displayNumber, push.approvalSecret, asMobile);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expectError(await j.poll(mfa.context_id, push.transactionId, asMobile), 404, 'CIAM_E01_03_001');
    expectTokens(await j.poll(mfa.context_id, push.transactionId), 201, mfa.context_id);
  });

  it('is unknown to mobile-app at the eSign and device-bind steps', async () => {
    const { contextId, verified } = await j.passMfaBySms('esignuser', { drsActionToken: 'sim:allow:binding-device' });
    expect(verified.body.response_type_code).toBe('ESIGN_REQUIRED');
    const esignTx = verified.body.transaction_id;
    const documentId = verified.body.esign_document_id as string;
    expectError(await j.accept(contextId, esignTx, documentId, {}, asMobile), 404, 'CIAM_E01_03_001');
    expectError(await j.decline(contextId, esignTx, documentId, asMobile), 404, 'CIAM_E01_03_001');
    expect((await j.step(esignTx)).transaction_status).toBe('PENDING');
    const accepted = await j.accept(contextId, esignTx, documentId);
    expect(accepted.body.response_type_code).toBe('DEVICE_BIND_REQUIRED');
    expectError(await j.bind(contextId, accepted.body.transaction_id, true, asMobile), 404, 'CIAM_E01_03_001');
    expect(await j.trustedDevices(CUPIDS.esignuser, 'binding-device')).toHaveLength(0);
    expectTokens(await j.bind(contextId, accepted.body.transaction_id, true), 200, contextId);
  });

  it('is not resumed by a login of mobile-app that names its context_id', async () => {
    const mfa = await j.loginToMfa('nopushuser');
    const other = await j.loginToMfa('nopushuser', { contextId: mfa.context_id, ...asMobile });
    expect(other.context_id).not.toBe(mfa.context_id);
    expect((await j.step(mfa.transaction_id)).transaction_status).toBe('PENDING');
  });
});
