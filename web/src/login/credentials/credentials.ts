import { login } from '../../api/client';
import { pageConfig, type DemoUser } from '../../config';
import { errorMessage as errorText, text } from '../../messages';
import { busy, field, h, notice, show } from '../../ui/dom';
import { devDeviceId, drsActionToken, rememberDevDeviceId } from '../device-risk';
import type { JourneyHandlers } from '../journey';

/** The first screen: username and password (and, in development, the device-risk simulator's answer and the demo users). */
export function credentialsScreen(handlers: JourneyHandlers, message?: string): void {
  const config = pageConfig();
  const username = h('input', { name: 'username', autocomplete: 'username', required: true, maxlength: 100, autocapitalize: 'none', spellcheck: 'false' });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true, maxlength: 200 });
  const risk = h(
    'select',
    { name: 'risk' },
    ...Object.entries(text.dev.riskChoices).map(([value, label]) => h('option', { value }, label)),
  );
  const deviceId = h('input', { name: 'device', maxlength: 80, autocomplete: 'off', spellcheck: 'false' });
  const error = h('div', { class: 'messages' }, message ? notice('error', message) : null);

  const form = h(
    'form',
    { class: 'card', novalidate: false, 'aria-labelledby': 'login-title' },
    h('h1', { id: 'login-title' }, text.login.title),
    error,
    field(text.login.username, username),
    field(text.login.password, password),
    config.devMode
      ? h(
          'fieldset',
          { class: 'dev' },
          h('legend', {}, text.dev.title),
          field(text.dev.risk, risk, text.dev.riskHint),
          field(text.dev.device, deviceId, text.dev.deviceHint),
        )
      : null,
    h('button', { type: 'submit', class: 'primary' }, text.login.submit),
  );
  if (config.devMode) deviceId.value = devDeviceId();

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void busy(form, async () => {
      error.replaceChildren(notice('info', text.login.working));
      if (config.devMode) {
        rememberDevDeviceId(deviceId.value.trim());
        const demo = config.demoUsers?.find((u) => u.username === username.value.trim());
        if (demo) sessionStorage.setItem('ciam-dev-cupid', demo.cupid);
      }
      const token = await drsActionToken(config.devMode ? { risk: risk.value, deviceId: deviceId.value.trim() } : undefined);
      const answer = await login({ username: username.value.trim(), password: password.value, ...(token ? { drsActionToken: token } : {}) });
      password.value = '';
      if (answer.ok) handlers.next(answer.data);
      else {
        error.replaceChildren(notice('error', errorText(answer.error.error_code)));
        password.focus();
      }
    });
  });

  show(form, config.devMode && config.demoUsers ? demoPanel(config.demoUsers, username, password) : null);
  if (!message) username.focus();
}

function demoPanel(users: DemoUser[], username: HTMLInputElement, password: HTMLInputElement): HTMLElement {
  return h(
    'section',
    { class: 'card dev-panel', 'aria-labelledby': 'demo-title' },
    h('h2', { id: 'demo-title' }, text.dev.demoUsers),
    h(
      'ul',
      { class: 'demo-users' },
      ...users.map((u) =>
        h(
          'li',
          {},
          h(
            'button',
            {
              type: 'button',
              class: 'link',
              'aria-label': text.dev.useUser(u.username),
              onclick: () => {
                username.value = u.username;
                password.value = 'SecurePass123!';
                password.focus();
              },
            },
            u.username,
          ),
          ' ',
          h('span', { class: 'muted' }, text.dev.state[u.traits.state] || text.dev.traits(u.traits)),
        ),
      ),
    ),
    h('p', {}, h('a', { href: '/dev/phone', target: '_blank', rel: 'noopener' }, text.dev.phoneLink)),
  );
}
