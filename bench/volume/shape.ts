/**
 * The shape of the volume data: how many rows of each kind, and the SQL expressions that derive
 * every row's values from its ordinal, so that separate set-based statements (journeys, their
 * steps, their sessions, their audit rows) agree on ids, customers and times without reading
 * each other's rows back.
 */

const scale = Number(process.env.BENCH_VOLUME_SCALE ?? 1);
const scaled = (n: number) => Math.max(1, Math.round(n * scale));

/** The seed's volumes (× BENCH_VOLUME_SCALE). */
export const VOLUME = {
  scale,
  /** Customers the day's traffic is spread over (about 1.7 live sessions and 3.3 journeys each). */
  customers: scaled(300_000),
  journeys: scaled(1_000_000),
  /** Live sessions: one per even journey of the day. */
  sessions: scaled(500_000),
  /** ACCESS, REFRESH and ID token per live session. */
  tokens: 3 * scaled(500_000),
  trustedDevices: scaled(100_000),
  drsEvaluations: scaled(1_000_000),
  auditRows: scaled(10_000_000),
  /** Backlogs for the maintenance jobs (see docs/performance.md). */
  retentionJourneys: scaled(100_000),
  expiringSessions: scaled(50_000),
  agedAuditRowsPerMonth: scaled(100_000),
} as const;

/** Steps of each journey kind (kind = a hash of the journey's ordinal mod 10); they sum to 30, three per journey. */
export const STEPS_PER_KIND = [0, 2, 2, 2, 3, 3, 4, 4, 4, 6] as const;

/** A pseudo-random integer in [0, n) from an integer expression (PostgreSQL's own hash of it). */
export const hashMod = (expr: string, n: number, salt = 0) => `((hashint8((${expr})::int8 + ${salt})::int8 + 2147483648) % ${n})`;

/** 64 hex digits derived from a text expression, in the format of the service's SHA-256 and HMAC hex columns. */
export const hex64 = (textExpr: string) => `(md5(${textExpr}) || md5('x' || ${textExpr}))`;

/** SHA-256 hex of a token value: exactly how the service stores token hashes. */
export const sha256Hex = (textExpr: string) => `encode(sha256(convert_to(${textExpr}, 'UTF8')), 'hex')`;

/**
 * A time-ordered uuid (the service's uuid_v7 layout: 48 bits of Unix milliseconds first) for a row
 * created at `tsExpr`, the rest from a hash of `tag` and `keyExpr`: rows inserted in time order
 * land at the right edge of their primary key, as the service's own inserts do.
 */
export const timeOrderedId = (tsExpr: string, tag: string, keyExpr: string) =>
  `encode(overlay(decode(md5('${tag}-' || (${keyExpr})), 'hex') ` +
  `PLACING substring(int8send((extract(epoch FROM ${tsExpr}) * 1000)::int8) FROM 3) FROM 1 FOR 6), 'hex')::uuid`;

/** A customer's reference id from the directory. */
export const cupidOf = (customerExpr: string) => `('CUPID_V' || lpad((${customerExpr})::text, 8, '0'))`;

/** The customer a journey belongs to. */
export const journeyCustomer = (j: string) => hashMod(j, VOLUME.customers, 11);
export const journeyKind = (j: string) => hashMod(j, 10, 23);

/** `$1` of every fill statement is the fill's reference time: the day ends there. */
export const T0 = '$1::timestamptz';

/** When journey j of the day passed the password check: spread evenly over the 24 hours before T0. */
export const journeyAt = (j: string) => `(${T0} - interval '1 day' + (${j})::float8 / ${VOLUME.journeys} * interval '1 day')`;

/** The day's last five minutes of odd journeys are still open (live steps); every 20th odd journey was abandoned. */
const openFrom = VOLUME.journeys - Math.ceil((VOLUME.journeys * 5) / 1440);
export const isOpenJourney = (j: string) => `((${j}) >= ${openFrom} AND (${j}) % 2 = 1)`;
export const isAbandonedJourney = (j: string) => `((${j}) % 20 = 7)`;
export const isFailedJourney = (j: string) => `((${j}) % 100 = 99)`;
/** Journeys without an outcome: open ones and abandoned ones (the expiry jobs' backlog). */
export const isUnfinishedJourney = (j: string) => `(${isOpenJourney(j)} OR ${isAbandonedJourney(j)})`;

const stepsArray = `ARRAY[${STEPS_PER_KIND.join(',')}]`;
/** When journey j finished: 15 s per step after the password, plus 10 s. */
export const journeyDoneAt = (j: string) => `(${journeyAt(j)} + (${stepsArray})[${journeyKind(j)} + 1] * interval '15 seconds' + interval '10 seconds')`;
export const journeyId = (j: string) => timeOrderedId(journeyAt(j), 'ctx', j);

/** Live session i belongs to journey 2i (even journeys always succeed) and opened when it finished. */
export const sessionJourney = (i: string) => `(2 * (${i}))`;
export const sessionAt = (i: string) => journeyDoneAt(sessionJourney(i));
export const sessionId = (i: string) => timeOrderedId(sessionAt(i), 'ses', i);

/** The device identity (keyed hash) a journey came from: a few devices per customer. */
export const deviceOf = (j: string) => hex64(`'dev-' || ${journeyCustomer(j)} || '-' || ${hashMod(j, 3, 31)}`);
/** A client address in 10.0.0.0/8 (inet arithmetic: one hash, no text to parse). */
export const ipOf = (k: string) => `('10.0.0.1'::inet + ${hashMod(k, 16_777_000, 41)})`;
export const USER_AGENT = `'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148'`;
export const correlationOf = (j: string) => `md5('cor-' || (${j}))::uuid`;

/** Token values the load presents: the bench's own, hashed as the service hashes issued tokens. */
export const accessTokenValue = (i: string) => `('bench-access-' || (${i}))`;
export const refreshTokenValue = (i: string) => `('bench-refresh-' || (${i}))`;
export const idTokenValue = (i: string) => `('bench-id-' || (${i}))`;
