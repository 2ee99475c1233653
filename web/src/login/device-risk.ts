import { pageConfig } from '../config';

/**
 * The `drs_action_token` sent with the password. In production the bank's device-risk SDK
 * (Transmit Security DRS) produces it: wire the SDK's `triggerActionEvent('login')` in here.
 * In development the DRS simulator reads `sim:<allow|challenge|deny|trust>:<device id>`, chosen on
 * the login form; the device id is this browser's, kept in localStorage (an identifier, not a
 * credential), so a device trusted once is recognised at the next sign-in.
 */
const DEVICE_KEY = 'ciam-dev-device-id';

export function devDeviceId(): string {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = `browser-${crypto.randomUUID().slice(0, 8)}`;
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

export function rememberDevDeviceId(id: string): void {
  localStorage.setItem(DEVICE_KEY, id);
}

export async function drsActionToken(dev?: { risk: string; deviceId: string }): Promise<string | undefined> {
  if (pageConfig().devMode && dev) return `sim:${dev.risk}${dev.deviceId ? `:${dev.deviceId}` : ''}`;
  return undefined;
}
