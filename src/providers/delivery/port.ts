/**
 * Delivery of one-time codes (SMS, voice) and push approvals to the customer's phone.
 * Production: HTTP providers; development: the dev outbox. A failed delivery throws
 * ProviderUnavailableError; the step stays usable for asking again.
 */
export interface CodeSender {
  sendCode(message: CodeMessage): Promise<void>;
}

export interface PushSender {
  sendPush(message: PushMessage): Promise<void>;
}

export interface CodeMessage {
  channel: 'sms' | 'voice';
  cupid: string;
  /** The step the code belongs to; also the provider idempotency key. */
  transactionId: string;
  phoneNumber: string;
  code: string;
}

export interface PushMessage {
  cupid: string;
  contextId: string;
  transactionId: string;
  /**
   * The numbers the phone offers; one of them is the one shown in the browser. The phone is not
   * told which — matching is the customer's job.
   */
  numberChoices: number[];
  /** One-time secret the phone must send back with its approval; only the phone receives it. */
  approvalSecret: string;
  expiresAt: Date;
}
