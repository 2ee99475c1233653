import type { ErrorBody, StepAnswer } from '../api/client';

/**
 * What each screen of the login journey hands back: the service's next answer (tokens or the
 * next step), or an error that ends the journey and returns the customer to the password.
 */
export interface JourneyHandlers {
  next(answer: StepAnswer): void;
  fail(error: ErrorBody): void;
  restart(): void;
}

export type MfaRequired = Extract<StepAnswer, { response_type_code: 'MFA_REQUIRED' }>;
export type EsignRequired = Extract<StepAnswer, { response_type_code: 'ESIGN_REQUIRED' }>;
export type DeviceBindRequired = Extract<StepAnswer, { response_type_code: 'DEVICE_BIND_REQUIRED' }>;

/** The MFA method the customer chose, kept to ask again after a wrong code. */
export interface MfaChoice {
  method: 'sms' | 'voice' | 'push';
  mfaOptionId?: number;
  last4?: string;
}
