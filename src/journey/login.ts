import { recordAudit, type RequestOrigin } from '../audit/record.js';
import { CiamError } from '../errors/catalogue.js';
import type { DirectoryUser } from '../providers/directory/port.js';
import type { RiskAssessment } from '../providers/risk/port.js';
import { usernameKey } from '../security/digests.js';
import type { Queryable } from '../store/database.js';
import { insertAuthContext, lockAuthContext, type AuthContextRow } from '../store/queries/auth-contexts.js';
import { expireOpenSteps } from '../store/queries/auth-transactions.js';
import { insertDrsEvaluation } from '../store/queries/drs-evaluations.js';
import { isMfaLocked } from '../store/queries/mfa-lockouts.js';
import { touchTrustedDevice } from '../store/queries/trusted-devices.js';
import { completeAtPassword, open } from './advance.js';
import type { JourneyAnswer } from './answers.js';
import type { JourneyDeps } from './journey-deps.js';
import { findLoginFacts, type LoginFindings } from './login-facts.js';
import type { LoginRequest } from './login-request.js';
import { BLOCKED_STATES, mfaOwed, nextStep, reachesDocuments } from './policy.js';
import { fromProvider } from './provider-call.js';
import { reportingJourneyEnd, sealActionToken } from './risk-outcome.js';
import { sha256Hex } from './secrets.js';
import { throwIfFailure } from './step-guard.js';

/**
 * POST /auth/login: the password, then what the policy asks of this login — a refusal, the first
 * step, or a session straight away.
 */
export function login(deps: JourneyDeps, req: LoginRequest): Promise<JourneyAnswer> {
  const run = () => startJourney(deps, req);
  // Only a login that carried an action token can have something to tell the risk service.
  return req.drsActionToken ? reportingJourneyEnd(deps, req.contextId, run) : run();
}

async function startJourney(deps: JourneyDeps, req: LoginRequest): Promise<JourneyAnswer> {
  const { origin } = req;
  const user = await checkPassword(deps, req);
  const found = await findLoginFacts(deps, req, user);
  const next = nextStep(found.facts);

  // The common login — nothing between the password and the session, nothing to record on the way
  // — needs neither a transaction nor a second statement.
  if (next.kind === 'SESSION' && !found.resumed && !found.risk && !found.trustedDevice) {
    const journey = { cupid: user.cupid, appId: req.appId, appVersion: req.appVersion, deviceFingerprint: found.deviceIdentity };
    return completeAtPassword(deps, deps.db, journey, origin);
  }

  const result = await deps.db.transaction(async (tx) => {
    const context = await openJourney(deps, tx, req, user.cupid, found);
    const base = { cupid: user.cupid, contextId: context.context_id, origin };
    if (found.risk) {
      const risk = { ...found.risk, deviceId: found.deviceIdentity ?? undefined };
      await recordRisk(deps, tx, context, user.cupid, req.drsActionToken, risk, origin);
    }
    if (found.trustedDevice && reachesDocuments(found.facts)) {
      await touchTrustedDevice(tx, found.trustedDevice.device_id);
      await recordAudit(tx, { ...base, type: 'LOGIN_TRUSTED_DEVICE', data: { device_id: found.trustedDevice.device_id } });
    }
    return open(deps, tx, { context, parentTransactionId: null, origin, resumed: Boolean(found.resumed) }, next);
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

/** The resumed journey, locked, its open step superseded — or a new one. */
async function openJourney(deps: JourneyDeps, tx: Queryable, req: LoginRequest, cupid: string, found: LoginFindings): Promise<AuthContextRow> {
  if (found.resumed) {
    const locked = await lockAuthContext(tx, found.resumed.context_id);
    if (locked?.is_open) {
      // The customer starts over within the same journey: whatever step was open is superseded.
      await expireOpenSteps(tx, locked.context_id);
      return locked;
    }
  }
  return insertAuthContext(tx, {
    cupid,
    appId: req.appId,
    clientId: req.origin.clientId ?? null,
    appVersion: req.appVersion,
    deviceFingerprint: found.deviceIdentity,
    ipAddress: req.origin.ipAddress,
    correlationId: req.origin.correlationId,
    requiresAdditionalSteps: mfaOwed(found.facts) !== null || found.facts.pendingDocumentId !== null,
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
