import type { Queryable } from '../database.js';

export async function hasAcceptedDocument(db: Queryable, cupid: string, documentId: string, version: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'SELECT 1 FROM esign_acceptances WHERE cupid = $1 AND document_id = $2 AND document_version = $3',
    [cupid, documentId, version],
  );
  return (rowCount ?? 0) > 0;
}

export async function insertAcceptance(
  db: Queryable,
  a: { cupid: string; documentId: string; version: string; contextId: string; transactionId: string; ipAddress: string },
): Promise<Date> {
  const { rows } = await db.query<{ accepted_at: Date }>(
    `INSERT INTO esign_acceptances (cupid, document_id, document_version, context_id, transaction_id, ip_address)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (cupid, document_id, document_version) DO UPDATE SET accepted_at = esign_acceptances.accepted_at
     RETURNING accepted_at`,
    [a.cupid, a.documentId, a.version, a.contextId, a.transactionId, a.ipAddress],
  );
  return rows[0]!.accepted_at;
}
