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

const columns = `context_id, cupid, app_id, client_id, app_version, device_fingerprint, host(ip_address) AS ip_address,
  correlation_id, requires_additional_steps, auth_outcome, completed_at, created_at, expires_at,
  (auth_outcome IS NULL AND expires_at > now()) AS is_open`;

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
    outcome?: JourneyOutcome;
    ttlSeconds: number;
  },
): Promise<AuthContextRow> {
  const { rows } = await db.query<AuthContextRow>(
    `INSERT INTO auth_contexts (cupid, app_id, app_version, device_fingerprint, ip_address, correlation_id,
       requires_additional_steps, auth_outcome, completed_at, expires_at, client_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8::varchar, CASE WHEN $8::varchar IS NULL THEN NULL ELSE now() END,
       now() + make_interval(secs => $9), $10)
     RETURNING ${columns}`,
    [c.cupid, c.appId, c.appVersion, c.deviceFingerprint, c.ipAddress, c.correlationId, c.requiresAdditionalSteps, c.outcome ?? null, c.ttlSeconds, c.clientId],
  );
  return rows[0]!;
}

export async function findAuthContext(db: Queryable, contextId: string): Promise<AuthContextRow | undefined> {
  const { rows } = await db.query<AuthContextRow>(`SELECT ${columns} FROM auth_contexts WHERE context_id = $1`, [contextId]);
  return rows[0];
}

/** Locks the journey row for the rest of the transaction, so its steps advance one at a time. */
export async function lockAuthContext(db: Queryable, contextId: string): Promise<AuthContextRow | undefined> {
  const { rows } = await db.query<AuthContextRow>(
    `SELECT ${columns} FROM auth_contexts WHERE context_id = $1 FOR UPDATE`,
    [contextId],
  );
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
