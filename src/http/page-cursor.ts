import { CiamError } from '../errors/catalogue.js';
import type { PagePosition } from '../store/queries/agent-views.js';

/** An opaque keyset cursor: the position of the last row of the previous page. */
export function encodeCursor(p: PagePosition): string {
  return Buffer.from(`${p.at}|${p.id}`).toString('base64url');
}

/** Throws CIAM_E01_05_001 for a cursor this service did not produce. */
export function decodeCursor(cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) return undefined;
  const [at, id] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (!at || !id || Number.isNaN(Date.parse(at)) || !/^[0-9a-f-]{36}$/i.test(id)) throw new CiamError('CIAM_E01_05_001');
  return { at, id };
}

/** The next page's cursor when this page was full. */
export function nextCursor<T>(rows: T[], limit: number, position: (row: T) => PagePosition): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last ? encodeCursor(position(last)) : null;
}
