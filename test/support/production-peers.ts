import { afterAll, beforeAll } from 'vitest';
import type { Env } from '../../src/config/settings.js';
import { AGREEMENTS_API_KEY, FakeAgreements } from './fake-agreements.js';
import { FakePushGateway } from './fake-push-gateway.js';
import { startFakeTransmit, type FakeTransmit } from './fake-transmit.js';
import { FakeTwilio, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN } from './fake-twilio.js';
import { startSlapd, type Slapd, type SlapdOptions } from './slapd.js';

/** How long a real slapd and four local peers may take to start on a busy machine. */
export const PEERS_START_MS = 300_000;

const PUSH_SECRET = 'push-gateway-shared-secret-production-0001';

export interface ProductionPeers {
  slapd: Slapd;
  transmit: FakeTransmit;
  twilio: FakeTwilio;
  gateway: FakePushGateway;
  /** Only when asked for: without it the embedded agreements stay in place. */
  agreements: FakeAgreements;
  /**
   * The settings that replace every embedded default by its production adapter aimed at these
   * peers (the agreements service only when it was started), with no request-rate limits.
   */
  env(): Env;
}

/**
 * A real slapd and local stand-ins for Transmit, Twilio, the push gateway and (optionally) the
 * agreements service, for the tests of one file: started in beforeAll, closed in afterAll.
 * The returned object reads the running peers, so it can be captured at once.
 */
export function useProductionPeers(options: { slapd?: SlapdOptions; agreements?: boolean } = {}): ProductionPeers {
  let running: Omit<ProductionPeers, 'env' | 'agreements'> & { agreements?: FakeAgreements };
  beforeAll(async () => {
    const [slapd, transmit, twilio, gateway, agreements] = await Promise.all([
      startSlapd(options.slapd),
      startFakeTransmit(),
      FakeTwilio.start(),
      FakePushGateway.start(PUSH_SECRET),
      options.agreements ? FakeAgreements.start() : undefined,
    ]);
    running = { slapd, transmit, twilio, gateway, ...(agreements ? { agreements } : {}) };
  }, PEERS_START_MS);
  afterAll(async () => {
    if (!running) return;
    const { slapd, transmit, twilio, gateway, agreements } = running;
    await Promise.all([slapd.close(), transmit.close(), twilio.close(), gateway.close(), agreements?.close()]);
  });

  const started = () => {
    if (!running) throw new Error('the peers start in beforeAll: use them inside a test or hook');
    return running;
  };
  return {
    get slapd() {
      return started().slapd;
    },
    get transmit() {
      return started().transmit;
    },
    get twilio() {
      return started().twilio;
    },
    get gateway() {
      return started().gateway;
    },
    get agreements() {
      const { agreements } = started();
      if (!agreements) throw new Error('started without the agreements service');
      return agreements;
    },
    env() {
      const { slapd, transmit, twilio, gateway, agreements } = started();
      return {
        CIAM_DIRECTORY: 'ldap',
        CIAM_DRS: 'transmit',
        CIAM_OTP_SENDER: 'http',
        CIAM_PUSH_SENDER: 'http',
        CIAM_RATE_LIMIT_ENABLED: 'false',
        ...slapd.env(),
        CIAM_TRANSMIT_BASE_URL: transmit.baseUrl,
        CIAM_TRANSMIT_CLIENT_ID: transmit.clientId,
        CIAM_TRANSMIT_CLIENT_SECRET: transmit.clientSecret,
        CIAM_TWILIO_BASE_URL: twilio.url,
        CIAM_TWILIO_ACCOUNT_SID: TWILIO_ACCOUNT_SID,
        CIAM_TWILIO_AUTH_TOKEN: TWILIO_AUTH_TOKEN,
        CIAM_TWILIO_FROM: '+15005550006',
        CIAM_PUSH_WEBHOOK_URL: gateway.url,
        CIAM_PUSH_WEBHOOK_SECRET: PUSH_SECRET,
        ...(agreements
          ? { CIAM_AGREEMENTS: 'http', CIAM_AGREEMENTS_BASE_URL: agreements.url, CIAM_AGREEMENTS_API_KEY: AGREEMENTS_API_KEY }
          : {}),
      };
    },
  };
}
