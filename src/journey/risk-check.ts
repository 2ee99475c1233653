import type { DirectoryUser } from '../providers/directory/port.js';
import { unverifiedChallenge } from '../providers/risk/degrading-risk.js';
import type { RiskAssessment } from '../providers/risk/port.js';
import type { JourneyDeps } from './journey-deps.js';
import { fromProvider } from './provider-call.js';
import type { LoginRequest } from './login-request.js';

/**
 * The device-risk assessment of a login. With a drs_action_token, the risk service's answer. Without
 * one, under CIAM_DRS=transmit, a stand-in CHALLENGE (MFA, no trusted-device shortcut) unless the
 * client is in CIAM_DRS_EXEMPT_CLIENTS: otherwise leaving the token out would be the way round
 * every risk check. The simulator keeps its development behaviour: no token, no assessment.
 */
export async function assessRisk(
  deps: JourneyDeps,
  req: LoginRequest,
  user: DirectoryUser,
  contextId: string | undefined,
): Promise<RiskAssessment | undefined> {
  const { origin } = req;
  if (req.drsActionToken) {
    const actionToken = req.drsActionToken;
    return fromProvider(
      () =>
        deps.risk.evaluate({
          actionToken,
          cupid: user.cupid,
          ipAddress: origin.ipAddress,
          userAgent: origin.userAgent,
          correlationId: origin.correlationId,
        }),
      contextId,
    );
  }
  if (deps.settings.providers.drs !== 'transmit') return undefined;
  if (origin.clientId && deps.settings.drsExemptClients.has(origin.clientId)) return undefined;
  return unverifiedChallenge('ACTION_TOKEN_MISSING', 'The login carried no drs_action_token.');
}
