import { hkdfSync, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Settings } from './settings.js';

/** Keys derived from the master secret, one per purpose, so no key is used for two jobs. */
export interface Secrets {
  /** HMAC key for one-time codes at rest. */
  otpKey: Buffer;
  /** AES-256-GCM key that seals signing private keys at rest. */
  keyEncryptionKey: Buffer;
  /** AES-256-GCM key that seals DRS action tokens until the journey's end is reported. */
  actionTokenKey: Buffer;
  /** HMAC key for device identities at rest (trusted devices, journeys, sessions, risk evaluations). */
  deviceKey: Buffer;
}

function derive(master: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `ciam/${purpose}`, 32));
}

/**
 * The master secret comes from CIAM_MASTER_KEY; outside production, when it is unset, one is
 * generated once into the data directory so codes and keys survive a restart.
 */
export function loadSecrets(settings: Settings): Secrets {
  let master: Buffer;
  if (settings.masterKey) {
    master = Buffer.from(settings.masterKey, 'base64');
  } else {
    const file = join(settings.dataDir, 'master.key');
    if (!existsSync(file)) {
      mkdirSync(settings.dataDir, { recursive: true });
      writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    }
    master = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
  }
  return {
    otpKey: derive(master, 'otp-hmac'),
    keyEncryptionKey: derive(master, 'signing-key-encryption'),
    actionTokenKey: derive(master, 'drs-action-token'),
    deviceKey: derive(master, 'device-id-hmac'),
  };
}
