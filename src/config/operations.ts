import { z } from 'zod';
import { flag, list, optionalText, optionalUrl, optionalWholeNumber, positiveInt, readEnv, SettingsError, text, wholeNumber, type Env } from './fields.js';

/**
 * Settings of the operational parts — maintenance jobs, abuse limits, password lockout,
 * observability — part of the settings `loadSettings` reads (`settings.operations`).
 * Every default is the production default; tests shorten windows through the environment.
 */
const OperationsEnv = z.object({
  NODE_ENV: optionalText(),
  /** Run the maintenance scheduler inside this instance. Turn off on instances that must only serve. */
  CIAM_JOBS_ENABLED: flag(true),
  /** Job names the scheduler leaves out (comma separated), e.g. `drop-old-partitions` while audit is archived elsewhere. */
  CIAM_JOBS_DISABLED: list(),
  /** Time zone the cron schedules are read in. */
  CIAM_JOB_TIMEZONE: text('UTC'),
  /** Rows one maintenance call may change; a job repeats the call until it changes fewer. Keeps each transaction short. */
  CIAM_JOB_BATCH_SIZE: positiveInt(5000),
  /** How long one batch waits for a lock before giving up (dropping a partition must not queue audit writes behind it). */
  CIAM_JOB_LOCK_TIMEOUT_MS: positiveInt(5000),
  /** Upper bound on batches in one run, so a huge backlog cannot keep one run going for hours; the next run goes on. */
  CIAM_JOB_MAX_BATCHES: positiveInt(1000),
  /** Months of audit partitions kept ahead of the current one (never fewer than 2). */
  CIAM_AUDIT_PARTITIONS_AHEAD: wholeNumber(2, { min: 2 }),
  /**
   * Audit partitions whose month ended longer ago than this are dropped (quarterly job). Never
   * under 24: the database function refuses a shorter retention, so the audit log cannot be emptied.
   */
  CIAM_AUDIT_RETENTION_MONTHS: wholeNumber(24, { min: 24 }),
  /** Finished journeys (and their steps) older than this are deleted (daily job). */
  CIAM_JOURNEY_RETENTION_DAYS: positiveInt(90),
  /** DRS evaluations older than this are deleted (daily job). */
  CIAM_DRS_RETENTION_DAYS: positiveInt(90),
  /** Ended sessions (revoked, logged out, expired) are deleted with their tokens this long after they ended. */
  CIAM_ENDED_SESSION_RETENTION_DAYS: positiveInt(30),
  /** job_runs rows older than this are deleted by the retention job. */
  CIAM_JOB_RUN_RETENTION_DAYS: positiveInt(90),

  /** Refuse abusive request rates with 429 CIAM_E00_00_005. */
  CIAM_RATE_LIMIT_ENABLED: flag(true),
  /** Length of one rate-limit window, in seconds; every limit below counts requests per window. */
  CIAM_RATE_LIMIT_WINDOW_SECONDS: positiveInt(60),
  /** Login attempts per client IP per window. Generous: whole offices and mobile carriers share an address. */
  CIAM_RATE_LIMIT_LOGIN_PER_IP: positiveInt(100),
  /** Login attempts per username per window, whatever the address (slows password spraying on one account). */
  CIAM_RATE_LIMIT_LOGIN_PER_USERNAME: positiveInt(10),
  /** MFA initiate and OTP verify calls per journey (context_id) per window, each route counted apart. */
  CIAM_RATE_LIMIT_MFA_PER_CONTEXT: positiveInt(20),
  /** Push status polls per transaction per window (the browser polls about once a second). */
  CIAM_RATE_LIMIT_POLL_PER_TRANSACTION: positiveInt(120),
  /** Push approve / deny calls per client IP per window (phones behind a carrier share addresses). */
  CIAM_RATE_LIMIT_PUSH_ANSWER_PER_IP: positiveInt(30),
  /** Push approve / deny calls per push step per window (a phone answers once or twice). */
  CIAM_RATE_LIMIT_PUSH_ANSWER_PER_TRANSACTION: positiveInt(5),
  /**
   * Without Redis: how many rate-limit keys one process keeps in memory (least recently used go
   * first). A flood of fresh keys can push a limited one out; the password lockout, kept in the
   * database, still holds for that username (see docs/security.md).
   */
  CIAM_RATE_LIMIT_MEMORY_KEYS: positiveInt(100_000),
  /** Redis shared by every instance so limits hold across the fleet; unset → counted in each process's memory. */
  REDIS_URL: optionalUrl(),
  /** Prefix of every rate-limit key in Redis (one Redis may serve several environments). */
  CIAM_RATE_LIMIT_REDIS_PREFIX: text('ciam:rl:'),

  /** Consecutive wrong passwords per username before the embedded directory locks it (NIST SP 800-63B: at most 100). */
  CIAM_PASSWORD_MAX_FAILURES: wholeNumber(10, { min: 1, max: 100 }),
  /** How long a password lockout lasts, in seconds. */
  CIAM_PASSWORD_LOCK_SECONDS: positiveInt(900),
  /** A failure older than this no longer counts towards the temporary lockout, in seconds. */
  CIAM_PASSWORD_FAILURE_WINDOW_SECONDS: positiveInt(86_400),
  /**
   * Consecutive wrong passwords since the last correct one — temporary locks and windows do not
   * restart this count — at which the username stays locked until an agent unlocks it (≤ 100, NIST SP 800-63B §5.2.2).
   */
  CIAM_PASSWORD_FAILURE_CEILING: wholeNumber(100, { min: 1, max: 100 }),

  /** Serve GET /metrics (Prometheus text format). */
  CIAM_METRICS_ENABLED: flag(true),
  /** How long the database-backed gauges (open steps, active sessions …) are reused between scrapes, in ms (≥ 1000). */
  CIAM_METRICS_DB_GAUGE_TTL_MS: wholeNumber(15_000, { min: 1000 }),
  /**
   * When set, GET /metrics requires `Authorization: Bearer <this>`. Required in production (metrics
   * tell who logs in how often and what fails); development leaves /metrics open when unset.
   */
  CIAM_METRICS_BEARER_TOKEN: optionalText({ minLength: 16 }),
  /**
   * Bytes of log lines held in memory while the log consumer (whatever reads stdout) is behind.
   * When it is full, further lines are dropped and counted (`ciam_log_lines_dropped_total`)
   * rather than blocking requests or growing the process. From 64 KiB to 1 GiB.
   */
  CIAM_LOG_BUFFER_BYTES: wholeNumber(8 * 1024 * 1024, { min: 65_536, max: 1_073_741_824 }),
  /** Requests slower than this are logged at warn level with their route and status, in ms. */
  CIAM_SLOW_REQUEST_MS: positiveInt(1000),
  /**
   * After SIGTERM, how long readiness answers 503 while requests are still served, so the load
   * balancer stops sending traffic before the listener closes. Default 5000 in production, 0 otherwise.
   */
  CIAM_SHUTDOWN_DRAIN_MS: optionalWholeNumber({ min: 0 }),
  /** Upper bound on a graceful shutdown; past it the process exits with status 1. */
  CIAM_SHUTDOWN_TIMEOUT_MS: positiveInt(15_000),
});

export interface OperationsSettings {
  jobs: {
    enabled: boolean;
    disabled: string[];
    timezone: string;
    batchSize: number;
    maxBatches: number;
    lockTimeoutMs: number;
    auditPartitionsAhead: number;
    auditRetentionMonths: number;
    journeyRetentionDays: number;
    drsRetentionDays: number;
    endedSessionRetentionDays: number;
    jobRunRetentionDays: number;
  };
  rateLimits: {
    enabled: boolean;
    windowMs: number;
    loginPerIp: number;
    loginPerUsername: number;
    mfaPerContext: number;
    pollPerTransaction: number;
    pushAnswerPerIp: number;
    pushAnswerPerTransaction: number;
    redisUrl?: string;
    redisPrefix: string;
    memoryKeys: number;
  };
  passwordLockout: { maxFailures: number; lockSeconds: number; failureWindowSeconds: number; ceiling: number };
  metrics: { enabled: boolean; dbGaugeTtlMs: number; bearerToken?: string };
  slowRequestMs: number;
  logBufferBytes: number;
  shutdownDrainMs: number;
  shutdownTimeoutMs: number;
}

export function loadOperationsSettings(env: Env): OperationsSettings {
  const e = readEnv(OperationsEnv, env);
  if (e.CIAM_PASSWORD_FAILURE_CEILING < e.CIAM_PASSWORD_MAX_FAILURES) {
    throw new SettingsError('CIAM_PASSWORD_FAILURE_CEILING must not be below CIAM_PASSWORD_MAX_FAILURES.');
  }
  return {
    jobs: {
      enabled: e.CIAM_JOBS_ENABLED,
      disabled: e.CIAM_JOBS_DISABLED,
      timezone: e.CIAM_JOB_TIMEZONE,
      batchSize: e.CIAM_JOB_BATCH_SIZE,
      maxBatches: e.CIAM_JOB_MAX_BATCHES,
      lockTimeoutMs: e.CIAM_JOB_LOCK_TIMEOUT_MS,
      auditPartitionsAhead: e.CIAM_AUDIT_PARTITIONS_AHEAD,
      auditRetentionMonths: e.CIAM_AUDIT_RETENTION_MONTHS,
      journeyRetentionDays: e.CIAM_JOURNEY_RETENTION_DAYS,
      drsRetentionDays: e.CIAM_DRS_RETENTION_DAYS,
      endedSessionRetentionDays: e.CIAM_ENDED_SESSION_RETENTION_DAYS,
      jobRunRetentionDays: e.CIAM_JOB_RUN_RETENTION_DAYS,
    },
    rateLimits: {
      enabled: e.CIAM_RATE_LIMIT_ENABLED,
      windowMs: e.CIAM_RATE_LIMIT_WINDOW_SECONDS * 1000,
      loginPerIp: e.CIAM_RATE_LIMIT_LOGIN_PER_IP,
      loginPerUsername: e.CIAM_RATE_LIMIT_LOGIN_PER_USERNAME,
      mfaPerContext: e.CIAM_RATE_LIMIT_MFA_PER_CONTEXT,
      pollPerTransaction: e.CIAM_RATE_LIMIT_POLL_PER_TRANSACTION,
      pushAnswerPerIp: e.CIAM_RATE_LIMIT_PUSH_ANSWER_PER_IP,
      pushAnswerPerTransaction: e.CIAM_RATE_LIMIT_PUSH_ANSWER_PER_TRANSACTION,
      redisUrl: e.REDIS_URL,
      redisPrefix: e.CIAM_RATE_LIMIT_REDIS_PREFIX,
      memoryKeys: e.CIAM_RATE_LIMIT_MEMORY_KEYS,
    },
    passwordLockout: {
      maxFailures: e.CIAM_PASSWORD_MAX_FAILURES,
      lockSeconds: e.CIAM_PASSWORD_LOCK_SECONDS,
      failureWindowSeconds: e.CIAM_PASSWORD_FAILURE_WINDOW_SECONDS,
      ceiling: e.CIAM_PASSWORD_FAILURE_CEILING,
    },
    metrics: {
      enabled: e.CIAM_METRICS_ENABLED,
      dbGaugeTtlMs: e.CIAM_METRICS_DB_GAUGE_TTL_MS,
      bearerToken: e.CIAM_METRICS_BEARER_TOKEN,
    },
    slowRequestMs: e.CIAM_SLOW_REQUEST_MS,
    logBufferBytes: e.CIAM_LOG_BUFFER_BYTES,
    shutdownDrainMs: e.CIAM_SHUTDOWN_DRAIN_MS ?? (e.NODE_ENV === 'production' ? 5000 : 0),
    shutdownTimeoutMs: e.CIAM_SHUTDOWN_TIMEOUT_MS,
  };
}
