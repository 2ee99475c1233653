import { highRiskLogins } from '../../api/client';
import { pageConfig, type ConsoleOidc } from '../../config';
import { errorMessage, text } from '../../messages';
import { busy, field, h, notice, show } from '../../ui/dom';
import { beginSignIn, completeSignIn, isCallback, SignInRefused } from './workforce-idp';

type Done = (credential: string) => void;

/**
 * How an agent signs in: through the bank's workforce identity provider (OpenID Connect) when the
 * service configures one — preferred, and the only way in production — else, in development, with
 * a development agent key (CIAM_AGENT_KEYS). Either way the result is the bearer credential the
 * agent API takes, checked with one agent call before `done` gets it.
 */
export function signInScreen(done: Done, message?: string): void {
  const config = pageConfig().console;
  if (config.oidc && isCallback()) {
    void returnFromIdp(config.oidc, done);
    return;
  }
  const messages = h('div', { class: 'messages' }, message ? notice('error', message) : null);
  const parts: HTMLElement[] = [];
  if (config.oidc) parts.push(workforceForm(config.oidc, messages));
  else if (config.devKeys) parts.push(devKeyForm(messages, done));
  else parts.push(notice('info', text.console.noSignIn));
  show(h('section', { class: 'card', 'aria-labelledby': 'agent-title' }, h('h1', { id: 'agent-title' }, text.console.title), messages, ...parts));
  parts[0]?.querySelector<HTMLElement>('input')?.focus();
}

/** Any agent call checks the credential; the high-risk list is the console's first screen anyway. */
async function checkCredential(credential: string): Promise<string | undefined> {
  const check = await highRiskLogins(credential, { limit: '1' });
  return check.ok ? undefined : errorMessage(check.error.error_code);
}

function workforceForm(oidc: ConsoleOidc, messages: HTMLElement): HTMLElement {
  const form = h('form', {}, h('p', {}, text.console.workforceHint), h('button', { type: 'submit', class: 'primary' }, text.console.workforceSignIn));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(form, async () => {
      try {
        await beginSignIn(oidc);
      } catch {
        messages.replaceChildren(notice('error', text.console.workforceFailed));
      }
    });
  });
  return form;
}

async function returnFromIdp(oidc: ConsoleOidc, done: Done): Promise<void> {
  show(h('section', { class: 'card', 'aria-labelledby': 'agent-title' }, h('h1', { id: 'agent-title' }, text.console.title), notice('info', text.console.workforceSigningIn)));
  let token: string;
  try {
    token = await completeSignIn(oidc);
  } catch (err) {
    signInScreen(done, err instanceof SignInRefused ? text.console.workforceCancelled : text.console.workforceFailed);
    return;
  }
  const refused = await checkCredential(token);
  if (refused) signInScreen(done, refused);
  else done(token);
}

function devKeyForm(messages: HTMLElement, done: Done): HTMLElement {
  const key = h('input', { name: 'agent-key', type: 'password', required: true, autocomplete: 'off', minlength: 16 });
  const form = h('form', {}, field(text.console.agentKey, key, text.console.agentKeyHint), h('button', { type: 'submit', class: 'primary' }, text.console.signIn));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(form, async () => {
      const refused = await checkCredential(key.value);
      if (!refused) done(key.value);
      else {
        messages.replaceChildren(notice('error', refused));
        key.focus();
      }
    });
  });
  return form;
}
