import type { CiamErrorCode } from '../errors/catalogue.js';
import type { AccountState } from '../providers/directory/port.js';
import type { MfaOption } from '../store/queries/auth-transactions.js';

/**
 * The journey's policy: what a customer still owes before the session, in one place. A pure
 * function of the journey's facts — the callers gather the facts (directory, risk service, trusted
 * devices, agreement service, the journey's steps) and carry out the decision (advance.ts).
 */

/** What is known about a journey when its next step is chosen. */
export interface JourneyFacts {
  /** Refused before any step: the IP deny list, or the risk service's DENY. */
  denied: 'IP_DENY_LIST' | 'DRS_DENY' | null;
  /** The directory asks a second factor of this customer. */
  directoryAsksMfa: boolean;
  /** The risk service asks a second factor of this login (CHALLENGE). */
  riskChallenges: boolean;
  /** The device the risk service named is one this customer trusts. */
  deviceTrusted: boolean;
  /** The risk service named a device (its keyed hash is on the journey), so it could be bound. */
  deviceKnown: boolean;
  /** The ways the customer can receive a second factor. */
  mfaMethods: { otp: MfaOption[]; push: 'NOT_REGISTERED' | 'ENABLED' | 'DISABLED' };
  /** A second factor was passed in this journey. */
  mfaDone: boolean;
  /** A mandatory document the agreement service still wants accepted, or null. */
  pendingDocumentId: string | null;
  /** The customer already answered the offer to bind the device. */
  deviceBindAnswered: boolean;
}

export type MfaReason = 'DIRECTORY' | 'DRS_CHALLENGE';

/** The next step of the journey, or its end. */
export type NextStep =
  | { kind: 'DENIED'; reason: 'IP_DENY_LIST' | 'DRS_DENY' }
  | { kind: 'NO_MFA_METHOD' }
  | { kind: 'MFA'; reason: MfaReason; otp: MfaOption[]; push: JourneyFacts['mfaMethods']['push'] }
  | { kind: 'ESIGN'; documentId: string }
  | { kind: 'DEVICE_BIND' }
  | { kind: 'SESSION' };

/** The order of a journey: refusal → MFA → eSign → device bind → session. A new factor is one line here. */
export function nextStep(f: JourneyFacts): NextStep {
  if (f.denied) return { kind: 'DENIED', reason: f.denied };
  const mfa = mfaOwed(f);
  if (mfa) return hasMfaMethod(f) ? { kind: 'MFA', reason: mfa, ...f.mfaMethods } : { kind: 'NO_MFA_METHOD' };
  if (f.pendingDocumentId) return { kind: 'ESIGN', documentId: f.pendingDocumentId };
  if (bindOffered(f)) return { kind: 'DEVICE_BIND' };
  return { kind: 'SESSION' };
}

/**
 * Nothing before the documents stands in the way: no refusal, no factor owed. Only then is the
 * agreement service asked — sooner, the login would depend on a service whose answer cannot matter
 * yet — and only then has a trusted device carried the login.
 */
export function reachesDocuments(f: Omit<JourneyFacts, 'pendingDocumentId'>): boolean {
  return !f.denied && mfaOwed(f) === null;
}

/** Why a second factor is still owed, or null. */
export function mfaOwed(f: Omit<JourneyFacts, 'pendingDocumentId'>): MfaReason | null {
  if (f.mfaDone || (!f.directoryAsksMfa && !f.riskChallenges)) return null;
  // A trusted device stands in for the second factor — unless the risk service challenges or denies this login.
  if (f.deviceTrusted && !f.riskChallenges && !f.denied) return null;
  return f.directoryAsksMfa ? 'DIRECTORY' : 'DRS_CHALLENGE';
}

function hasMfaMethod(f: JourneyFacts): boolean {
  return f.mfaMethods.otp.length > 0 || f.mfaMethods.push === 'ENABLED';
}

/** Binding is offered only to a device the risk service named, not yet trusted, after a second factor. */
function bindOffered(f: JourneyFacts): boolean {
  return f.mfaDone && f.deviceKnown && !f.deviceTrusted && !f.deviceBindAnswered;
}

/** An account the directory holds in any state but ACTIVE starts no journey; each state has its code. */
export const BLOCKED_STATES: Record<Exclude<AccountState, 'ACTIVE'>, CiamErrorCode> = {
  PASSWORD_LOCKED: 'CIAM_E01_01_002',
  DISABLED: 'CIAM_E01_01_003',
  ENTERPRISE_BLOCKED: 'CIAM_E01_01_004',
  MFA_LOCKED: 'CIAM_E01_01_005',
  DECEASED: 'CIAM_E01_01_006',
  RESTRICTED: 'CIAM_E01_01_008',
};
