import type { Settings } from './config/settings.js';
import { loadSecrets, type Secrets } from './config/secrets.js';
import type { Database } from './store/database.js';
import { DEMO_PENDING_DOCUMENTS, DemoDirectory } from './providers/directory/demo-directory.js';
import type { Directory } from './providers/directory/port.js';
import { withPasswordLockout } from './providers/directory/password-lockout.js';
import { DrsSimulator } from './providers/risk/drs-simulator.js';
import type { DeviceRisk } from './providers/risk/port.js';
import { withFailurePolicy } from './providers/risk/degrading-risk.js';
import { TransmitDrs } from './providers/risk/transmit-drs.js';
import { DevOutbox } from './providers/delivery/dev-outbox.js';
import type { CodeSender, PushSender } from './providers/delivery/port.js';
import { TwilioCodeSender } from './providers/delivery/twilio-code-sender.js';
import { WebhookPushSender } from './providers/delivery/webhook-push-sender.js';
import { FileAgreements } from './providers/agreements/file-agreements.js';
import type { Agreements } from './providers/agreements/port.js';
import { HttpAgreements } from './providers/agreements/http-agreements.js';
import { resilient } from './providers/resilience.js';
import { hasAcceptedDocument } from './store/queries/esign-acceptances.js';
import { SessionService } from './session/session-service.js';
import { SigningKeys } from './session/signing-keys.js';
import { IpDenyList } from './journey/ip-deny-list.js';
import type { JourneyDeps } from './journey/journey-deps.js';

/** The outside systems the service talks to, each behind its port. */
export interface Providers {
  directory: Directory;
  risk: DeviceRisk;
  codeSender: CodeSender;
  pushSender: PushSender;
  agreements: Agreements;
  /** Present only when a development outbox stands in for SMS / voice / push. */
  outbox?: DevOutbox;
}

/** Everything the HTTP layer needs, built once at start-up. */
export interface Services {
  settings: Settings;
  db: Database;
  secrets: Secrets;
  providers: Providers;
  /** ID-token signing keys (JWKS, rotation). */
  signingKeys: SigningKeys;
  /** Sessions and tokens: open, refresh, verify, logout, revoke. */
  sessions: SessionService;
  /** The login journey's collaborators. */
  journey: JourneyDeps;
}

/** A production adapter's settings are read with the choice of that adapter (`loadSettings`). */
function adapterSettings<T>(value: T | undefined, choice: string): T {
  if (value === undefined) throw new Error(`${choice} chosen without its settings`);
  return value;
}

/** Chooses each provider by configuration: the embedded default or the production adapter. */
export async function createProviders(settings: Settings, db: Database): Promise<Providers> {
  const needsOutbox = settings.providers.otpSender === 'outbox' || settings.providers.pushSender === 'outbox';
  const outbox = needsOutbox ? new DevOutbox() : undefined;
  const adapters = settings.adapters;
  // Only the production adapters get a breaker: the embedded defaults have no outside system to spare.
  const breaker = adapters.breaker;

  const directory: Directory = await (async () => {
    switch (settings.providers.directory) {
      case 'demo':
        return withPasswordLockout(new DemoDirectory(), db, settings.operations.passwordLockout);
      case 'ldap': {
        const { LdapDirectory } = await import('./providers/directory/ldap-directory.js');
        return resilient('directory', new LdapDirectory(adapterSettings(adapters.ldap, 'CIAM_DIRECTORY=ldap')), {
          breaker,
          bypass: ['close'],
        });
      }
    }
  })();

  const risk: DeviceRisk = (() => {
    switch (settings.providers.drs) {
      case 'simulator':
        return new DrsSimulator();
      case 'transmit': {
        const transmit = adapterSettings(adapters.transmit, 'CIAM_DRS=transmit');
        // Inside the policy, so that an open circuit degrades to CHALLENGE like any other outage.
        // reportOutcome never fails, so letting it through the breaker would close the circuit.
        return withFailurePolicy(
          resilient('risk', new TransmitDrs(transmit), { breaker, bypass: ['reportOutcome'] }),
          transmit.failurePolicy,
        );
      }
    }
  })();

  const codeSender: CodeSender =
    settings.providers.otpSender === 'outbox'
      ? outbox!
      : resilient('sms_voice', new TwilioCodeSender(adapterSettings(adapters.twilio, 'CIAM_OTP_SENDER=http')), { breaker });
  const pushSender: PushSender =
    settings.providers.pushSender === 'outbox'
      ? outbox!
      : resilient('push', new WebhookPushSender(adapterSettings(adapters.pushWebhook, 'CIAM_PUSH_SENDER=http')), { breaker });

  const agreements: Agreements =
    settings.providers.agreements === 'files'
      ? new FileAgreements(settings.devMode ? DEMO_PENDING_DOCUMENTS : {}, (cupid, doc, version) =>
          hasAcceptedDocument(db, cupid, doc, version),
        )
      : resilient('agreements', new HttpAgreements(adapterSettings(adapters.agreements, 'CIAM_AGREEMENTS=http')), { breaker });

  return { directory, risk, codeSender, pushSender, agreements, outbox };
}

export async function createServices(settings: Settings, db: Database): Promise<Services> {
  const secrets = loadSecrets(settings);
  const signingKeys = new SigningKeys(db, secrets.keyEncryptionKey, settings.lifetimes.accessToken);
  const sessions = new SessionService(settings, db, signingKeys);
  const providers = await createProviders(settings, db);
  const journey: JourneyDeps = {
    db,
    settings,
    otpKey: secrets.otpKey,
    actionTokenKey: secrets.actionTokenKey,
    deviceKey: secrets.deviceKey,
    directory: providers.directory,
    risk: providers.risk,
    codeSender: providers.codeSender,
    pushSender: providers.pushSender,
    agreements: providers.agreements,
    sessions,
    ipDenyList: new IpDenyList(settings.ipDenyList),
  };
  return { settings, db, secrets, providers, signingKeys, sessions, journey };
}
