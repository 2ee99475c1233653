import type { IssuedTokens } from '../session/open-session.js';
import type { MfaOption } from '../store/queries/auth-transactions.js';

/** What a journey call produced; the HTTP layer turns each kind into the contract's body. */
export type JourneyAnswer =
  | {
      kind: 'MFA_REQUIRED';
      contextId: string;
      transactionId: string;
      otpMethods: MfaOption[];
      mobileApproveStatus: 'NOT_REGISTERED' | 'ENABLED' | 'DISABLED';
    }
  | { kind: 'ESIGN_REQUIRED'; contextId: string; transactionId: string; documentId: string }
  | { kind: 'DEVICE_BIND_REQUIRED'; contextId: string; transactionId: string }
  | {
      kind: 'SUCCESS';
      contextId: string;
      tokens: IssuedTokens;
      /** The step whose completion finished the journey, when there was one. */
      transactionId?: string;
    };

export type ChallengeAnswer =
  | { kind: 'OTP_VERIFY_REQUIRED'; transactionId: string; expiresAt: Date }
  | { kind: 'PUSH_VERIFY_REQUIRED'; transactionId: string; expiresAt: Date; displayNumber: number };

export type PollAnswer = JourneyAnswer | { kind: 'MFA_PENDING'; transactionId: string; expiresAt: Date; retryAfterMs: number };
