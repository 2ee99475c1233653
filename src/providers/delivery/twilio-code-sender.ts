import { ProviderRefusedError, ProviderUnavailableError, type RefusalReason } from '../errors.js';
import type { CodeMessage, CodeSender } from './port.js';
import { requestWithRetry, type HttpAnswer } from './http-delivery.js';
import type { TwilioSettings } from '../../config/twilio.js';

const API_VERSION = '2010-04-01';
const PROVIDER = 'twilio';

/**
 * Twilio's documented error codes that are about the recipient: asking again will not help, so the
 * phone is withdrawn for this channel (ProviderRefusedError, permanent; no breaker counts it).
 * https://www.twilio.com/docs/api/errors
 */
const RECIPIENT_REFUSALS: ReadonlyMap<number, RefusalReason> = new Map([
  [21211, 'RECIPIENT_INVALID'], // Invalid 'To' phone number
  [21217, 'RECIPIENT_INVALID'], // Phone number does not appear to be valid (calls)
  [13224, 'RECIPIENT_INVALID'], // Invalid phone number (calls)
  [21614, 'RECIPIENT_UNREACHABLE'], // 'To' number is not a valid mobile number (a landline for SMS)
  [21612, 'RECIPIENT_UNREACHABLE'], // 'To' number is not currently reachable via SMS
  [21610, 'RECIPIENT_OPTED_OUT'], // Attempt to send to an unsubscribed recipient (replied STOP)
  [21216, 'RECIPIENT_OPTED_OUT'], // Account not allowed to call this number (blocked)
  [21408, 'RECIPIENT_REGION_BLOCKED'], // Permission to send an SMS has not been enabled for the region
  [21215, 'RECIPIENT_REGION_BLOCKED'], // Geographic permission for calls to this number not enabled
]);

/**
 * One-time codes by SMS (Messages resource) and by voice call (Calls resource, the code read out
 * from inline TwiML) through Twilio's REST API.
 *
 * Twilio's REST API has no idempotency key: a create repeated after a lost answer creates a second
 * message. So an attempt whose outcome is unknown (timed out or dropped after sending, 500, 502,
 * 504) is never repeated: DeliveryUnconfirmedError, and the journey keeps the step, whose code may
 * well arrive. Retried: a connection never made, 429 (Twilio 20429) and 503, which Twilio answers
 * before it creates anything.
 *
 * Final answers: 2xx delivered; a recipient code above → ProviderRefusedError (permanent); 401,
 * 403 and 404 (our credentials, account or sender) and 429 / 5xx after the retries →
 * ProviderUnavailableError, the only kind the breaker counts; any other 4xx is about this request
 * → ProviderRefusedError (not permanent).
 */
export class TwilioCodeSender implements CodeSender {
  private readonly authorization: string;

  constructor(private readonly settings: TwilioSettings) {
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async sendCode(message: CodeMessage): Promise<void> {
    const [resource, form] =
      message.channel === 'sms' ? ['Messages.json', this.smsForm(message)] : ['Calls.json', this.callForm(message)];
    const label = `POST ${resource}`;
    const answer = await requestWithRetry(
      {
        provider: PROVIDER,
        label,
        method: 'POST',
        url: `${this.settings.baseUrl}/${API_VERSION}/Accounts/${encodeURIComponent(this.settings.accountSid)}/${resource}`,
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
      },
      this.settings.retry,
      'never-unknown',
    );
    if (answer.status >= 200 && answer.status < 300) return;
    throw refusal(answer, label);
  }

  private smsForm(message: CodeMessage): URLSearchParams {
    const form = new URLSearchParams({ To: message.phoneNumber, Body: smsText(message.code) });
    // A messaging service chooses the right sender per destination, so it wins when both are set.
    if (this.settings.messagingServiceSid) form.set('MessagingServiceSid', this.settings.messagingServiceSid);
    else form.set('From', this.settings.from!);
    return form;
  }

  private callForm(message: CodeMessage): URLSearchParams {
    return new URLSearchParams({ To: message.phoneNumber, From: this.settings.voiceFrom, Twiml: voiceTwiml(message.code) });
  }
}

export function smsText(code: string): string {
  return `Your verification code is ${code}. Never share it: we will never ask you for it.`;
}

/**
 * Read digit by digit (a text-to-speech voice says "123456" as a number), twice, because the
 * customer usually picks up mid-sentence.
 */
export function voiceTwiml(code: string): string {
  if (!/^\d+$/.test(code)) throw new Error('A voice code must be digits only.');
  const digits = code.split('').join(', ');
  const say = `<Say>Your verification code is ${digits}.</Say>`;
  return `<?xml version="1.0" encoding="UTF-8"?><Response><Pause length="1"/>${say}<Pause length="1"/>${say}</Response>`;
}

/** What a final answer other than 2xx means. Messages carry Twilio's numeric code, never its text (it may quote the number). */
function refusal(answer: HttpAnswer, label: string): Error {
  const code = twilioErrorCode(answer);
  const detail = `${label} was refused (answered ${answer.status}${code === undefined ? '' : `, Twilio error ${code}`})`;
  const about = code === undefined ? undefined : RECIPIENT_REFUSALS.get(code);
  if (about) return new ProviderRefusedError(PROVIDER, about, true, `${detail}.`);
  if (answer.status === 429 || answer.status >= 500 || [401, 403, 404].includes(answer.status) || answer.status < 400) {
    return new ProviderUnavailableError(PROVIDER, `${detail}.`);
  }
  return new ProviderRefusedError(PROVIDER, 'REQUEST_REFUSED', false, `${detail}.`);
}

function twilioErrorCode(answer: HttpAnswer): number | undefined {
  try {
    const code = (JSON.parse(answer.text) as { code?: unknown }).code;
    return typeof code === 'number' ? code : undefined;
  } catch {
    return undefined;
  }
}
