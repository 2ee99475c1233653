import { createHmac } from 'node:crypto';
import Bowser from 'bowser';

export type DeviceType = 'BROWSER' | 'MOBILE_APP' | 'TABLET' | 'DESKTOP_APP';

export interface DeviceDescription {
  name: string;
  type: DeviceType;
}

/**
 * How a device identity is kept everywhere at rest (trusted_devices, auth_contexts, sessions,
 * drs_evaluations): an HMAC-SHA256 under a key derived from the master key, as lower-case hex. A
 * reader of the database can neither recover the identity nor present it: trust is keyed on the
 * identity the device-risk service vouches for, which only that service hands out.
 */
export function deviceKeyHash(key: Buffer, deviceIdentity: string): string {
  return createHmac('sha256', key).update(deviceIdentity).digest('hex');
}

/**
 * A readable name and a type for the customer's device list, from the user agent. A request
 * from the mobile app client counts as the app; otherwise browsers by platform.
 */
export function describeDevice(userAgent: string | undefined, clientId: string | undefined): DeviceDescription {
  const parsed = userAgent ? Bowser.parse(userAgent) : undefined;
  const browser = parsed?.browser.name;
  const os = [parsed?.os.name, parsed?.os.versionName ?? parsed?.os.version].filter(Boolean).join(' ');
  const platform = parsed?.platform.type;
  const isApp = clientId === 'mobile-app';
  const type: DeviceType = isApp ? 'MOBILE_APP' : platform === 'tablet' ? 'TABLET' : 'BROWSER';
  const name = isApp
    ? `Mobile app${os ? ` on ${os}` : ''}`
    : browser
      ? `${browser}${os ? ` on ${os}` : ''}`
      : 'Unknown device';
  return { name: name.slice(0, 200), type };
}
