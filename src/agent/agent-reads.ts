import { recordAudit, type RequestOrigin } from '../audit/record.js';
import { listTrustedDevices } from '../devices/device-trust.js';
import type { Database } from '../store/database.js';
import { auditPage, highRiskPage, type KeysetPage, type PagePosition } from '../store/queries/agent-views.js';
import { recentJobRuns } from '../store/queries/job-runs.js';
import { activeSessionsView } from '../store/queries/sessions.js';

export type { PagePosition };

/** The agent reading, and why when they said: what the AGENT_ACCESS audit row records. */
export interface AgentReader {
  agentId: string;
  authMethod: string;
  origin: RequestOrigin;
  reason?: string;
}

/** Audits an agent's read on the primary: who looked at what, and why when they said. */
async function auditRead(db: Database, reader: AgentReader, action: string, cupid: string | null, detail: Record<string, unknown>): Promise<void> {
  await recordAudit(db, {
    type: 'AGENT_ACCESS',
    origin: reader.origin,
    cupid,
    data: { agent_id: reader.agentId, auth_method: reader.authMethod, action, reason: reader.reason ?? null, ...detail },
  });
}

// Reports read the replica when there is one (DATABASE_READ_URL); they may lag the primary by a moment.

/** A customer's active sessions with their live tokens. */
export async function readCustomerSessions(db: Database, cupid: string, reader: AgentReader) {
  const sessions = await activeSessionsView(db.reports, cupid);
  await auditRead(db, reader, 'list_sessions', cupid, { count: sessions.length });
  return sessions;
}

/** A customer's trusted devices; revoked and expired ones too when `includeRevoked`. */
export async function readCustomerDevices(db: Database, cupid: string, includeRevoked: boolean, reader: AgentReader) {
  const devices = await listTrustedDevices(db.reports, cupid, includeRevoked);
  await auditRead(db, reader, 'list_devices', cupid, { count: devices.length });
  return devices;
}

/** A customer's audit timeline, newest first. */
export async function readAuditTimeline(db: Database, cupid: string, page: KeysetPage, reader: AgentReader) {
  const events = await auditPage(db.reports, { cupid, ...page });
  await auditRead(db, reader, 'read_audit_timeline', cupid, { from: page.from ?? null, to: page.to ?? null });
  return events;
}

/** Logins the device-risk service scored at least `minScore`, newest first. */
export async function readHighRiskLogins(db: Database, page: KeysetPage & { minScore: number }, reader: AgentReader) {
  const logins = await highRiskPage(db.reports, page);
  await auditRead(db, reader, 'list_high_risk_logins', null, { from: page.from ?? null, to: page.to ?? null });
  return logins;
}

/** Recent maintenance job runs, read on the primary where the jobs write them. */
export async function readJobRuns(db: Database, limit: number, jobName: string | undefined, reader: AgentReader) {
  const runs = await recentJobRuns(db, limit, jobName);
  await auditRead(db, reader, 'list_job_runs', null, { job_name: jobName ?? null });
  return runs;
}
