import type { PushMessage, PushSender } from './port.js';
import { deliver } from './http-delivery.js';
import { pushSignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './push-signature.js';
import type { WebhookPushSettings } from '../../config/push-webhook.js';

/**
 * Push approval requests as a signed JSON webhook to the bank's push gateway. The body names the
 * choices the phone offers, never which one the browser shows: matching is the customer's job.
 * Each attempt is signed afresh (new timestamp) over the same body and carries the step's
 * transaction id as Idempotency-Key. Throws ProviderUnavailableError when not accepted.
 */
export class WebhookPushSender implements PushSender {
  constructor(
    private readonly settings: WebhookPushSettings,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async sendPush(message: PushMessage): Promise<void> {
    // Fields picked one by one: the message also holds the browser's number, which a phone must not see.
    const body = JSON.stringify({
      cupid: message.cupid,
      context_id: message.contextId,
      transaction_id: message.transactionId,
      number_choices: message.numberChoices,
      approval_secret: message.approvalSecret,
      expires_at: message.expiresAt.toISOString(),
    });
    await deliver(
      {
        provider: 'push-gateway',
        label: 'POST push webhook',
        method: 'POST',
        url: this.settings.url,
        headers: () => {
          const timestamp = String(Math.floor(this.now().getTime() / 1000));
          return {
            'content-type': 'application/json',
            [TIMESTAMP_HEADER]: timestamp,
            [SIGNATURE_HEADER]: pushSignature(this.settings.secret, timestamp, body),
          };
        },
        body,
        idempotency: { header: 'Idempotency-Key', key: message.transactionId },
      },
      this.settings.retry,
    );
  }
}
