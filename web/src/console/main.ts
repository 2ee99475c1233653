import { text } from '../messages';
import { field, h, show } from '../ui/dom';
import { setAgentCredential } from './agent-credential';
import { customerPanel } from './customer/customer';
import { highRiskSection } from './high-risk/high-risk';
import { signInScreen } from './sign-in/sign-in';

/** The agent console: find a customer, act on their sessions and devices, read their audit trail; high-risk logins. */
function consoleView(): void {
  const cupid = h('input', { name: 'cupid', required: true, maxlength: 50, autocomplete: 'off', spellcheck: 'false' });
  const slot = h('div', { class: 'slot' });
  const open = (id: string) => {
    cupid.value = id;
    slot.replaceChildren(customerPanel(id));
    slot.querySelector<HTMLElement>('h2')?.focus();
  };
  const find = h('form', { class: 'inline', role: 'search' }, field(text.console.cupid, cupid), h('button', { type: 'submit', class: 'primary' }, text.console.search));
  find.addEventListener('submit', (e) => {
    e.preventDefault();
    if (cupid.value.trim()) open(cupid.value.trim());
  });
  const signOut = h(
    'button',
    {
      type: 'button',
      class: 'secondary',
      onclick: () => {
        setAgentCredential(undefined);
        start();
      },
    },
    text.console.signOut,
  );
  show(
    h('div', { class: 'page-head' }, h('h1', {}, text.console.title), signOut),
    h('section', { class: 'card wide', 'aria-labelledby': 'find-title' }, h('h2', { id: 'find-title' }, text.console.find), find),
    slot,
    highRiskSection(open),
  );
  cupid.focus();
}

function start(message?: string): void {
  signInScreen((credential) => {
    setAgentCredential(credential);
    consoleView();
  }, message);
}

start();
