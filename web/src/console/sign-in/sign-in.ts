import { highRiskLogins } from '../../api/client';
import { pageConfig } from '../../config';
import { errorMessage, text } from '../../messages';
import { busy, field, h, notice, show } from '../../ui/dom';

/**
 * How an agent signs in: with a development agent key (CIAM_AGENT_KEYS), the bearer credential
 * the agent API takes in development. Production agents authenticate with the workforce identity
 * provider's JWT, for which the console has no sign-in flow yet (docs/web.md, "What is left").
 * Calls `done` with the bearer credential to use.
 */
export function signInScreen(done: (credential: string) => void, message?: string): void {
  const config = pageConfig().console;
  const messages = h('div', { class: 'messages' }, message ? notice('error', message) : null);
  const parts: HTMLElement[] = [];
  if (!config.devKeys) parts.push(notice('info', text.console.noSignIn));
  if (config.devKeys) {
    const key = h('input', { name: 'agent-key', type: 'password', required: true, autocomplete: 'off', minlength: 16 });
    const form = h('form', {}, field(text.console.agentKey, key, text.console.agentKeyHint), h('button', { type: 'submit', class: 'primary' }, text.console.signIn));
    form.addEventListener('submit', (e) => {
      e.preventDefault();
      void busy(form, async () => {
        // Any agent call checks the credential; the high-risk list is the console's first screen anyway.
        const check = await highRiskLogins(key.value, { limit: '1' });
        if (check.ok) done(key.value);
        else {
          messages.replaceChildren(notice('error', errorMessage(check.error.error_code)));
          key.focus();
        }
      });
    });
    parts.push(form);
  }
  show(h('section', { class: 'card', 'aria-labelledby': 'agent-title' }, h('h1', { id: 'agent-title' }, text.console.title), messages, ...parts));
  parts[0]?.querySelector<HTMLElement>('input')?.focus();
}
