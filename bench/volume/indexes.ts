import type pg from 'pg';

/**
 * The migrations' secondary indexes, set aside for the fill and built again afterwards from their
 * own definitions (pg_get_indexdef), then compared with what was there before: the measured
 * database carries exactly the migrations' indexes. Primary keys and other constraint indexes
 * stay in place throughout.
 */
export interface IndexDefinition {
  table: string;
  name: string;
  definition: string;
}

const TABLES = ['auth_contexts', 'auth_transactions', 'sessions', 'tokens', 'trusted_devices', 'drs_evaluations', 'audit_logs'];

/** Indexes of the filled tables (partitions' own included), as `pg_get_indexdef` prints them. */
export async function allIndexDefinitions(db: pg.ClientBase): Promise<string[]> {
  const { rows } = await db.query<{ def: string }>(
    `SELECT pg_get_indexdef(i.indexrelid) AS def
     FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
     LEFT JOIN pg_inherits h ON h.inhrelid = t.oid LEFT JOIN pg_class parent ON parent.oid = h.inhparent
     WHERE t.relnamespace = 'public'::regnamespace AND (t.relname = ANY($1) OR parent.relname = ANY($1))
     ORDER BY 1`,
    [TABLES],
  );
  return rows.map((r) => r.def);
}

/** The top-level secondary indexes (no constraint behind them) of the filled tables. */
async function secondaryIndexes(db: pg.ClientBase): Promise<IndexDefinition[]> {
  const { rows } = await db.query<IndexDefinition>(
    `SELECT t.relname AS table, c.relname AS name, pg_get_indexdef(c.oid) AS definition
     FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_class t ON t.oid = i.indrelid
     WHERE t.relname = ANY($1) AND t.relnamespace = 'public'::regnamespace AND NOT c.relispartition
       AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid)
     ORDER BY t.relname, c.relname`,
    [TABLES],
  );
  return rows;
}

export async function dropSecondaryIndexes(db: pg.ClientBase): Promise<IndexDefinition[]> {
  const indexes = await secondaryIndexes(db);
  for (const index of indexes) await db.query(`DROP INDEX ${index.name}`);
  return indexes;
}

/**
 * The statement that builds the index again. On a partitioned table pg_get_indexdef prints
 * `ON ONLY`, which would build the parent's index alone; without ONLY it is built on every
 * partition, as the migration built it.
 */
export function rebuildStatement(index: IndexDefinition): string {
  return index.definition.replace(/ ON ONLY /, ' ON ');
}
