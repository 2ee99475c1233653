import { lastFour, type DirectoryUser } from '../providers/directory/port.js';
import type { RiskAssessment } from '../providers/risk/port.js';
import { findAuthContext, type AuthContextRow } from '../store/queries/auth-contexts.js';
import { findTrustedDevice, type TrustedDeviceRow } from '../store/queries/trusted-devices.js';
import { deviceKeyHash } from '../devices/device-identity.js';
import type { JourneyDeps } from './journey-deps.js';
import type { LoginRequest } from './login-request.js';
import { reachesDocuments, type JourneyFacts } from './policy.js';
import { fromProvider } from './provider-call.js';
import { assessRisk } from './risk-check.js';
import { isUuid } from './secrets.js';
import { clientOf, isCallersJourney, type StepCaller } from './step-guard.js';

/** What a login finds out before its transaction (outside calls never run while one is open). */
export interface LoginFindings {
  facts: JourneyFacts;
  /** The open journey this login resumes, if the body named one it may resume. */
  resumed: AuthContextRow | undefined;
  risk: RiskAssessment | undefined;
  /** Keyed hash of the device the risk service named, or null. */
  deviceIdentity: string | null;
  trustedDevice: TrustedDeviceRow | undefined;
}

export async function findLoginFacts(deps: JourneyDeps, req: LoginRequest, user: DirectoryUser): Promise<LoginFindings> {
  const { origin } = req;
  const asked = await resumableJourney(deps, req.contextId, user.cupid, clientOf(origin));
  const contextId = asked?.context_id;
  const onDenyList = deps.ipDenyList.denies(origin.ipAddress);
  const risk = onDenyList ? undefined : await assessRisk(deps, req, user, contextId);
  // Trust goes only to a device the risk service vouches for: its device id, never a fingerprint the
  // client claims in the body (anyone can send any string there). Kept as a keyed hash at rest.
  const deviceIdentity = risk?.deviceId ? deviceKeyHash(deps.deviceKey, risk.deviceId) : null;
  // A journey resumes only on the device it began on: the device that finishes a journey is the one
  // a bind would trust. From another device the login starts a journey of its own.
  const resumed = asked && (asked.device_fingerprint ?? null) === deviceIdentity ? asked : undefined;
  const trustedDevice = deviceIdentity ? await findTrustedDevice(deps.db, user.cupid, deviceIdentity) : undefined;
  const facts: Omit<JourneyFacts, 'pendingDocumentId'> = {
    denied: onDenyList ? 'IP_DENY_LIST' : risk?.recommendation === 'DENY' ? 'DRS_DENY' : null,
    directoryAsksMfa: user.mfaRequired,
    riskChallenges: risk?.recommendation === 'CHALLENGE',
    deviceTrusted: Boolean(trustedDevice),
    deviceKnown: deviceIdentity !== null,
    mfaMethods: { otp: user.phones.map((p) => ({ value: lastFour(p), mfa_option_id: p.optionId })), push: user.mobileApproveStatus },
    mfaDone: false,
    deviceBindAnswered: false,
  };
  const pendingDocumentId = reachesDocuments(facts)
    ? await fromProvider(() => deps.agreements.pendingMandatoryDocument(user.cupid), contextId)
    : undefined;
  return { facts: { ...facts, pendingDocumentId: pendingDocumentId ?? null }, resumed, risk, deviceIdentity, trustedDevice };
}

/** A context_id in the body resumes that journey only if it is open, the same customer's and the same client's. */
async function resumableJourney(deps: JourneyDeps, contextId: string | undefined, cupid: string, caller: StepCaller) {
  if (!contextId || !isUuid(contextId)) return undefined;
  const context = await findAuthContext(deps.db, contextId);
  return context && context.is_open && context.cupid === cupid && isCallersJourney(context, caller) ? context : undefined;
}
