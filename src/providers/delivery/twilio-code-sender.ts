import type { CodeMessage, CodeSender } from './port.js';
import { deliver, type HttpAnswer } from './http-delivery.js';
import type { TwilioSettings } from './twilio-settings.js';

const API_VERSION = '2010-04-01';
export const TWILIO_IDEMPOTENCY_HEADER = 'I-Twilio-Idempotency-Token';

/**
 * One-time codes by SMS (Messages resource) and by voice call (Calls resource, the code read out
 * from inline TwiML) through Twilio's REST API. The step's transaction id is the idempotency
 * token of every attempt. Throws ProviderUnavailableError when the message is not accepted.
 */
export class TwilioCodeSender implements CodeSender {
  private readonly authorization: string;

  constructor(private readonly settings: TwilioSettings) {
    this.authorization = `Basic ${Buffer.from(`${settings.accountSid}:${settings.authToken}`).toString('base64')}`;
  }

  async sendCode(message: CodeMessage): Promise<void> {
    const [resource, form] =
      message.channel === 'sms' ? ['Messages.json', this.smsForm(message)] : ['Calls.json', this.callForm(message)];
    await deliver(
      {
        provider: 'twilio',
        label: `POST ${resource}`,
        method: 'POST',
        url: `${this.settings.baseUrl}/${API_VERSION}/Accounts/${encodeURIComponent(this.settings.accountSid)}/${resource}`,
        headers: {
          authorization: this.authorization,
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
        },
        body: form.toString(),
        idempotency: { header: TWILIO_IDEMPOTENCY_HEADER, key: message.transactionId },
      },
      this.settings.retry,
      twilioErrorCode,
    );
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

/** Twilio's numeric error code only: its message text may quote the phone number. */
function twilioErrorCode(answer: HttpAnswer): string | undefined {
  try {
    const code = (JSON.parse(answer.text) as { code?: unknown }).code;
    return typeof code === 'number' ? `Twilio error ${code}` : undefined;
  } catch {
    return undefined;
  }
}
