/**
 * Delivery of one-time codes (SMS, voice) and push approvals to the customer's phone.
 * Production: HTTP providers; development: the dev outbox. A failed delivery throws
 * ProviderUnavailableError (the provider is unhealthy; the journey offers a fresh step), a
 * DeliveryUnconfirmedError (sent, answer lost: the step stays, its code may arrive) or a
 * ProviderRefusedError (the provider refused this phone or request; `permanent`: that phone is
 * withdrawn from the journey).
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
  /** The step the code belongs to (the idempotency key of providers that have one; Twilio has none). */
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
  /**
   * The number the browser shows. Read only by the development outbox, which stands in for the
   * customer's eyes; an adapter that reaches a phone must never send it.
   */
  displayNumber: number;
  /** One-time secret the phone must send back with its approval; only the phone receives it. */
  approvalSecret: string;
  expiresAt: Date;
}
