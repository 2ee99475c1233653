import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlState, type Database } from '../../src/store/database.js';
import { openPostgres } from '../../src/store/engines/postgres.js';
import { migrate, migrationsCurrent } from '../../src/store/migrate.js';
import { lockJourneyAndFindStep } from '../../src/store/queries/journey-step-lock.js';
import { testEngine } from '../support/test-database.js';
import { count, createEmptyPostgresDatabase, expectSqlState, insertAudit, insertContext, insertStep } from '../support/fixtures.js';

const roleScript = join(dirname(fileURLToPath(import.meta.url)), '../../src/store/roles/app-role.sql');
const OWNER = 'ciam_owner';
const APP = 'ciam_app';
const { insufficientPrivilege } = SqlState;

/** Runs the DBA's script exactly as documented: psql, stop at the first error. */
async function runRoleScript(url: string, variables: Record<string, string> = {}): Promise<void> {
  const vars = Object.entries(variables).flatMap(([name, value]) => ['-v', `${name}=${value}`]);
  await promisify(execFile)('psql', ['-X', '-q', '-v', 'ON_ERROR_STOP=1', ...vars, '-d', url, '-f', roleScript]);
}

function urlAs(url: string, change: (u: URL) => void): string {
  const u = new URL(url);
  change(u);
  return u.toString();
}

const open = (connectionString: string) => openPostgres({ connectionString, poolMax: 3, statementTimeoutMs: 30_000 });

// Roles are cluster-wide: the script creates them idempotently (also when another test run creates
// them at the same moment); the database, its objects and every grant are this file's own.
describe.skipIf(testEngine() !== 'postgres')('least privilege on PostgreSQL', () => {
  let fresh: Awaited<ReturnType<typeof createEmptyPostgresDatabase>>;
  let superuser: Database;
  let app: Database;
  let currentPartition: string;

  beforeAll(async () => {
    fresh = await createEmptyPostgresDatabase('ciam_priv');
    await runRoleScript(fresh.url);
    // Migrations run as the owner role, as `PGOPTIONS='-c role=ciam_owner' npm run migrate` would.
    const owner = await open(urlAs(fresh.url, (u) => u.searchParams.set('options', `-c role=${OWNER}`)));
    try {
      await migrate(owner);
    } finally {
      await owner.close();
    }
    await runRoleScript(fresh.url);
    superuser = await open(fresh.url);
    app = await open(urlAs(fresh.url, (u) => (u.username = APP)));
    const { rows } = await app.query<{ name: string }>(
      `SELECT to_char(now() AT TIME ZONE 'UTC', '"audit_logs_"YYYY_MM') AS name`,
    );
    currentPartition = rows[0]!.name;
  });
  afterAll(async () => {
    await app?.close();
    await superuser?.close();
    await fresh?.drop();
  });

  it('migrations ran as the owner role: it owns every table, view and function of the schema', async () => {
    const { rows } = await superuser.query<{ kind: string; name: string; owner: string }>(
      `SELECT 'relation' AS kind, c.relname AS name, pg_get_userbyid(c.relowner) AS owner
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v')
       UNION ALL
       SELECT 'function', p.proname, pg_get_userbyid(p.proowner)
       FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE n.nspname = 'public'`,
    );
    expect(rows.length).toBeGreaterThan(20);
    expect(rows.filter((r) => r.owner !== OWNER)).toEqual([]);
  });

  it('the owner role cannot log in', async () => {
    const client = new pg.Client({ connectionString: urlAs(fresh.url, (u) => (u.username = OWNER)) });
    client.on('error', () => {});
    await expectSqlState(client.connect(), '28000');
    await client.end().catch(() => {});
  });

  it('the application starts as its role: migrate() finds nothing to do and the schema is current', async () => {
    expect(await migrate(app)).toEqual([]);
    expect(await migrationsCurrent(app)).toBe(true);
    await expectSqlState(
      app.query(`INSERT INTO schema_migrations (version, name, checksum) VALUES (999, 'x', 'x')`),
      insufficientPrivilege,
    );
  });

  it('may insert and read audit rows, but not update, delete or truncate them', async () => {
    const auditId = await insertAudit(app, { cupid: 'CUPID_PRIV' });
    expect(await count(app, 'SELECT 1 FROM audit_logs WHERE audit_id = $1', [auditId])).toBe(1);
    await expectSqlState(
      app.query(`UPDATE audit_logs SET event_type = 'X' WHERE audit_id = $1`, [auditId]),
      insufficientPrivilege,
    );
    await expectSqlState(app.query(`DELETE FROM audit_logs WHERE audit_id = $1`, [auditId]), insufficientPrivilege);
    await expectSqlState(app.query('TRUNCATE audit_logs'), insufficientPrivilege);
    expect(await count(superuser, 'SELECT 1 FROM audit_logs WHERE audit_id = $1', [auditId])).toBe(1);
  });

  it('may not update or delete through a partition, the default one, or one created later', async () => {
    const { rows } = await app.query<{ month: string; name: string }>(
      `SELECT (now() AT TIME ZONE 'UTC' + interval '7 months')::date::text AS month,
              to_char(now() AT TIME ZONE 'UTC' + interval '7 months', '"audit_logs_"YYYY_MM') AS name`,
    );
    const later = rows[0]!;
    // SECURITY DEFINER: the application creates partitions it has no rights on itself.
    const created = await app.query<{ n: number }>('SELECT create_audit_partition($1::date) AS n', [later.month]);
    expect(created.rows[0]!.n).toBe(1);
    const auditId = await insertAudit(app, { created_at: later.month });
    expect(await count(superuser, `SELECT 1 FROM ${later.name} WHERE audit_id = $1`, [auditId])).toBe(1);

    for (const partition of [currentPartition, 'audit_logs_default', later.name]) {
      await expectSqlState(app.query(`UPDATE ${partition} SET event_type = 'X'`), insufficientPrivilege);
      await expectSqlState(app.query(`DELETE FROM ${partition}`), insufficientPrivilege);
      await expectSqlState(app.query(`TRUNCATE ${partition}`), insufficientPrivilege);
    }
    await expectSqlState(app.query(`DROP TABLE ${later.name}`), insufficientPrivilege);
    expect(await count(superuser, `SELECT 1 FROM ${later.name} WHERE audit_id = $1`, [auditId])).toBe(1);
  });

  it('create_audit_partition still moves rows out of the default partition when the application calls it', async () => {
    const { rows } = await app.query<{ month: string; name: string }>(
      `SELECT (now() AT TIME ZONE 'UTC' + interval '3 years')::date::text AS month,
              to_char(now() AT TIME ZONE 'UTC' + interval '3 years', '"audit_logs_"YYYY_MM') AS name`,
    );
    const { month, name } = rows[0]!;
    const auditId = await insertAudit(app, { created_at: month });
    expect(await count(superuser, `SELECT 1 FROM audit_logs_default WHERE audit_id = $1`, [auditId])).toBe(1);
    expect((await app.query<{ n: number }>('SELECT create_audit_partition($1::date) AS n', [month])).rows[0]!.n).toBe(1);
    expect(await count(superuser, `SELECT 1 FROM ${name} WHERE audit_id = $1`, [auditId])).toBe(1);
    expect(await count(superuser, `SELECT 1 FROM audit_logs_default WHERE audit_id = $1`, [auditId])).toBe(0);
  });

  it('works the journey tables, locks a journey to take a step, and runs every maintenance function', async () => {
    const contextId = await insertContext(app);
    const stepId = await insertStep(app, contextId);
    const locked = await app.transaction((tx) => lockJourneyAndFindStep(tx, contextId, stepId));
    expect([locked.context?.context_id, locked.step?.transaction_id]).toEqual([contextId, stepId]);
    await app.query(
      `UPDATE auth_transactions SET transaction_status = 'CONSUMED', consumed_at = now() WHERE transaction_id = $1`,
      [stepId],
    );
    await app.query(
      `UPDATE auth_contexts SET auth_outcome = 'FAILED', completed_at = now() WHERE context_id = $1`,
      [contextId],
    );
    expect((await app.query('SELECT * FROM v_pending_transactions')).rows).toEqual([]);
    await app.query('DELETE FROM auth_contexts WHERE context_id = $1', [contextId]);

    for (const fn of [
      'expire_pending_transactions()',
      'expire_auth_contexts()',
      'expire_sessions()',
      'expire_tokens()',
      'delete_old_auth_contexts()',
      'delete_old_drs_evaluations()',
      'delete_ended_sessions()',
      'ensure_audit_partitions(2)',
      'create_next_audit_partition()',
      'drop_old_audit_partitions()',
    ]) {
      const { rows } = await app.query<{ n: number }>(`SELECT ${fn} AS n`);
      expect(rows[0]!.n, fn).toBe(0);
    }
    // The one function that drops audit data refuses to be turned against it.
    await expectSqlState(app.query(`SELECT drop_old_audit_partitions(interval '1 day')`), '22023');
  });

  it('may not create, alter or drop anything, nor create temporary objects', async () => {
    await expectSqlState(app.query('CREATE TABLE intruder (id integer)'), insufficientPrivilege);
    await expectSqlState(app.query('CREATE TEMP TABLE intruder (id integer)'), insufficientPrivilege);
    await expectSqlState(app.query('ALTER TABLE audit_logs DISABLE TRIGGER ALL'), insufficientPrivilege);
    await expectSqlState(app.query('DROP TABLE sessions'), insufficientPrivilege);
    await expectSqlState(
      app.query(`CREATE FUNCTION public.intruder() RETURNS integer LANGUAGE sql AS 'SELECT 1'`),
      insufficientPrivilege,
    );
  });

  it('keeps all of this when the script runs again', async () => {
    await runRoleScript(fresh.url);
    await insertAudit(app);
    await expectSqlState(app.query(`DELETE FROM audit_logs`), insufficientPrivilege);
    await expectSqlState(app.query(`DELETE FROM ${currentPartition}`), insufficientPrivilege);
    expect(await migrate(app)).toEqual([]);
  });

  it('sets up several databases at once that create the same new roles', async () => {
    const suffix = randomBytes(4).toString('hex');
    const roles = { owner_role: `ciam_owner_${suffix}`, app_role: `ciam_app_${suffix}` };
    const databases = await Promise.all([1, 2, 3].map(() => createEmptyPostgresDatabase('ciam_roles')));
    try {
      await Promise.all(databases.map((d) => runRoleScript(d.url, roles)));
      const { rows } = await superuser.query<{ rolname: string; rolcanlogin: boolean }>(
        'SELECT rolname, rolcanlogin FROM pg_roles WHERE rolname = ANY($1) ORDER BY rolname',
        [Object.values(roles)],
      );
      expect(rows).toEqual([
        { rolname: roles.app_role, rolcanlogin: true },
        { rolname: roles.owner_role, rolcanlogin: false },
      ]);
    } finally {
      await Promise.all(databases.map((d) => d.drop()));
      await superuser.query(`DROP ROLE IF EXISTS ${roles.app_role}, ${roles.owner_role}`);
    }
  });
});
