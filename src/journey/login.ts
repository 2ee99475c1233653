import { recordAudit, type RequestOrigin } from '../audit/record.js';
import { CiamError, type CiamErrorCode } from '../errors/catalogue.js';
import { lastFour, type AccountState, type DirectoryUser } from '../providers/directory/port.js';
import type { RiskAssessment } from '../providers/risk/port.js';
import type { Queryable } from '../store/database.js';
import {
  findAuthContext,
  finishAuthContext,
  insertAuthContext,
  lockAuthContext,
  type AuthContextRow,
} from '../store/queries/auth-contexts.js';
import { expireOpenSteps, insertStep, stepsOfJourney } from '../store/queries/auth-transactions.js';
import { insertDrsEvaluation } from '../store/queries/drs-evaluations.js';
import { isMfaLocked } from '../store/queries/mfa-lockouts.js';
import { findTrustedDevice, touchTrustedDevice } from '../store/queries/trusted-devices.js';
import { advance, completeAtPassword } from './advance.js';
import type { JourneyAnswer } from './answers.js';
import { deviceKeyHash } from '../devices/device-identity.js';
import type { JourneyDeps } from './journey-deps.js';
import { fromProvider } from './provider-call.js';
import { assessRisk } from './risk-check.js';
import { sealActionToken } from './risk-outcome.js';
import { usernameKey } from '../security/digests.js';
import { isUuid, sha256Hex } from './secrets.js';
import { clientOf, failWith, isCallersJourney, throwIfFailure, type StepCaller } from './step-guard.js';

export interface LoginRequest {
  username: string;
  password: string;
  transmitAid: string;
  contextId?: string;
  drsActionToken?: string;
  deviceFingerprint?: string;
  appId: string;
  appVersion: string;
  origin: RequestOrigin;
}

const BLOCKED_STATES: Record<Exclude<AccountState, 'ACTIVE'>, CiamErrorCode> = {
  PASSWORD_LOCKED: 'CIAM_E01_01_002',
  DISABLED: 'CIAM_E01_01_003',
  ENTERPRISE_BLOCKED: 'CIAM_E01_01_004',
  MFA_LOCKED: 'CIAM_E01_01_005',
  DECEASED: 'CIAM_E01_01_006',
  RESTRICTED: 'CIAM_E01_01_008',
};

/**
 * POST /auth/login: the password, then the account's state, the deny list and device risk, then
 * the first step the customer needs — or a session straight away.
 */
export async function login(deps: JourneyDeps, req: LoginRequest): Promise<JourneyAnswer> {
  const { origin } = req;
  const user = await checkPassword(deps, req);

  const asked = await resumableJourney(deps, req.contextId, user.cupid, clientOf(origin));
  const contextId = asked?.context_id;
  const denied = deps.ipDenyList.denies(origin.ipAddress);

  const risk = denied ? undefined : await assessRisk(deps, req, user, contextId);
  // Trust goes only to a device the risk service vouches for: its device id, never a fingerprint the
  // client claims in the body (anyone can send any string there). Kept as a keyed hash at rest.
  const deviceIdentity = risk?.deviceId ? deviceKeyHash(deps.deviceKey, risk.deviceId) : null;
  // A journey resumes only on the device it began on: the device that finishes a journey is the one
  // a bind would trust. From another device the login starts a journey of its own.
  const resumed = asked && (asked.device_fingerprint ?? null) === deviceIdentity ? asked : undefined;
  const recommendation = risk?.recommendation;
  const mfaWanted = user.mfaRequired || recommendation === 'CHALLENGE';

  // Needed before the transaction: outside calls never run while a database transaction is open.
  const trustedBefore = deviceIdentity
    ? await findTrustedDevice(deps.db, user.cupid, deviceIdentity)
    : undefined;
  const trustSkipsMfa = Boolean(trustedBefore) && recommendation !== 'CHALLENGE' && recommendation !== 'DENY';
  const mfaNeeded = mfaWanted && !trustSkipsMfa;
  const blockedByRisk = denied || recommendation === 'DENY';
  const pendingDocumentId =
    !mfaNeeded && !blockedByRisk
      ? await fromProvider(() => deps.agreements.pendingMandatoryDocument(user.cupid), contextId)
      : undefined;

  // The common login — nothing between the password and the session, nothing to record on the way
  // — needs neither a transaction nor a second statement.
  if (!resumed && !risk && !blockedByRisk && !mfaNeeded && !pendingDocumentId && !trustedBefore) {
    return completeAtPassword(
      deps,
      deps.db,
      { cupid: user.cupid, appId: req.appId, appVersion: req.appVersion, deviceFingerprint: deviceIdentity },
      origin,
    );
  }

  const result = await deps.db.transaction(async (tx) => {
    const context = await openJourney(deps, tx, req, user, resumed, deviceIdentity, mfaNeeded || Boolean(pendingDocumentId));
    const base = { cupid: user.cupid, contextId: context.context_id, origin };
    if (risk) await recordRisk(deps, tx, context, user.cupid, req.drsActionToken, { ...risk, deviceId: deviceIdentity ?? undefined }, origin);

    if (blockedByRisk) {
      await finishAuthContext(tx, context.context_id, 'FAILED');
      await recordAudit(tx, { ...base, type: 'LOGIN_DENIED', data: { reason: denied ? 'IP_DENY_LIST' : 'DRS_DENY' } });
      return failWith(new CiamError('CIAM_E01_01_010', { contextId: context.context_id }));
    }

    if (mfaNeeded) {
      const otpMethods = user.phones.map((p) => ({ value: lastFour(p), mfa_option_id: p.optionId }));
      if (otpMethods.length === 0 && user.mobileApproveStatus !== 'ENABLED') {
        // MFA is required but the customer has no way to receive it: nothing to offer.
        await finishAuthContext(tx, context.context_id, 'FAILED');
        await recordAudit(tx, { ...base, type: 'JOURNEY_FAILED', data: { reason: 'NO_MFA_METHOD' } });
        return failWith(new CiamError('CIAM_E01_01_005', { contextId: context.context_id }));
      }
      // A resumed journey keeps its count of wrong codes: starting over gives no fresh guesses.
      const wrongCodes = resumed
        ? (await stepsOfJourney(tx, context.context_id)).filter((s) => s.verification_result === 'INCORRECT').length
        : 0;
      const step = await insertStep(tx, {
        contextId: context.context_id,
        parentTransactionId: null,
        type: 'MFA_INITIATE',
        phase: 'MFA',
        ttlSeconds: deps.settings.lifetimes.mfaStep,
        mfaOptions: otpMethods,
        mobileApproveStatus: user.mobileApproveStatus,
        attemptNumber: wrongCodes + 1,
      });
      await recordAudit(tx, {
        ...base,
        type: 'LOGIN_MFA_REQUIRED',
        transactionId: step.transaction_id,
        data: { reason: user.mfaRequired ? 'DIRECTORY' : 'DRS_CHALLENGE', resumed: Boolean(resumed) },
      });
      return {
        kind: 'MFA_REQUIRED' as const,
        contextId: context.context_id,
        transactionId: step.transaction_id,
        otpMethods,
        mobileApproveStatus: user.mobileApproveStatus,
      };
    }

    if (trustedBefore && trustSkipsMfa) {
      await touchTrustedDevice(tx, trustedBefore.device_id);
      await recordAudit(tx, { ...base, type: 'LOGIN_TRUSTED_DEVICE', data: { device_id: trustedBefore.device_id } });
    }
    return advance(deps, tx, { context, after: 'PASSWORD', parentTransactionId: null, pendingDocumentId, origin });
  });

  return throwIfFailure(result);
}

/** The directory's verdict; every refusal is audited. Unknown user and wrong password look alike. */
async function checkPassword(deps: JourneyDeps, req: LoginRequest): Promise<DirectoryUser> {
  const { origin } = req;
  const usernameHash = usernameKey(req.username);
  if (req.username.includes('*')) {
    await recordAudit(deps.db, { type: 'LOGIN_FAILED', origin, data: { reason: 'MASKED_USERNAME', username_hash: usernameHash } });
    throw new CiamError('CIAM_E01_01_016');
  }
  const check = await fromProvider(() => deps.directory.authenticate(req.username, req.password));
  if (!check.ok) {
    await recordAudit(deps.db, {
      type: 'LOGIN_FAILED',
      origin,
      data: { reason: check.locked ? (check.lockReason ?? 'PASSWORD_LOCKED') : 'INVALID_CREDENTIALS', username_hash: usernameHash },
    });
    throw new CiamError(check.locked ? 'CIAM_E01_01_002' : 'CIAM_E01_01_001');
  }
  const { user } = check;
  if (user.state !== 'ACTIVE') {
    await recordAudit(deps.db, { type: 'LOGIN_BLOCKED', cupid: user.cupid, origin, data: { state: user.state } });
    throw new CiamError(BLOCKED_STATES[user.state]);
  }
  if (await isMfaLocked(deps.db, user.cupid)) {
    await recordAudit(deps.db, { type: 'LOGIN_BLOCKED', cupid: user.cupid, origin, data: { state: 'MFA_LOCKED' } });
    throw new CiamError('CIAM_E01_01_005');
  }
  return user;
}

/** A context_id in the body resumes that journey only if it is open, the same customer's and the same client's. */
async function resumableJourney(deps: JourneyDeps, contextId: string | undefined, cupid: string, caller: StepCaller) {
  if (!contextId || !isUuid(contextId)) return undefined;
  const context = await findAuthContext(deps.db, contextId);
  return context && context.is_open && context.cupid === cupid && isCallersJourney(context, caller) ? context : undefined;
}

async function openJourney(
  deps: JourneyDeps,
  tx: Queryable,
  req: LoginRequest,
  user: DirectoryUser,
  resumed: AuthContextRow | undefined,
  deviceIdentity: string | null,
  requiresAdditionalSteps: boolean,
): Promise<AuthContextRow> {
  if (resumed) {
    const locked = await lockAuthContext(tx, resumed.context_id);
    if (locked?.is_open) {
      // The customer starts over within the same journey: whatever step was open is superseded.
      await expireOpenSteps(tx, locked.context_id);
      return locked;
    }
  }
  return insertAuthContext(tx, {
    cupid: user.cupid,
    appId: req.appId,
    clientId: req.origin.clientId ?? null,
    appVersion: req.appVersion,
    deviceFingerprint: deviceIdentity,
    ipAddress: req.origin.ipAddress,
    correlationId: req.origin.correlationId,
    requiresAdditionalSteps,
    ttlSeconds: deps.settings.lifetimes.journey,
  });
}

async function recordRisk(
  deps: JourneyDeps,
  tx: Queryable,
  context: AuthContextRow,
  cupid: string,
  actionToken: string | undefined,
  risk: RiskAssessment,
  origin: RequestOrigin,
) {
  const base = { cupid, contextId: context.context_id, origin };
  if (risk.unverified) {
    await recordAudit(tx, { ...base, type: 'DRS_TOKEN_UNVERIFIED', data: { reason: risk.unverified.reason, recommendation: risk.recommendation } });
  }
  // No token, no evaluation row: there is nothing to key it by, and nothing was asked.
  if (actionToken === undefined) return;
  const evaluationId = await insertDrsEvaluation(tx, {
    contextId: context.context_id,
    cupid,
    actionTokenHash: sha256Hex(actionToken),
    deviceId: risk.deviceId ?? null,
    recommendation: risk.recommendation,
    riskScore: risk.riskScore,
    signals: risk.signals,
    deviceAttributes: risk.deviceAttributes,
    raw: withDeviceId(risk.raw, risk.deviceId),
    // Reported at the journey's end (risk-outcome.ts) — unless the risk service did not answer for
    // this token or refused it: then it has nothing to learn from the result.
    actionTokenSealed: risk.degraded || risk.unverified ? null : sealActionToken(deps, context.context_id, actionToken),
  });
  await recordAudit(tx, {
    ...base,
    type: 'DRS_EVALUATION',
    severity: risk.riskScore >= 70 ? 'WARN' : 'INFO',
    data: { evaluation_id: evaluationId, recommendation: risk.recommendation, risk_score: risk.riskScore },
  });
  if (risk.degraded) {
    await recordAudit(tx, { ...base, type: 'DRS_DEGRADED', data: { reason: risk.degraded.reason } });
  }
}

/** The service's answer as received, but with the device id replaced by its keyed hash (never stored in clear). */
function withDeviceId(raw: Record<string, unknown>, hashed: string | undefined): Record<string, unknown> {
  const context = raw.context;
  if (!context || typeof context !== 'object' || !('device_id' in context)) return raw;
  return { ...raw, context: { ...(context as Record<string, unknown>), device_id: hashed ?? null } };
}
