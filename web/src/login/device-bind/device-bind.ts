import { bindDevice } from '../../api/client';
import { text } from '../../messages';
import { busy, h, show } from '../../ui/dom';
import type { DeviceBindRequired, JourneyHandlers } from '../journey';

/** DEVICE_BIND_REQUIRED: offer to trust this browser; either answer completes the sign-in. */
export function deviceBindScreen(step: DeviceBindRequired, handlers: JourneyHandlers): void {
  const answer = (bind: boolean) =>
    void busy(actions, async () => {
      const result = await bindDevice(step.context_id, step.transaction_id, bind);
      if (result.ok) handlers.next(result.data);
      else handlers.fail(result.error);
    });
  const actions = h(
    'div',
    { class: 'actions' },
    h('button', { type: 'button', class: 'primary', onclick: () => answer(true) }, text.bind.yes),
    h('button', { type: 'button', class: 'secondary', onclick: () => answer(false) }, text.bind.no),
  );
  show(h('section', { class: 'card', 'aria-labelledby': 'bind-title' }, h('h1', { id: 'bind-title' }, text.bind.title), h('p', {}, text.bind.intro), actions));
}
