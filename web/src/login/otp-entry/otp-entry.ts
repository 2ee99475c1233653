import { verifyOtp, type Challenge } from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, field, h, notice, show } from '../../ui/dom';
import type { JourneyHandlers, MfaChoice } from '../journey';

/**
 * OTP_VERIFY_REQUIRED: the customer types the code. A wrong code answers 400 CIAM_E01_01_017
 * with the retry step's transaction_id; that step is initiated again with the same method (a new
 * code is sent) and the screen comes back with the reason. Too many wrong codes end the journey
 * with CIAM_E01_01_005 (MFA locked). `resend` initiates the retry step (the MFA choice screen owns
 * that call) and answers the error code when it failed but the journey goes on.
 */
export function otpEntryScreen(
  contextId: string,
  challenge: Challenge,
  choice: MfaChoice,
  handlers: JourneyHandlers,
  resend: (retryTransactionId: string) => Promise<string | undefined>,
  message?: string,
): void {
  const code = h('input', {
    name: 'code',
    inputmode: 'numeric',
    autocomplete: 'one-time-code',
    pattern: '[0-9]{6}',
    maxlength: 6,
    required: true,
    spellcheck: 'false',
  });
  const error = h('div', { class: 'messages' }, message ? notice('error', message) : null);
  const sentTo = choice.method === 'voice' ? text.otp.sentVoice(choice.last4 ?? '') : text.otp.sentSms(choice.last4 ?? '');
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'otp-title' },
    h('h1', { id: 'otp-title' }, text.otp.title),
    error,
    h('p', {}, sentTo),
    field(text.otp.code, code, text.otp.codeHint),
    h('button', { type: 'submit', class: 'primary' }, text.otp.submit),
    h('button', { type: 'button', class: 'link', onclick: () => handlers.restart() }, text.login.startAgain),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      const answer = await verifyOtp(contextId, challenge.transaction_id, code.value.trim());
      if (answer.ok) return handlers.next(answer.data);
      const { error_code, transaction_id } = answer.error;
      if (error_code === 'CIAM_E01_01_017' && transaction_id) {
        const failed = await resend(transaction_id);
        if (failed) error.replaceChildren(notice('error', errorMessage(failed)));
        return;
      }
      if (error_code === 'CIAM_E01_05_001') {
        error.replaceChildren(notice('error', errorMessage(error_code)));
        code.focus();
        return;
      }
      handlers.fail(answer.error);
    });
  });
  show(form);
  code.focus();
}
