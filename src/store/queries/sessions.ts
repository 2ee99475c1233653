import type { Queryable } from '../database.js';

export type SessionStatus = 'ACTIVE' | 'EXPIRED' | 'REVOKED' | 'LOGGED_OUT';

export interface SessionRow {
  session_id: string;
  context_id: string;
  cupid: string;
  client_id: string | null;
  device_fingerprint: string | null;
  ip_address: string;
  user_agent: string | null;
  status: SessionStatus;
  created_at: Date;
  last_activity_at: Date;
  expires_at: Date;
  revoked_at: Date | null;
  revoked_by: string | null;
  revocation_reason: string | null;
  ended_at: Date | null;
}

export async function insertSession(
  db: Queryable,
  s: {
    contextId: string;
    cupid: string;
    clientId: string;
    deviceFingerprint: string | null;
    ipAddress: string;
    userAgent: string | null;
    lifetimeSeconds: number;
  },
): Promise<{ session_id: string; created_at: Date; expires_at: Date }> {
  const { rows } = await db.query<{ session_id: string; created_at: Date; expires_at: Date }>({
    name: 'session_insert',
    text: `INSERT INTO sessions (context_id, cupid, client_id, device_fingerprint, ip_address, user_agent, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, now() + make_interval(secs => $7))
           RETURNING session_id, created_at, expires_at`,
    values: [s.contextId, s.cupid, s.clientId, s.deviceFingerprint, s.ipAddress, s.userAgent, s.lifetimeSeconds],
  });
  return rows[0]!;
}
