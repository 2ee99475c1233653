/**
 * Whole login journeys, step after step, on a running service: `mfauser` logs in from a new
 * device (the DRS simulator names it), receives an SMS code (read back from the development
 * outbox, not timed), verifies it, and accepts the offer to trust the device. Each step's latency
 * is kept; a figure per step is its p50 and p99 and the journeys completed per second.
 */
export const JOURNEY_STEPS = ['login (MFA required)', 'mfa/initiate (sms)', 'mfa/otp/verify', 'device/bind'] as const;
export type JourneyStep = (typeof JOURNEY_STEPS)[number];

export interface JourneyFigure {
  journeysPerSecond: number;
  steps: Record<JourneyStep, { p50: number; p99: number; count: number }>;
  failures: number;
}

const HEADERS = { 'x-client-id': 'web-banking', 'content-type': 'application/json' };
let deviceCounter = 0;

async function post(base: string, path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const t = performance.now();
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: HEADERS, body: JSON.stringify(body) });
  const json = (await res.json()) as Record<string, unknown>;
  return { status: res.status, body: json, ms: performance.now() - t };
}

async function codeFor(base: string, transactionId: string): Promise<string> {
  const res = await fetch(`${base}/dev/outbox?cupid=CUPID_MFA_001`, { headers: { 'x-client-id': HEADERS['x-client-id'] } });
  const { messages } = (await res.json()) as { messages: { transaction_id: string; code?: string }[] };
  const code = messages.find((m) => m.transaction_id === transactionId)?.code;
  if (!code) throw new Error(`no code in the outbox for ${transactionId}`);
  return code;
}

/** One journey; returns each step's milliseconds, or throws with the step that answered unexpectedly. */
async function journey(base: string, tag: string): Promise<Partial<Record<JourneyStep, number>>> {
  const ms: Partial<Record<JourneyStep, number>> = {};
  const expect = (step: JourneyStep, r: { status: number; body: Record<string, unknown>; ms: number }, status: number) => {
    if (r.status !== status) throw new Error(`${step}: ${r.status} ${JSON.stringify(r.body)}`);
    ms[step] = r.ms;
  };
  const login = await post(base, '/auth/login', {
    username: 'mfauser',
    password: 'SecurePass123!',
    transmit_aid: 'bench',
    drs_action_token: `sim:allow:bench-${tag}-${deviceCounter++}`,
  });
  expect('login (MFA required)', login, 200);
  const contextId = login.body.context_id;
  const initiate = await post(base, '/auth/mfa/initiate', { context_id: contextId, transaction_id: login.body.transaction_id, method: 'sms', mfa_option_id: 1 });
  expect('mfa/initiate (sms)', initiate, 200);
  const code = await codeFor(base, initiate.body.transaction_id as string);
  const verify = await post(base, '/auth/mfa/otp/verify', { context_id: contextId, transaction_id: initiate.body.transaction_id, code });
  expect('mfa/otp/verify', verify, 200);
  const bind = await post(base, '/auth/device/bind', { context_id: contextId, transaction_id: verify.body.transaction_id, bind_device: true });
  expect('device/bind', bind, 200);
  return ms;
}

const percentile = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor(p * s.length))]! : NaN;
};

/** Runs `concurrency` journeys at a time for `seconds` (after a one-second warm-up that is not counted). */
export async function measureJourneys(base: string, tag: string, concurrency: number, seconds: number): Promise<JourneyFigure> {
  const run = async (duration: number) => {
    const times = Object.fromEntries(JOURNEY_STEPS.map((s) => [s, [] as number[]])) as Record<JourneyStep, number[]>;
    let done = 0;
    let failures = 0;
    let firstError: unknown;
    const end = performance.now() + duration * 1000;
    const start = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < end) {
          try {
            const ms = await journey(base, tag);
            for (const s of JOURNEY_STEPS) times[s].push(ms[s]!);
            done++;
          } catch (err) {
            failures++;
            firstError ??= err;
          }
        }
      }),
    );
    if (failures > done) throw firstError;
    return { times, done, failures, elapsed: (performance.now() - start) / 1000 };
  };
  await run(1);
  const r = await run(seconds);
  return {
    journeysPerSecond: r.done / r.elapsed,
    failures: r.failures,
    steps: Object.fromEntries(
      JOURNEY_STEPS.map((s) => [s, { p50: percentile(r.times[s], 0.5), p99: percentile(r.times[s], 0.99), count: r.times[s].length }]),
    ) as JourneyFigure['steps'],
  };
}
