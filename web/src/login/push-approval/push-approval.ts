import { pollPush, type Challenge } from '../../api/client';
import { pageConfig } from '../../config';
import { text } from '../../messages';
import { h, show } from '../../ui/dom';
import type { JourneyHandlers } from '../journey';

/**
 * PUSH_VERIFY_REQUIRED: the number to tap on the phone is shown, and the step is polled at the
 * interval the service asks for (`retry_after`, ms) until the phone approves (tokens or the next
 * step) or rejects (410, which ends the journey).
 */
export function pushApprovalScreen(contextId: string, challenge: Challenge, handlers: JourneyHandlers): void {
  let stopped = false;
  const status = h('p', { role: 'status', class: 'muted' }, text.push.waiting);
  const config = pageConfig();
  const cupid = config.devMode ? sessionStorage.getItem('ciam-dev-cupid') : null;
  show(
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'push-title' },
      h('h1', { id: 'push-title' }, text.push.title),
      h('p', {}, text.push.instruction),
      h('p', { class: 'display-number', 'aria-label': text.push.numberLabel(challenge.display_number ?? 0) }, String(challenge.display_number ?? '')),
      status,
      h(
        'button',
        {
          type: 'button',
          class: 'secondary',
          onclick: () => {
            stopped = true;
            handlers.restart();
          },
        },
        text.push.cancel,
      ),
      config.devMode
        ? h('p', { class: 'dev-note' }, h('a', { href: `/dev/phone${cupid ? `?cupid=${encodeURIComponent(cupid)}` : ''}`, target: '_blank', rel: 'noopener' }, text.dev.phoneLink))
        : null,
    ),
  );

  const poll = async (): Promise<void> => {
    if (stopped) return;
    const answer = await pollPush(contextId, challenge.transaction_id);
    if (stopped) return;
    if (!answer.ok) {
      // A dropped connection or a rate limit is no verdict: keep waiting.
      if (answer.error.error_code === 'NETWORK' || answer.error.error_code === 'CIAM_E00_00_005') {
        setTimeout(() => void poll(), 2000);
        return;
      }
      stopped = true;
      handlers.fail(answer.error);
      return;
    }
    if (answer.data.response_type_code === 'MFA_PENDING') {
      const wait = 'retry_after' in answer.data && typeof answer.data.retry_after === 'number' ? answer.data.retry_after : 1000;
      setTimeout(() => void poll(), Math.min(Math.max(wait, 250), 10_000));
      return;
    }
    stopped = true;
    handlers.next(answer.data);
  };
  setTimeout(() => void poll(), 1000);
}
