import { logout } from '../api/client';
import { errorMessage, text } from '../messages';
import { currentAccessToken, forgetAccessToken, renewAccessToken } from '../session/access-token';
import { busy, h, notice, show } from '../ui/dom';
import { devicesSection } from './devices/devices';
import { sessionsSection } from './sessions/sessions';

/**
 * The customer's account page. The access token is fetched with the refresh cookie at every
 * load (nothing is kept across reloads but that HttpOnly cookie).
 */
function signedOut(code?: string): void {
  forgetAccessToken();
  show(
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'out-title' },
      h('h1', { id: 'out-title' }, text.account.signedOut),
      code && code !== 'CIAM_E04_00_008' ? notice('info', errorMessage(code)) : null,
      h('a', { class: 'button primary', href: '/' }, text.account.signIn),
    ),
  );
}

async function start(): Promise<void> {
  show(h('section', { class: 'card' }, h('h1', {}, text.account.title), h('p', { role: 'status' }, text.account.restoring)));
  const token = await renewAccessToken();
  if (typeof token !== 'string') return signedOut(token.error_code);
  let ended = false;
  const onSignedOut = (code: string) => {
    ended = true;
    signedOut(code);
  };
  const [sessions, devices] = await Promise.all([sessionsSection(onSignedOut), devicesSection(onSignedOut)]);
  if (ended) return;
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () =>
        void busy(signOut, async () => {
          await logout(currentAccessToken());
          signedOut();
        }),
    },
    text.account.logout,
  );
  show(h('div', { class: 'page-head' }, h('h1', {}, text.account.title), signOut), sessions, devices);
}

void start();
