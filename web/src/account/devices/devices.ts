import { myDevices, removeMyDevice, type MyDevice } from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, formatTime, h, notice } from '../../ui/dom';
import { withAccessToken } from '../../session/access-token';

/** The customer's trusted devices; removing one brings MFA back on that device. */
export async function devicesSection(onSignedOut: (code: string) => void): Promise<HTMLElement> {
  const section = h('section', { class: 'card wide', 'aria-labelledby': 'devices-title' });

  const render = async (message?: HTMLElement) => {
    const answer = await withAccessToken((token) => myDevices(token));
    if (!answer.ok) {
      if (answer.status === 401) return onSignedOut(answer.error.error_code);
      section.replaceChildren(h('h2', { id: 'devices-title' }, text.account.devices), notice('error', errorMessage(answer.error.error_code)));
      return;
    }
    const devices = answer.data.devices.filter((d) => d.status === 'ACTIVE');
    section.replaceChildren(
      h('h2', { id: 'devices-title' }, text.account.devices),
      h('p', { class: 'muted' }, text.account.devicesIntro),
      h('div', { class: 'messages' }, message),
      devices.length === 0
        ? h('p', {}, text.account.noDevices)
        : h('ul', { class: 'items', 'data-testid': 'devices' }, ...devices.map((d) => item(d))),
    );
  };

  const item = (d: MyDevice) => {
    const name = d.device_name ?? d.device_type ?? d.device_id.slice(0, 8);
    return h(
      'li',
      { class: 'item', 'data-device-id': d.device_id },
      h(
        'div',
        {},
        h('strong', {}, name),
        h('dl', { class: 'facts' }, h('dt', {}, text.account.trusted), h('dd', {}, formatTime(d.trusted_at)), h('dt', {}, text.account.lastUsed), h('dd', {}, formatTime(d.last_used_at))),
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'secondary small',
          'aria-label': text.account.removeLabel(name),
          onclick: (e: Event) =>
            void busy(e.currentTarget as HTMLElement, async () => {
              const answer = await withAccessToken((token) => removeMyDevice(token, d.device_id));
              await render(answer.ok ? notice('success', text.account.removed) : notice('error', errorMessage(answer.error.error_code)));
            }),
        },
        text.account.remove,
      ),
    );
  };

  await render();
  return section;
}
