import Bowser from 'bowser';
import { sha256Hex } from './secrets.js';

export type DeviceType = 'BROWSER' | 'MOBILE_APP' | 'TABLET' | 'DESKTOP_APP';

export interface DeviceDescription {
  name: string;
  type: DeviceType;
}

export function fingerprintHash(deviceIdentity: string): string {
  return sha256Hex(deviceIdentity);
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
