import { SettingsError, type Env } from '../config/settings.js';

/**
 * Reading a production adapter's own settings from the raw environment. Each reader throws
 * SettingsError naming the variable, so a misconfigured adapter stops the service at start-up
 * rather than failing the first customer who needs it.
 */

export function requiredString(env: Env, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new SettingsError(`${name} is required.`);
  return value;
}

export function optionalString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

export function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw) || Number.parseInt(raw, 10) < 1) {
    throw new SettingsError(`${name} must be a positive whole number.`);
  }
  return Number.parseInt(raw, 10);
}

export function nonNegativeInt(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  if (!/^\d+$/.test(raw)) throw new SettingsError(`${name} must be a whole number (0 or more).`);
  return Number.parseInt(raw, 10);
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A base URL that will carry credentials or one-time secrets: HTTPS, except to this machine
 * (local peers in tests and development). Returned without a trailing slash.
 */
export function httpsUrl(env: Env, name: string, fallback?: string): string {
  const raw = env[name]?.trim() || fallback;
  if (!raw) throw new SettingsError(`${name} is required.`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new SettingsError(`${name} must be an absolute URL.`);
  }
  const local = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !local) throw new SettingsError(`${name} must be an https:// URL.`);
  if (url.username || url.password) throw new SettingsError(`${name} must not carry credentials in the URL.`);
  return url.toString().replace(/\/+$/, '');
}
