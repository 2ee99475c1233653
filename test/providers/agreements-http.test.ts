import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SettingsError, type Env } from '../../src/config/settings.js';
import { ProviderUnavailableError } from '../../src/providers/errors.js';
import { HttpAgreements } from '../../src/providers/agreements/http-agreements.js';
import { readHttpAgreementsSettings } from '../../src/config/agreements.js';
import type { AgreementDocument } from '../../src/providers/agreements/port.js';
import { AGREEMENTS_API_KEY, FakeAgreements } from '../support/fake-agreements.js';
import { describeAgreementsContract } from './contracts/agreements-contract.js';

const TERMS: AgreementDocument = {
  document_id: 'terms-v2-2025',
  title: 'Online Banking Terms and Conditions',
  content: 'These terms govern your use of online and mobile banking.',
  version: '2.0',
  mandatory: true,
};

let service: FakeAgreements;
beforeEach(async () => {
  service = await FakeAgreements.start();
  service.documents.set(TERMS.document_id, TERMS);
});
afterEach(async () => {
  await service.close();
});

function agreements(env: Env = {}) {
  const settings = readHttpAgreementsSettings({
    CIAM_AGREEMENTS_BASE_URL: service.url,
    CIAM_AGREEMENTS_API_KEY: AGREEMENTS_API_KEY,
    CIAM_AGREEMENTS_TIMEOUT_MS: '1000',
    ...env,
  });
  return new HttpAgreements({ ...settings, retry: { ...settings.retry, baseDelayMs: 5, maxDelayMs: 20 } });
}

async function unavailable(promise: Promise<unknown>): Promise<ProviderUnavailableError> {
  const error = await promise.then(
    () => expect.unreachable('the call should have failed'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ProviderUnavailableError);
  expect(`${String(error)} ${(error as Error).stack ?? ''}`).not.toContain(AGREEMENTS_API_KEY);
  return error as ProviderUnavailableError;
}

describeAgreementsContract('HTTP agreements', (world) => {
  for (const document of world.documents) service.documents.set(document.document_id, document);
  for (const [cupid, ids] of Object.entries(world.pending)) {
    service.pending.set(cupid, ids.map((id) => ({ document_id: id, mandatory: service.documents.get(id)!.mandatory })));
  }
  return agreements();
});

describe('HTTP agreements: pending documents', () => {
  it('names the first mandatory pending document, asking with the bearer key', async () => {
    service.pending.set('CUPID_ESIGN_001', [
      { document_id: 'marketing-2025', mandatory: false },
      { document_id: TERMS.document_id, mandatory: true },
    ]);
    expect(await agreements().pendingMandatoryDocument('CUPID_ESIGN_001')).toBe(TERMS.document_id);

    const [request] = service.requests;
    expect(request!.method).toBe('GET');
    expect(request!.path).toBe('/v1/customers/CUPID_ESIGN_001/pending-agreements');
    expect(request!.headers.authorization).toBe(`Bearer ${AGREEMENTS_API_KEY}`);
  });

  it('answers nothing pending when only optional documents or none are listed', async () => {
    service.pending.set('CUPID_MFA_001', [{ document_id: 'marketing-2025', mandatory: false }]);
    expect(await agreements().pendingMandatoryDocument('CUPID_MFA_001')).toBeUndefined();
    expect(await agreements().pendingMandatoryDocument('CUPID_SIMPLE_001')).toBeUndefined();
  });

  it('escapes the CUPID in the path', async () => {
    await agreements().pendingMandatoryDocument('CUPID/../x y');
    expect(service.requests[0]!.path).toBe('/v1/customers/CUPID%2F..%2Fx%20y/pending-agreements');
  });
});

describe('HTTP agreements: documents', () => {
  it('fetches a document, and keeps it for a while', async () => {
    const client = agreements();
    expect(await client.getDocument(TERMS.document_id)).toEqual(TERMS);
    expect(await client.getDocument(TERMS.document_id)).toEqual(TERMS);
    expect(service.requests.map((r) => r.path)).toEqual(['/v1/documents/terms-v2-2025']);
  });

  it('asks every time when the cache is turned off', async () => {
    const client = agreements({ CIAM_AGREEMENTS_CACHE_SECONDS: '0' });
    await client.getDocument(TERMS.document_id);
    await client.getDocument(TERMS.document_id);
    expect(service.requests).toHaveLength(2);
  });

  it('answers undefined for an unknown document (404), without retrying', async () => {
    expect(await agreements().getDocument('no-such-document')).toBeUndefined();
    expect(service.requests).toHaveLength(1);
  });

  it('refuses a document of the wrong shape or with another id', async () => {
    service.documents.set('broken', { document_id: 'broken', title: 'x' } as AgreementDocument);
    service.documents.set('alias', TERMS);
    await unavailable(agreements().getDocument('broken'));
    await unavailable(agreements().getDocument('alias'));
  });
});

describe('HTTP agreements: acceptances', () => {
  it('posts the acceptance with an Idempotency-Key that a repeat reuses', async () => {
    const acceptance = {
      cupid: 'CUPID_ESIGN_001',
      documentId: TERMS.document_id,
      version: TERMS.version,
      acceptedAt: new Date('2025-06-01T12:00:00.000Z'),
      ipAddress: '203.0.113.7',
      contextId: '5f0c8a4e-1d2b-4c3a-9e8f-7a6b5c4d3e2f',
    };
    service.peer.failNext(503);
    await agreements().recordAcceptance(acceptance);
    await agreements().recordAcceptance(acceptance);

    expect(service.requests).toHaveLength(3);
    const [request] = service.requests;
    expect(request!.method).toBe('POST');
    expect(request!.path).toBe('/v1/customers/CUPID_ESIGN_001/acceptances');
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.body).toEqual({
      document_id: TERMS.document_id,
      version: '2.0',
      accepted_at: '2025-06-01T12:00:00.000Z',
      ip_address: '203.0.113.7',
      context_id: acceptance.contextId,
    });
    expect(new Set(service.requests.map((r) => r.headers['idempotency-key'])).size).toBe(1);
    expect(service.acceptances).toHaveLength(1);
  });
});

describe('HTTP agreements: outages', () => {
  it('retries a 500 and then answers', async () => {
    service.peer.failNext(500);
    expect(await agreements().getDocument(TERMS.document_id)).toEqual(TERMS);
    expect(service.requests).toHaveLength(2);
  });

  it('is unavailable when every attempt fails', async () => {
    service.peer.failNext(503, 503, 503);
    const error = await unavailable(agreements({ CIAM_AGREEMENTS_MAX_ATTEMPTS: '3' }).pendingMandatoryDocument('CUPID_ESIGN_001'));
    expect(error.provider).toBe('agreements');
    expect(service.requests).toHaveLength(3);
  });

  it('is unavailable when the service never answers, within the attempts × timeout budget', async () => {
    service.peer.hangNext(2);
    const started = Date.now();
    await unavailable(agreements({ CIAM_AGREEMENTS_TIMEOUT_MS: '150' }).pendingMandatoryDocument('CUPID_ESIGN_001'));
    expect(Date.now() - started).toBeLessThan(2 * 150 + 20 + 500);
  });

  it('is unavailable when the service answers garbage', async () => {
    service.peer.failNext({ status: 200, body: '<html>maintenance</html>' });
    await unavailable(agreements().pendingMandatoryDocument('CUPID_ESIGN_001'));
    service.peer.failNext({ status: 200, body: { documents: 'none' } });
    await unavailable(agreements().pendingMandatoryDocument('CUPID_ESIGN_001'));
  });

  it('is unavailable when the service refuses the key', async () => {
    const error = await unavailable(agreements({ CIAM_AGREEMENTS_API_KEY: 'a-wrong-agreements-key' }).pendingMandatoryDocument('CUPID_ESIGN_001'));
    expect(error.message).toContain('401');
    expect(error.message).not.toContain('a-wrong-agreements-key');
    expect(service.requests).toHaveLength(1);
  });

  it('is unavailable when the service cannot be reached', async () => {
    await service.close();
    await unavailable(agreements().getDocument(TERMS.document_id));
    service = await FakeAgreements.start();
  });
});

describe('HTTP agreements settings', () => {
  const complete: Env = { CIAM_AGREEMENTS_BASE_URL: 'https://agreements.bank.example/v1/', CIAM_AGREEMENTS_API_KEY: AGREEMENTS_API_KEY };

  it('has defaults', () => {
    expect(readHttpAgreementsSettings(complete)).toMatchObject({
      baseUrl: 'https://agreements.bank.example/v1',
      documentCacheSeconds: 300,
      retry: { timeoutMs: 2000, maxAttempts: 2 },
    });
  });

  it.each(['CIAM_AGREEMENTS_BASE_URL', 'CIAM_AGREEMENTS_API_KEY'])('refuses to start without %s', (name) => {
    expect(() => readHttpAgreementsSettings({ ...complete, [name]: undefined })).toThrow(new SettingsError(`${name} is required.`));
  });
});
