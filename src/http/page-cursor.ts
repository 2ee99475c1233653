import { CiamError } from '../errors/catalogue.js';
import { isUuid } from '../security/uuid.js';
import type { PagePosition } from '../agent/agent-reads.js';

// The only shapes encodeCursor writes: microsecond UTC text (agent-views.ts isoMicros) and a uuid.
const AT = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;

/** An opaque keyset cursor: the position of the last row of the previous page. */
function encodeCursor(p: PagePosition): string {
  return Buffer.from(`${p.at}|${p.id}`).toString('base64url');
}

/** The position a cursor holds, or undefined when this service could not have produced it. */
function parseCursor(cursor: string): PagePosition | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(cursor)) return undefined;
  const parts = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  if (parts.length !== 2) return undefined;
  const [at, id] = parts as [string, string];
  if (!AT.test(at) || !isUuid(id) || Number.isNaN(Date.parse(at))) return undefined;
  return { at, id };
}

/** The `page-cursor` format of the query schemas: the edge refuses a cursor before any query. */
export function isPageCursor(cursor: string): boolean {
  return parseCursor(cursor) !== undefined;
}

/** Throws CIAM_E01_05_001 for a cursor this service did not produce (the schema refuses it first). */
export function decodeCursor(cursor: string | undefined): PagePosition | undefined {
  if (cursor === undefined) return undefined;
  const position = parseCursor(cursor);
  if (!position) throw new CiamError('CIAM_E01_05_001', { body: { field: 'cursor' } });
  return position;
}

/** The next page's cursor when this page was full. */
export function nextCursor<T>(rows: T[], limit: number, position: (row: T) => PagePosition): string | null {
  const last = rows[rows.length - 1];
  return rows.length === limit && last ? encodeCursor(position(last)) : null;
}
