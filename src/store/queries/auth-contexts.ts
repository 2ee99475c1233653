import type { Queryable } from '../database.js';

export type JourneyOutcome = 'SUCCESS' | 'EXPIRED' | 'ABANDONED' | 'FAILED';

export interface AuthContextRow {
  context_id: string;
  cupid: string;
  app_id: string;
  /** The registered client (x-client-id) that started the journey; null only for journeys older than the column. */
  client_id: string | null;
  app_version: string;
  device_fingerprint: string | null;
  ip_address: string;
  correlation_id: string | null;
  requires_additional_steps: boolean;
  auth_outcome: JourneyOutcome | null;
  completed_at: Date | null;
  created_at: Date;
  expires_at: Date;
  /** Computed: open (no outcome) and not past its expiry, by the database clock. */
  is_open: boolean;
}

/** The columns of an AuthContextRow, of the table or of `t`, the row type under another name. */
export const journeyColumns = (t = '') => {
  const c = t ? `${t}.` : '';
  return `${c}context_id, ${c}cupid, ${c}app_id, ${c}client_id, ${c}app_version, ${c}device_fingerprint,
  host(${c}ip_address) AS ip_address, ${c}correlation_id, ${c}requires_additional_steps, ${c}auth_outcome,
  ${c}completed_at, ${c}created_at, ${c}expires_at, (${c}auth_outcome IS NULL AND ${c}expires_at > now()) AS is_open`;
};
const columns = journeyColumns();

/** Opens a journey: its row starts without an outcome. */
export async function insertAuthContext(
  db: Queryable,
  c: {
    cupid: string;
    appId: string;
    clientId: string | null;
    appVersion: string;
    deviceFingerprint: string | null;
    ipAddress: string;
    correlationId: string;
    requiresAdditionalSteps: boolean;
    ttlSeconds: number;
  },
): Promise<AuthContextRow> {
  const { rows } = await db.query<AuthContextRow>(
    `INSERT INTO auth_contexts (cupid, app_id, app_version, device_fingerprint, ip_address, correlation_id,
       requires_additional_steps, expires_at, client_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, now() + make_interval(secs => $8), $9)
     RETURNING ${columns}`,
    [c.cupid, c.appId, c.appVersion, c.deviceFingerprint, c.ipAddress, c.correlationId, c.requiresAdditionalSteps, c.ttlSeconds, c.clientId],
  );
  return rows[0]!;
}

export async function findAuthContext(db: Queryable, contextId: string): Promise<AuthContextRow | undefined> {
  const { rows } = await db.query<AuthContextRow>(`SELECT ${columns} FROM auth_contexts WHERE context_id = $1`, [contextId]);
  return rows[0];
}

/** Locks the journey row for the rest of the transaction, so its steps advance one at a time. */
export async function lockAuthContext(db: Queryable, contextId: string): Promise<AuthContextRow | undefined> {
  const { rows } = await db.query<AuthContextRow>({
    name: 'journey_lock',
    text: `SELECT ${columns} FROM auth_contexts WHERE context_id = $1 FOR UPDATE`,
    values: [contextId],
  });
  return rows[0];
}

/** Records the outcome once; false if the journey already had one. */
export async function finishAuthContext(db: Queryable, contextId: string, outcome: JourneyOutcome): Promise<boolean> {
  const { rowCount } = await db.query(
    `UPDATE auth_contexts SET auth_outcome = $2, completed_at = now()
     WHERE context_id = $1 AND auth_outcome IS NULL`,
    [contextId, outcome],
  );
  return rowCount === 1;
}

/**
 * How the journey that earned a session is closed by the statement that opens it:
 * - `finish`: its open row becomes SUCCESS (the journey went through steps);
 * - `start-finished`: its row is written already SUCCESS (the journey ends at the password).
 */
export type JourneyClosing =
  | { kind: 'finish'; lastTransactionId: string | null }
  | { kind: 'start-finished'; appId: string; appVersion: string; ttlSeconds: number };

/** Where the session statement keeps the values the journey's part reads (positional parameters). */
export interface JourneyClosingParams {
  contextId: string;
  cupid: string;
  clientId: string;
  deviceFingerprint: string;
  ipAddress: string;
  correlationId: string;
  kind: string;
  appId: string;
  appVersion: string;
  ttlSeconds: string;
}

/**
 * The journey's part of the one statement that opens a session (session-opening.ts), kept here with
 * this table's other writes: CTE `journey` yields the context_id closed SUCCESS — the open row
 * finished, or the row of a journey that ends at the password written finished — and no row when
 * the journey to finish was no longer open. One statement rather than a call of its own so that the
 * common login stays one round trip without a transaction (docs/performance.md).
 */
export function journeyClosingCtes(p: JourneyClosingParams): string {
  return `started AS (
  INSERT INTO auth_contexts (context_id, cupid, client_id, app_id, app_version, device_fingerprint, ip_address, correlation_id,
                             auth_outcome, completed_at, expires_at)
  SELECT ${p.contextId}, ${p.cupid}, ${p.clientId}, ${p.appId}, ${p.appVersion}, ${p.deviceFingerprint}, ${p.ipAddress}, ${p.correlationId},
         'SUCCESS', now(), now() + make_interval(secs => ${p.ttlSeconds})
  WHERE ${p.kind} = 'start-finished'
  RETURNING context_id
), finished AS (
  UPDATE auth_contexts SET auth_outcome = 'SUCCESS', completed_at = now()
  WHERE ${p.kind} = 'finish' AND context_id = ${p.contextId} AND auth_outcome IS NULL
  RETURNING context_id
), journey AS (
  SELECT context_id FROM started UNION ALL SELECT context_id FROM finished
)`;
}
