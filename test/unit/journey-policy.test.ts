import { describe, expect, it } from 'vitest';
import { mfaOwed, nextStep, reachesDocuments, type JourneyFacts } from '../../src/journey/policy.js';

const PHONE = { value: '1234', mfa_option_id: 1 };

/** A login with nothing to ask: an active customer, no risk service, no device, no document. */
const plain: JourneyFacts = {
  denied: null,
  directoryAsksMfa: false,
  riskChallenges: false,
  deviceTrusted: false,
  deviceKnown: false,
  mfaMethods: { otp: [PHONE], push: 'NOT_REGISTERED' },
  mfaDone: false,
  pendingDocumentId: null,
  deviceBindAnswered: false,
};
const facts = (change: Partial<JourneyFacts>): JourneyFacts => ({ ...plain, ...change });

describe('the journey policy: what comes next', () => {
  const table: [string, Partial<JourneyFacts>, ReturnType<typeof nextStep>][] = [
    ['nothing asked: the session', {}, { kind: 'SESSION' }],
    ['the IP on the deny list: refused, whatever else', { denied: 'IP_DENY_LIST', directoryAsksMfa: true }, { kind: 'DENIED', reason: 'IP_DENY_LIST' }],
    ['the risk service denies: refused, trusted device or not', { denied: 'DRS_DENY', deviceTrusted: true, deviceKnown: true }, { kind: 'DENIED', reason: 'DRS_DENY' }],
    ['the directory asks MFA', { directoryAsksMfa: true }, { kind: 'MFA', reason: 'DIRECTORY', otp: [PHONE], push: 'NOT_REGISTERED' }],
    ['the risk service challenges', { riskChallenges: true }, { kind: 'MFA', reason: 'DRS_CHALLENGE', otp: [PHONE], push: 'NOT_REGISTERED' }],
    ['both ask: the directory is named', { directoryAsksMfa: true, riskChallenges: true }, { kind: 'MFA', reason: 'DIRECTORY', otp: [PHONE], push: 'NOT_REGISTERED' }],
    ['push only is a way to receive MFA', { directoryAsksMfa: true, mfaMethods: { otp: [], push: 'ENABLED' } }, { kind: 'MFA', reason: 'DIRECTORY', otp: [], push: 'ENABLED' }],
    ['MFA asked, no phone and push not enabled: the journey fails', { directoryAsksMfa: true, mfaMethods: { otp: [], push: 'DISABLED' } }, { kind: 'NO_MFA_METHOD' }],
    ['no method matters only when MFA is asked', { mfaMethods: { otp: [], push: 'NOT_REGISTERED' } }, { kind: 'SESSION' }],
    ['a trusted device stands in for the directory\'s MFA', { directoryAsksMfa: true, deviceTrusted: true, deviceKnown: true }, { kind: 'SESSION' }],
    ['a trusted device does not stand in for a challenge', { riskChallenges: true, deviceTrusted: true, deviceKnown: true }, { kind: 'MFA', reason: 'DRS_CHALLENGE', otp: [PHONE], push: 'NOT_REGISTERED' }],
    ['a pending document after the password', { pendingDocumentId: 'TERMS' }, { kind: 'ESIGN', documentId: 'TERMS' }],
    ['MFA before the document', { directoryAsksMfa: true, pendingDocumentId: 'TERMS' }, { kind: 'MFA', reason: 'DIRECTORY', otp: [PHONE], push: 'NOT_REGISTERED' }],
    ['the document after MFA', { directoryAsksMfa: true, mfaDone: true, pendingDocumentId: 'TERMS', deviceKnown: true }, { kind: 'ESIGN', documentId: 'TERMS' }],
    ['after MFA, a named device not yet trusted is offered binding', { mfaDone: true, deviceKnown: true }, { kind: 'DEVICE_BIND' }],
    ['after MFA, a trusted device is not offered binding', { mfaDone: true, deviceKnown: true, deviceTrusted: true }, { kind: 'SESSION' }],
    ['after MFA, no device named: no binding', { mfaDone: true }, { kind: 'SESSION' }],
    ['without MFA in the journey, never binding', { deviceKnown: true }, { kind: 'SESSION' }],
    ['binding answered: the session', { mfaDone: true, deviceKnown: true, deviceBindAnswered: true }, { kind: 'SESSION' }],
  ];

  it.each(table)('%s', (_, change, expected) => {
    expect(nextStep(facts(change))).toEqual(expected);
  });
});

describe('the journey policy: the questions before the decision', () => {
  it('asks the agreement service only once nothing earlier stands in the way', () => {
    expect(reachesDocuments(facts({}))).toBe(true);
    expect(reachesDocuments(facts({ denied: 'IP_DENY_LIST' }))).toBe(false);
    expect(reachesDocuments(facts({ directoryAsksMfa: true }))).toBe(false);
    expect(reachesDocuments(facts({ directoryAsksMfa: true, mfaDone: true }))).toBe(true);
    expect(reachesDocuments(facts({ directoryAsksMfa: true, deviceTrusted: true }))).toBe(true);
  });

  it('owes no second factor once one was passed, whatever asked for it', () => {
    expect(mfaOwed(facts({ directoryAsksMfa: true, riskChallenges: true, mfaDone: true }))).toBeNull();
    // A denied login with a trusted device still counts the factor as owed (requires_additional_steps).
    expect(mfaOwed(facts({ directoryAsksMfa: true, deviceTrusted: true, denied: 'DRS_DENY' }))).toBe('DIRECTORY');
  });
});
