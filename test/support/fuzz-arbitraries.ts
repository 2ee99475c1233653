import fc from 'fast-check';

/**
 * fast-check arbitraries for the input fuzz suite: values built from an operation's JSON schema
 * (valid and near-valid), and hostile ones (wrong types, nulls, huge strings, control characters,
 * lone surrogates, NUL, dates and UUIDs PostgreSQL or the contract would refuse).
 */

export interface JsonSchema {
  type?: string | string[];
  enum?: unknown[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  items?: JsonSchema;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
}

/** Values a live journey or session supplies for a field, by field name. */
export type LiveValues = Record<string, unknown>;

const oddDates = [
  '0000-01-01T00:00:00Z',
  '2024-01-01T00:00:00+20:00',
  '2024-06-30T12:00:00-16:00',
  '2024-02-30T00:00:00Z',
  '2016-12-31T23:59:60Z',
  '9999-12-31T23:59:59.999999999-14:00',
  '0001-01-01T00:00:00+14:00',
  '-000001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00Z',
  '2024-01-01',
  '2024-01-01 00:00:00',
  '2024-01-01t00:00:00z',
  'infinity',
  '1e309',
];

const oddUuids = [
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  'FFFFFFFF-FFFF-4FFF-BFFF-FFFFFFFFFFFF',
  '{12345678-1234-4234-8234-123456789012}',
  '12345678123442348234123456789012',
  '-'.repeat(36),
  'g'.repeat(36),
];

const nasty = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'x\udfffy',
  '\ud83d',
  '\u0007\u001b[31m',
  '\u007f\u0085\u009f',
  '\r\n\t',
  '\u202eevil',
  '\ufeff',
  '\uffff\ufffe',
  '𝕏😀👩‍👩‍👧',
  "' OR '1'='1",
  '"; DROP TABLE sessions; --',
  '\\',
  '%00',
  '${jndi:ldap://127.0.0.1/a}',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  '1e999',
  'NaN',
];

export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...nasty, ...oddDates, ...oddUuids),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }).map((s) => `${s}\u0000${s}`),
  fc.constantFrom(3_000, 70_000).map((n) => 'x'.repeat(n)),
  fc.constantFrom(600, 5_000).map((n) => 'é'.repeat(n)),
);

export const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileString },
  fc.constantFrom(null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, [], {}, [null], { $ne: null }, ['a', 'b']),
  fc.integer(),
  fc.double(),
  fc.array(fc.string(), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 3 }),
);

/** A value the schema admits (or nearly: a generated pattern may still miss a format). */
export function validValue(schema: JsonSchema, name: string, live: LiveValues): fc.Arbitrary<unknown> {
  if (name in live) {
    const known = live[name];
    return Array.isArray(known) ? fc.constantFrom(...known) : fc.constant(known);
  }
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.integer({ min: schema.minimum ?? -1_000, max: schema.maximum ?? 1_000 });
    case 'number':
      return fc.double({ noNaN: true });
    case 'array':
      return fc.array(validValue(schema.items ?? {}, `${name}[]`, live), { maxLength: Math.min(schema.maxItems ?? 5, 5) });
    case 'object':
      return validRecord(schema, live);
    default:
      return validString(schema);
  }
}

function validString(schema: JsonSchema): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = Math.max(min, Math.min(schema.maxLength ?? 40, 40));
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'date-time') {
    return fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString());
  }
  if (schema.format === 'page-cursor') {
    return fc
      .tuple(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2100-01-01T00:00:00Z'), noInvalidDate: true }), fc.uuid())
      .map(([d, id]) => Buffer.from(`${d.toISOString().replace('Z', '000Z')}|${id}`).toString('base64url'));
  }
  if (schema.pattern) {
    const within = (s: string) => s.length >= min && s.length <= (schema.maxLength ?? Infinity);
    return fc.stringMatching(new RegExp(schema.pattern)).filter(within);
  }
  return fc.string({ minLength: min, maxLength: max, unit: 'grapheme' });
}

/** A valid object for the schema (the live values where known). */
export function validRecord(schema: JsonSchema, live: LiveValues): fc.Arbitrary<Record<string, unknown>> {
  const props = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(props).map(([key, s]) => [key, validValue(s, key, live)]));
  return fc.record(model, { requiredKeys: schema.required ?? [] }) as fc.Arbitrary<Record<string, unknown>>;
}

const extraKeys = fc.oneof(
  fc.constantFrom('__proto__', 'constructor', 'prototype', 'cupid', 'revoked_by', 'app_id', 'app_version', 'transaction_id', 'method', ''),
  fc.string({ unit: 'binary', maxLength: 10 }),
);

/** Characters PostgreSQL or the contract refuse inside otherwise ordinary text. */
const poisons = ['\u0000', '\ud800', '\udfff', '\u0007', '\u001b', '\u007f', '\u0085', '\n'];

/**
 * A change to one valid object: a field made hostile, a valid string with one poisoned character
 * (near-valid: it passes a type check and only PostgreSQL would notice), a field left out, or a
 * field the schema does not list.
 */
export type Mutation =
  | { kind: 'set'; key: string; value: unknown }
  | { kind: 'poison'; key: string; char: string; at: number }
  | { kind: 'drop'; key: string }
  | { kind: 'extra'; key: string; value: unknown };

export function mutations(keys: string[], maxLength = 2): fc.Arbitrary<Mutation[]> {
  const known = keys.length > 0 ? keys : ['_'];
  const key = fc.constantFrom(...known);
  const one: fc.Arbitrary<Mutation> = fc.oneof(
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('set' as const), key, value: hostileValue }) },
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('poison' as const), key, char: fc.constantFrom(...poisons), at: fc.nat(64) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), key }) },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('extra' as const), key: extraKeys, value: hostileValue }) },
  );
  return fc.array(one, { minLength: 1, maxLength });
}

/** The object with the mutations applied (`__proto__` and friends as own properties, as JSON.parse makes them). */
export function applyMutations(valid: Record<string, unknown>, changes: Mutation[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const put = (k: string, v: unknown) => Object.defineProperty(out, k, { value: v, enumerable: true, writable: true, configurable: true });
  for (const [k, v] of Object.entries(valid)) put(k, v);
  for (const change of changes) {
    if (change.kind === 'drop') delete out[change.key];
    else if (change.kind === 'poison') {
      const current = typeof out[change.key] === 'string' ? (out[change.key] as string) : 'text';
      const at = change.at % (current.length + 1);
      put(change.key, current.slice(0, at) + change.char + current.slice(at));
    } else put(change.key, change.value);
  }
  return out;
}

/** Raw request bodies no JSON encoder would produce, each with the content type it is sent as. */
export const rawPayload: fc.Arbitrary<{ payload: string; contentType: string }> = fc.oneof(
  fc.record({
    payload: fc.constantFrom('', '{', '{"a":', 'nul', '{"__proto__":{"admin":true}}', '{"constructor":{"prototype":{"x":1}}}', '[]', '"\\ud800"', '{"a":"\\u0000"}', '\u0000', ' '),
    contentType: fc.constant('application/json'),
  }),
  fc.record({
    payload: fc.constantFrom('', 'username=a&password=b', '<xml/>', '{}', '--x\r\n\r\n--x--'),
    contentType: fc.constantFrom(
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/json; charset=latin1',
      'application/jsonx',
      '*/*',
      '',
    ),
  }),
);

/** A header value as a client without an HTTP parser in the way could send it. */
export const hostileHeader: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom('', ' ', 'a'.repeat(9_000), 'Bearer', 'Bearer ', 'Basic Zm9vOmJhcg==', 'null', '\u0000', 'x\u0000y', '\ud800', '\u00ff\u0085', '𝕏', ...oddUuids),
  fc.string({ unit: 'binary', maxLength: 30 }),
);

/** Percent-encodes a path segment or query value, lone surrogates included (as invalid UTF-8). */
export function encodeComponent(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return [...value].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}
