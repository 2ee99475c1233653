import type { RequestOrigin } from '../audit/record.js';

/** What POST /auth/login brings to the journey. */
export interface LoginRequest {
  username: string;
  password: string;
  transmitAid: string;
  contextId?: string;
  drsActionToken?: string;
  deviceFingerprint?: string;
  appId: string;
  appVersion: string;
  origin: RequestOrigin;
}
