import type { Settings } from '../config/settings.js';
import type { Agreements } from '../providers/agreements/port.js';
import type { CodeSender, PushSender } from '../providers/delivery/port.js';
import type { Directory } from '../providers/directory/port.js';
import type { DeviceRisk } from '../providers/risk/port.js';
import type { SessionOpener } from '../session/open-session.js';
import type { Database } from '../store/database.js';
import type { IpDenyList } from './ip-deny-list.js';

/** The handful of things a journey needs, passed in once. */
export interface JourneyDeps {
  db: Database;
  settings: Pick<Settings, 'lifetimes' | 'mfaMaxAttempts' | 'mfaLockSeconds' | 'mfaCodesPerHour' | 'pushPollIntervalMs' | 'drsExemptClients'> & {
    providers: Pick<Settings['providers'], 'drs'>;
  };
  otpKey: Buffer;
  /** Seals DRS action tokens until the journey's end is reported (risk-outcome.ts). */
  actionTokenKey: Buffer;
  /** Key of the device-identity HMAC (see src/devices/device-identity.ts). */
  deviceKey: Buffer;
  directory: Directory;
  risk: DeviceRisk;
  codeSender: CodeSender;
  pushSender: PushSender;
  agreements: Agreements;
  sessions: SessionOpener;
  ipDenyList: IpDenyList;
}
