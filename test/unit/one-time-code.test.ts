import { randomBytes, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { describeDevice, deviceKeyHash } from '../../src/devices/device-identity.js';
import { IpDenyList } from '../../src/journey/ip-deny-list.js';
import { hashOneTimeCode, isUuid, newApprovalSecret, newDisplayNumber, newOneTimeCode, numberChoices, sameDigest, sha256Hex } from '../../src/journey/secrets.js';

describe('one-time codes', () => {
  it('are six digits, leading zeros kept', () => {
    const codes = Array.from({ length: 10_000 }, () => newOneTimeCode());
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    // About 1,000 of 10,000 codes start with 0; they must keep it rather than shrink to five digits.
    expect(codes.filter((c) => c.startsWith('0')).length).toBeGreaterThan(700);
  });

  it('are spread over all digits (10,000 codes: every first digit appears, none dominates)', () => {
    const firstDigits = new Map<string, number>();
    const codes = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const code = newOneTimeCode();
      codes.add(code);
      firstDigits.set(code[0]!, (firstDigits.get(code[0]!) ?? 0) + 1);
    }
    expect([...firstDigits.keys()].sort()).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    for (const count of firstDigits.values()) {
      expect(count).toBeGreaterThan(700);
      expect(count).toBeLessThan(1300);
    }
    // 10,000 draws from a million: a few dozen repeats at most (birthday bound ≈ 50).
    expect(codes.size).toBeGreaterThan(9_850);
  });

  it('are hashed with a key and bound to their step', () => {
    const key = randomBytes(32);
    const step = randomUUID();
    const hash = hashOneTimeCode(key, step, '012345');
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOneTimeCode(key, step, '012345')).toBe(hash);
    // Not a plain digest of the code: without the key nobody can brute-force the million codes.
    expect(hash).not.toBe(sha256Hex('012345'));
    expect(hash).not.toBe(sha256Hex(`${step}:012345`));
    // Another key, another step or another code: another hash.
    expect(hashOneTimeCode(randomBytes(32), step, '012345')).not.toBe(hash);
    expect(hashOneTimeCode(key, randomUUID(), '012345')).not.toBe(hash);
    expect(hashOneTimeCode(key, step, '012346')).not.toBe(hash);
    expect(hashOneTimeCode(key, step, '12345')).not.toBe(hash);
  });
});

describe('sameDigest', () => {
  const a = sha256Hex('a');
  it('is true for equal digests', () => {
    expect(sameDigest(a, sha256Hex('a'))).toBe(true);
    expect(sameDigest(a.toUpperCase(), a)).toBe(true);
  });
  it('is false for different digests of the same length', () => {
    expect(sameDigest(a, sha256Hex('b'))).toBe(false);
  });
  it('is false (and does not throw) for different lengths and empty values', () => {
    expect(sameDigest(a, a.slice(0, 62))).toBe(false);
    expect(sameDigest(a, `${a}00`)).toBe(false);
    expect(sameDigest(a, '')).toBe(false);
    expect(sameDigest('', '')).toBe(false);
    // A step without a stored hash (NULL → '') never matches anything.
    expect(sameDigest(sha256Hex(''), '')).toBe(false);
  });
});

describe('push number matching', () => {
  it('display numbers are 1–99', () => {
    const seen = new Set<number>();
    for (let i = 0; i < 5_000; i++) {
      const n = newDisplayNumber();
      expect(Number.isInteger(n)).toBe(true);
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(99);
      seen.add(n);
    }
    expect(seen.size).toBe(99);
  });

  it('numberChoices holds the displayed number and two others: three distinct values in 1..99', () => {
    const positions = new Set<number>();
    for (let i = 0; i < 2_000; i++) {
      const shown = newDisplayNumber();
      const choices = numberChoices(shown);
      expect(choices).toHaveLength(3);
      expect(new Set(choices).size).toBe(3);
      expect(choices).toContain(shown);
      for (const c of choices) {
        expect(Number.isInteger(c)).toBe(true);
        expect(c).toBeGreaterThanOrEqual(1);
        expect(c).toBeLessThanOrEqual(99);
      }
      positions.add(choices.indexOf(shown));
    }
    // Shuffled: the right number is not always in the same place.
    expect([...positions].sort()).toEqual([0, 1, 2]);
  });

  it('numberChoices works at the edges of the range', () => {
    for (const shown of [1, 99]) expect(numberChoices(shown)).toContain(shown);
  });

  it('approval secrets are 256 random bits, URL-safe, never repeated', () => {
    const secrets = new Set(Array.from({ length: 1_000 }, () => newApprovalSecret()));
    expect(secrets.size).toBe(1_000);
    for (const s of secrets) expect(Buffer.from(s, 'base64url')).toHaveLength(32);
  });

  it('isUuid accepts uuids in either case and nothing else', () => {
    const id = randomUUID();
    expect(isUuid(id)).toBe(true);
    expect(isUuid(id.toUpperCase())).toBe(true);
    expect(isUuid(`${id} `)).toBe(false);
    expect(isUuid('not-a-uuid')).toBe(false);
    expect(isUuid("' OR 1=1 --")).toBe(false);
  });
});

describe('describeDevice', () => {
  const chromeDesktop =
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
  const ipadSafari =
    'Mozilla/5.0 (iPad; CPU OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
  const iphoneApp = 'BankApp/5.2.0 (iPhone; iOS 17.4; Scale/3.00)';

  it('a desktop Chrome is a BROWSER named after the browser and the OS', () => {
    const d = describeDevice(chromeDesktop, 'web-banking');
    expect(d.type).toBe('BROWSER');
    expect(d.name).toMatch(/^Chrome on Windows/);
  });

  it('an iPad Safari is a TABLET', () => {
    const d = describeDevice(ipadSafari, 'web-banking');
    expect(d.type).toBe('TABLET');
    expect(d.name).toMatch(/^Safari on iOS/);
  });

  it('the mobile-app client is a MOBILE_APP, whatever its user agent', () => {
    expect(describeDevice(iphoneApp, 'mobile-app').type).toBe('MOBILE_APP');
    expect(describeDevice(iphoneApp, 'mobile-app').name).toMatch(/^Mobile app/);
    expect(describeDevice(chromeDesktop, 'mobile-app').type).toBe('MOBILE_APP');
    expect(describeDevice(undefined, 'mobile-app')).toEqual({ name: 'Mobile app', type: 'MOBILE_APP' });
  });

  it('no user agent is an unknown browser; names never exceed the column', () => {
    expect(describeDevice(undefined, 'web-banking')).toEqual({ name: 'Unknown device', type: 'BROWSER' });
    expect(describeDevice(`${'x'.repeat(500)} Chrome/124.0`, 'web-banking').name.length).toBeLessThanOrEqual(200);
  });

  it('a device identity is kept as a keyed hash: 64 hex, not its plain SHA-256, different per key', () => {
    const key = randomBytes(32);
    expect(deviceKeyHash(key, 'dev-1')).toMatch(/^[0-9a-f]{64}$/);
    expect(deviceKeyHash(key, 'dev-1')).toBe(deviceKeyHash(key, 'dev-1'));
    expect(deviceKeyHash(key, 'dev-1')).not.toBe(sha256Hex('dev-1'));
    expect(deviceKeyHash(key, 'dev-1')).not.toBe(deviceKeyHash(key, 'dev-2'));
    expect(deviceKeyHash(randomBytes(32), 'dev-1')).not.toBe(deviceKeyHash(key, 'dev-1'));
  });
});

describe('IpDenyList', () => {
  it('an empty list denies nothing', () => {
    expect(new IpDenyList([]).denies('203.0.113.7')).toBe(false);
  });

  it('single IPv4 addresses and IPv4 CIDR ranges', () => {
    const list = new IpDenyList(['203.0.113.7', '198.51.100.0/24']);
    expect(list.denies('203.0.113.7')).toBe(true);
    expect(list.denies('203.0.113.8')).toBe(false);
    expect(list.denies('198.51.100.0')).toBe(true);
    expect(list.denies('198.51.100.255')).toBe(true);
    expect(list.denies('198.51.101.0')).toBe(false);
  });

  it('single IPv6 addresses and IPv6 CIDR ranges', () => {
    const list = new IpDenyList(['2001:db8::1', '2001:db8:abcd::/48']);
    expect(list.denies('2001:db8::1')).toBe(true);
    expect(list.denies('2001:0db8:0000:0000:0000:0000:0000:0001')).toBe(true);
    expect(list.denies('2001:db8::2')).toBe(false);
    expect(list.denies('2001:db8:abcd:ffff::9')).toBe(true);
    expect(list.denies('2001:db8:abce::9')).toBe(false);
  });

  it('an IPv4-mapped IPv6 address (::ffff:a.b.c.d, as a dual-stack socket reports it) matches its IPv4 entry', () => {
    const list = new IpDenyList(['203.0.113.7', '198.51.100.0/24']);
    expect(list.denies('::ffff:203.0.113.7')).toBe(true);
    expect(list.denies('::ffff:198.51.100.42')).toBe(true);
    expect(list.denies('::ffff:203.0.113.8')).toBe(false);
  });

  it('garbage neither matches nor throws; a bad entry is refused at start-up', () => {
    const list = new IpDenyList(['203.0.113.7']);
    expect(list.denies('not an ip')).toBe(false);
    expect(list.denies('')).toBe(false);
    expect(() => new IpDenyList(['203.0.113.300'])).toThrow(/CIAM_IP_DENY_LIST/);
    expect(() => new IpDenyList(['example.com'])).toThrow(/CIAM_IP_DENY_LIST/);
  });
});
