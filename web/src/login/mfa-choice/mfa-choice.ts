import { initiateMfa } from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, h, notice, show, uid } from '../../ui/dom';
import type { JourneyHandlers, MfaChoice, MfaRequired } from '../journey';
import { otpEntryScreen } from '../otp-entry/otp-entry';
import { pushApprovalScreen } from '../push-approval/push-approval';

/** MFA_REQUIRED: the customer picks SMS or voice to one of the masked numbers, or push. */
export function mfaChoiceScreen(step: MfaRequired, handlers: JourneyHandlers, initialError?: string): void {
  const choices: (MfaChoice & { label: string })[] = [
    ...step.otp_methods.flatMap((m) => [
      { method: 'sms' as const, mfaOptionId: m.mfa_option_id, last4: m.value, label: text.mfa.sms(m.value) },
      { method: 'voice' as const, mfaOptionId: m.mfa_option_id, last4: m.value, label: text.mfa.voice(m.value) },
    ]),
    ...(step.mobile_approve_status === 'ENABLED' ? [{ method: 'push' as const, label: text.mfa.push }] : []),
  ];
  const error = h('div', { class: 'messages' });
  if (initialError) error.replaceChildren(notice('error', errorMessage(initialError)));
  const name = uid('mfa');
  const radios = choices.map((choice, i) => {
    const input = h('input', { type: 'radio', name, value: String(i), id: `${name}-${i}`, required: true, checked: i === 0 });
    return h('div', { class: 'choice' }, input, h('label', { for: input.id }, choice.label));
  });
  const form = h(
    'form',
    { class: 'card', 'aria-labelledby': 'mfa-title' },
    h('h1', { id: 'mfa-title' }, text.mfa.title),
    error,
    h('fieldset', { class: 'choices' }, h('legend', {}, text.mfa.intro), ...radios),
    h('button', { type: 'submit', class: 'primary' }, text.mfa.submit),
    h('button', { type: 'button', class: 'link', onclick: () => handlers.restart() }, text.login.startAgain),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const picked = form.querySelector<HTMLInputElement>(`input[name="${name}"]:checked`);
    const choice = choices[Number(picked?.value ?? 0)]!;
    void busy(form, async () => {
      const answer = await sendChallenge(step.context_id, step.transaction_id, choice, handlers);
      if (answer) error.replaceChildren(notice('error', errorMessage(answer)));
    });
  });
  show(form);
}

/**
 * Initiates the chosen method on an MFA_INITIATE step and moves to the code or push screen.
 * Returns the error code when the step failed but the journey goes on (another choice may work).
 */
export async function sendChallenge(contextId: string, transactionId: string, choice: MfaChoice, handlers: JourneyHandlers, notice?: string): Promise<string | undefined> {
  const answer = await initiateMfa(contextId, transactionId, choice.method, choice.mfaOptionId);
  if (!answer.ok) {
    const { error_code, transaction_id, otp_methods, mobile_approve_status } = answer.error;
    if (error_code === 'CIAM_E01_01_009' || error_code === 'CIAM_E05_00_002') return error_code;
    // The phone cannot take codes: the server opened a fresh step offering what is left.
    if (error_code === 'CIAM_E01_01_019' && transaction_id && otp_methods) {
      const next = { response_type_code: 'MFA_REQUIRED', context_id: contextId, transaction_id, otp_methods, mobile_approve_status };
      mfaChoiceScreen(next as MfaRequired, handlers, error_code);
      return undefined;
    }
    handlers.fail(answer.error);
    return undefined;
  }
  if (answer.data.response_type_code === 'PUSH_VERIFY_REQUIRED') pushApprovalScreen(contextId, answer.data, handlers);
  else {
    const resend = (retry: string) => sendChallenge(contextId, retry, choice, handlers, text.otp.resent);
    otpEntryScreen(contextId, answer.data, choice, handlers, resend, notice);
  }
  return undefined;
}
