import { approvePush, denyPush, outbox, type OutboxMessage } from '../api/client';
import { pageConfig } from '../config';
import { errorMessage, text } from '../messages';
import { busy, field, formatTime, h, notice, show } from '../ui/dom';

/**
 * Development only: a stand-in for the customer's phone. Shows what the dev outbox delivered to
 * one customer — codes by text or voice, and push requests, which it approves (with the number
 * the customer taps and the one-time approval secret only the phone receives) or denies.
 */
const config = pageConfig();
const customer = h(
  'select',
  { name: 'cupid' },
  ...(config.demoUsers ?? []).filter((u) => u.traits.state === 'ACTIVE').map((u) => h('option', { value: u.cupid }, `${u.username} (${u.cupid})`)),
);
const wanted = new URLSearchParams(location.search).get('cupid');
if (wanted) customer.value = wanted;
const messages = h('div', { class: 'messages' });
const list = h('ul', { class: 'items' });

async function load(): Promise<void> {
  const answer = await outbox(customer.value);
  if (!answer.ok) {
    messages.replaceChildren(notice('error', errorMessage(answer.error.error_code)));
    return;
  }
  list.replaceChildren(...(answer.data.messages.length ? answer.data.messages.map(item) : [h('li', { class: 'item' }, text.phone.empty)]));
}

function item(m: OutboxMessage): HTMLElement {
  if (m.channel !== 'push') {
    return h('li', { class: 'item' }, h('div', {}, h('strong', {}, text.phone.code(m.code ?? '', m.channel)), h('p', { class: 'muted' }, formatTime(m.created_at))));
  }
  const actions = h('div', { class: 'actions' });
  const answer = async (approve: boolean) => {
    const r = approve
      ? await approvePush(m.context_id ?? '', m.transaction_id, m.display_number ?? 0, m.approval_secret ?? '')
      : await denyPush(m.context_id ?? '', m.transaction_id, m.approval_secret ?? '');
    actions.replaceChildren(notice(r.ok ? 'success' : 'error', r.ok ? (approve ? text.phone.approved : text.phone.denied) : errorMessage(r.error.error_code)));
  };
  actions.append(
    h('button', { type: 'button', class: 'primary small', onclick: () => void busy(actions, () => answer(true)) }, text.phone.approve(m.display_number ?? 0)),
    h('button', { type: 'button', class: 'secondary small', onclick: () => void busy(actions, () => answer(false)) }, text.phone.deny),
  );
  return h('li', { class: 'item' }, h('div', {}, h('strong', {}, text.phone.pushAsk), h('p', { class: 'muted' }, formatTime(m.created_at))), actions);
}

const form = h('form', { class: 'inline' }, field(text.phone.customer, customer), h('button', { type: 'submit', class: 'secondary' }, text.phone.refresh));
form.addEventListener('submit', (e) => {
  e.preventDefault();
  void busy(form, load);
});
customer.addEventListener('change', () => void load());
show(h('section', { class: 'card wide', 'aria-labelledby': 'phone-title' }, h('h1', { id: 'phone-title' }, text.phone.title), h('p', { class: 'muted' }, text.phone.intro), form, messages, list));
void load();
