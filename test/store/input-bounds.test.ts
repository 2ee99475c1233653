import AjvCompiler from '@fastify/ajv-compiler';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { requestAjvOptions } from '../../src/http/request-validation.js';
import { text, timestamp } from '../../src/http/schemas/input-formats.js';
import { useTestDatabase } from '../support/test-database.js';

/**
 * What the edge admits, the database stores: every timestamp the request schema accepts is a
 * timestamptz for this engine, and every `text` string goes into a text column and a jsonb
 * value. Checked on both engines with generated values around the edges (years 0001 and 9999,
 * offsets ±14:00, nine fractional digits, leap seconds, astral characters).
 */

const db = useTestDatabase();

const compile = AjvCompiler()({}, requestAjvOptions);
const validTimestamp = compile({ schema: timestamp('under test'), httpPart: 'querystring' });
const validText = compile({ schema: text(500), httpPart: 'body' });

const pad = (n: number, width: number) => String(n).padStart(width, '0');

const candidateTimestamp = fc
  .record({
    year: fc.oneof(fc.constantFrom(0, 1, 2, 1969, 1970, 9999), fc.integer({ min: 0, max: 9999 })),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.oneof(fc.constantFrom(1, 28, 29, 30, 31), fc.integer({ min: 1, max: 31 })),
    hour: fc.oneof(fc.constantFrom(0, 23), fc.integer({ min: 0, max: 23 })),
    minute: fc.oneof(fc.constantFrom(0, 59), fc.integer({ min: 0, max: 59 })),
    second: fc.oneof(fc.constantFrom(0, 59, 60), fc.integer({ min: 0, max: 60 })),
    fraction: fc.oneof(fc.constant(''), fc.stringMatching(/^\.\d{1,9}$/)),
    zone: fc.oneof(
      fc.constantFrom('Z', '+14:00', '-14:00', '+13:59', '-13:59', '+00:00', '-00:00', '+05:30'),
      fc.tuple(fc.constantFrom('+', '-'), fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(
        ([sign, h, m]) => `${sign}${pad(h, 2)}:${pad(m, 2)}`,
      ),
    ),
  })
  .map((p) => `${pad(p.year, 4)}-${pad(p.month, 2)}-${pad(p.day, 2)}T${pad(p.hour, 2)}:${pad(p.minute, 2)}:${pad(p.second, 2)}${p.fraction}${p.zone}`);

describe('what the request schemas admit, the database stores', () => {
  it('the edges of the timestamp format', async () => {
    for (const ok of ['0001-01-01T00:00:00Z', '0001-01-01T00:00:00+14:00', '9999-12-31T23:59:59.999999999-14:00', '2024-02-29T12:00:00+05:30']) {
      expect(validTimestamp(ok), ok).toBe(true);
    }
    for (const refused of ['0000-01-01T00:00:00Z', '2024-01-01T00:00:00+20:00', '2024-01-01T00:00:00+14:01', '2024-01-01t00:00:00z', '2024-02-30T00:00:00Z', '1970-01-01T23:59:60.6Z']) {
      expect(validTimestamp(refused), refused).toBe(false);
    }
  });

  it('every admitted timestamp is a timestamptz', async () => {
    let admitted = 0;
    await fc.assert(
      fc.asyncProperty(candidateTimestamp, async (value) => {
        if (!validTimestamp(value)) return;
        admitted += 1;
        const { rows } = await db.query<{ ok: boolean }>('SELECT $1::timestamptz IS NOT NULL AS ok', [value]);
        expect(rows[0]!.ok).toBe(true);
      }),
      { seed: 20_261_205, numRuns: 300 },
    );
    expect(admitted).toBeGreaterThan(50);
  });

  it('every admitted text string is storable as text and inside jsonb', async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: 'binary', maxLength: 30 }), async (value) => {
        if (!validText(value)) return;
        const { rows } = await db.query<{ t: string; j: { v: string } }>('SELECT $1::text AS t, $2::jsonb AS j', [value, JSON.stringify({ v: value })]);
        expect(rows[0]!.t).toBe(value);
        expect(rows[0]!.j.v).toBe(value);
      }),
      { seed: 20_261_205, numRuns: 300 },
    );
  });
});
