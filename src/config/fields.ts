import { z } from 'zod';

/**
 * The field types every settings schema is built from, written once so each variable of a kind
 * reads the same way: surrounding blanks are ignored, an empty variable counts as unset (a
 * deployment template often writes `NAME=` for "none"), and a refusal names the variable and
 * says what is wrong. Never the value of a text field: it may be a secret.
 */

export type Env = Record<string, string | undefined>;

export class SettingsError extends Error {
  override name = 'SettingsError';
}

/** The raw text of a variable: trimmed, blank → undefined. */
const raw = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

/**
 * Every message below is the rest of a sentence whose subject is the variable (`… is required.`),
 * so `readEnv` can put the name in front of it.
 */
function refuse(ctx: z.RefinementCtx, message: string): never {
  ctx.addIssue({ code: z.ZodIssueCode.custom, message });
  return z.NEVER;
}

function lengthProblem(value: string, { minLength, maxLength }: Length): string | undefined {
  if (minLength !== undefined && value.length < minLength) return `must be at least ${minLength} characters.`;
  if (maxLength !== undefined && value.length > maxLength) return `must be at most ${maxLength} characters.`;
  return undefined;
}

interface Length {
  minLength?: number;
  maxLength?: number;
}

/** Free text; unset → undefined. `minLength` for keys and tokens whose strength depends on it. */
export function optionalText(length: Length = {}) {
  return raw.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const problem = lengthProblem(value, length);
    return problem ? refuse(ctx, problem) : value;
  });
}

export function text(fallback: string, length: Length = {}) {
  return optionalText(length).transform((value) => value ?? fallback);
}

/** Text that must be set; `missing` completes the sentence when it is not (default `is required.`). */
export function requiredText(options: Length & { missing?: string } = {}) {
  return optionalText(options).transform((value, ctx) => value ?? refuse(ctx, options.missing ?? 'is required.'));
}

/** Comma-separated list, blanks dropped. */
export function list(fallback = '') {
  return raw.transform((value) => csv(value ?? fallback));
}

export function csv(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `true` or `false` (any case). */
export function flag(fallback: boolean) {
  return raw.transform((value, ctx) => {
    if (value === undefined) return fallback;
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    return refuse(ctx, `must be true or false, got "${value}".`);
  });
}

/** One of a fixed set of words (any case); the set's own spelling is returned. */
export function oneOf<const T extends string>(values: readonly T[], fallback: T) {
  return raw.transform((value, ctx): T => {
    if (value === undefined) return fallback;
    const match = values.find((v) => v.toLowerCase() === value.toLowerCase());
    return match ?? refuse(ctx, `must be one of ${values.join(', ')}, got "${value}".`);
  });
}

/**
 * A whole number in decimal digits (no sign, fraction, exponent or hex), within [min, max].
 * Also every duration: the variable's name carries the unit (`_MS`, `_SECONDS`, `_DAYS`).
 */
export function optionalWholeNumber({ min = 1, max = Number.MAX_SAFE_INTEGER }: { min?: number; max?: number } = {}) {
  return raw.transform((value, ctx) => {
    if (value === undefined) return undefined;
    const n = /^\d+$/.test(value) ? Number.parseInt(value, 10) : Number.NaN;
    if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
    const range =
      max !== Number.MAX_SAFE_INTEGER
        ? `a whole number from ${min} to ${max}`
        : min === 1
          ? 'a positive whole number'
          : min === 0
            ? 'a whole number (0 or more)'
            : `a whole number of at least ${min}`;
    return refuse(ctx, `must be ${range}, got "${value}".`);
  });
}

export function wholeNumber(fallback: number, range: { min?: number; max?: number } = {}) {
  return optionalWholeNumber(range).transform((n) => n ?? fallback);
}

export const positiveInt = (fallback: number) => wholeNumber(fallback, { min: 1 });
export const nonNegativeInt = (fallback: number) => wholeNumber(fallback, { min: 0 });

/** An absolute URL of any scheme (database and Redis connection strings, issuers); unset → undefined. */
export function optionalUrl() {
  return raw.transform((value, ctx) => {
    if (value === undefined) return undefined;
    return URL.canParse(value) ? value : refuse(ctx, 'must be an absolute URL.');
  });
}

export function url(fallback: string) {
  return optionalUrl().transform((value) => value ?? fallback);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** Plain HTTP is allowed only to this machine: local peers in tests and development. */
export function isLoopback(url: URL): boolean {
  return LOOPBACK_HOSTS.has(url.hostname);
}

/**
 * A base URL that will carry credentials or one-time secrets: HTTPS, except to this machine.
 * Returned without a trailing slash. Unset → `fallback`, or refused when there is none.
 */
export function httpsUrl(fallback?: string) {
  return raw.transform((value, ctx) => {
    const given = value ?? fallback;
    if (given === undefined) return refuse(ctx, 'is required.');
    if (!URL.canParse(given)) return refuse(ctx, 'must be an absolute URL.');
    const parsed = new URL(given);
    if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && isLoopback(parsed))) return refuse(ctx, 'must be an https:// URL.');
    if (parsed.username || parsed.password) return refuse(ctx, 'must not carry credentials in the URL.');
    return parsed.toString().replace(/\/+$/, '');
  });
}

/**
 * Parses `env` with a schema of the fields above; the first problem becomes a SettingsError that
 * names the variable (`CIAM_LDAP_TIMEOUT_MS must be a positive whole number, got "0".`).
 */
export function readEnv<S extends z.ZodTypeAny>(schema: S, env: Env): z.output<S> {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new SettingsError(`${issue.path.join('.')} ${issue.message}`);
}

/** A production-only refusal: every development part and every missing secret. */
export function refuseInProduction(what: string): never {
  throw new SettingsError(`Refusing to start in production: ${what}`);
}
