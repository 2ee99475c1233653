import type { CodeMessage, CodeSender, PushMessage, PushSender } from './port.js';

export interface OutboxMessage {
  channel: 'sms' | 'voice' | 'push';
  cupid: string;
  transaction_id: string;
  /** Push only: the journey, as the real push payload carries it (the phone's approve call needs it). */
  context_id?: string;
  code?: string;
  display_number?: number;
  approval_secret?: string;
  created_at: string;
}

/**
 * The development stand-in for SMS, voice and push: messages are kept in memory (the newest
 * 1,000) and shown by GET /dev/outbox. Never enabled in production mode.
 */
export class DevOutbox implements CodeSender, PushSender {
  private readonly messages: OutboxMessage[] = [];
  constructor(private readonly capacity = 1000) {}

  async sendCode(message: CodeMessage): Promise<void> {
    this.add({ channel: message.channel, cupid: message.cupid, transaction_id: message.transactionId, code: message.code });
  }

  async sendPush(message: PushMessage): Promise<void> {
    this.add({
      channel: 'push',
      cupid: message.cupid,
      transaction_id: message.transactionId,
      context_id: message.contextId,
      display_number: message.displayNumber,
      approval_secret: message.approvalSecret,
    });
  }

  /** Newest first. */
  list(cupid?: string): OutboxMessage[] {
    return this.messages.filter((m) => !cupid || m.cupid === cupid).reverse();
  }

  private add(message: Omit<OutboxMessage, 'created_at'>): void {
    this.messages.push({ ...message, created_at: new Date().toISOString() });
    if (this.messages.length > this.capacity) this.messages.shift();
  }
}
