import { isPageCursor } from '../page-cursor.js';

/**
 * What the service accepts as text, dates and cursors, decided once at the edge (ajv formats and
 * shared schema fragments) so that nothing PostgreSQL would refuse — a NUL, a lone surrogate, the
 * year 0000, an offset beyond ±15:59 — reaches a query and comes back as a 503.
 */

// Control characters (C0, DEL, C1) and lone surrogates; a well-formed surrogate pair is one code point.
const NOT_PLAIN_TEXT = /[\p{Cc}\p{Cs}]/u;

function isPlainText(value: string): boolean {
  return !NOT_PLAIN_TEXT.test(value);
}

/**
 * A header value as HTTP/1.1 can carry it (RFC 9110 §5.5: visible ASCII, space, tab and the
 * obs-text bytes 0x80–0xFF, which Node reads as Latin-1). Not the `text` rule: a UTF-8 user agent
 * read as Latin-1 legitimately holds C1 code points, and a NUL or anything above U+00FF can only
 * come from a caller that bypassed the HTTP parser.
 */
export const HEADER_TEXT_PATTERN = '^[\\t\\x20-\\x7e\\x80-\\xff]*$';
const HEADER_TEXT = new RegExp(HEADER_TEXT_PATTERN);

export function isHeaderText(value: string): boolean {
  return HEADER_TEXT.test(value);
}

/** Custom ajv formats (registered in app.ts); `text` is the format of every stored string. */
export const inputFormats = {
  text: { type: 'string', validate: isPlainText },
  'page-cursor': { type: 'string', validate: isPageCursor },
} as const;

/** A string that may be stored or sent to SQL: well-formed Unicode, no control characters, bounded. */
export function text(maxLength: number, more: Record<string, unknown> = {}) {
  return { type: 'string', format: 'text', maxLength, ...more } as const;
}

/**
 * RFC 3339 as PostgreSQL's timestamptz reads it: years 0001–9999, offsets up to ±14:00 (the
 * widest in use; PostgreSQL refuses ±16:00), an upper-case T and Z, and no leap second (PostgreSQL
 * refuses 23:59:60 with a fraction). `format: date-time` still checks the calendar (no 30 February).
 */
const TIMESTAMP_PATTERN = '^(?!0000)\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:0\\d|1[0-3]):[0-5]\\d|[+-]14:00)$';

export function timestamp(description: string) {
  return { type: 'string', format: 'date-time', pattern: TIMESTAMP_PATTERN, maxLength: 40, description } as const;
}

export const pageCursor = {
  type: 'string',
  format: 'page-cursor',
  maxLength: 200,
  description: 'next_cursor of the previous page, as given.',
} as const;
