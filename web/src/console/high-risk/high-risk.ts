import { highRiskLogins, type HighRiskPage } from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, field, formatTime, h, notice } from '../../ui/dom';
import { agentCredential } from '../agent-credential';

/** Logins the device-risk service scored high, newest first, paged; a customer id opens that customer. */
export function highRiskSection(openCustomer: (cupid: string) => void): HTMLElement {
  const minScore = h('input', { name: 'min_score', type: 'number', min: 0, max: 100, value: 70, inputmode: 'numeric' });
  const body = h('tbody', {});
  const messages = h('div', { class: 'messages' });
  const more = h('button', { type: 'button', class: 'secondary', hidden: true }, text.console.moreHighRisk);
  let cursor: string | null = null;

  const load = async (append: boolean) => {
    const answer = await highRiskLogins(agentCredential() ?? '', { min_score: minScore.value, limit: '20', ...(append && cursor ? { cursor } : {}) });
    if (!answer.ok) {
      messages.replaceChildren(notice('error', errorMessage(answer.error.error_code)));
      return;
    }
    messages.replaceChildren();
    if (!append) body.replaceChildren();
    rows(answer.data.logins);
    cursor = answer.data.next_cursor;
    more.hidden = !cursor;
    wrap.hidden = body.childElementCount === 0;
    if (!append && answer.data.logins.length === 0) messages.replaceChildren(notice('info', text.console.noHighRisk));
  };

  const rows = (logins: HighRiskPage['logins']) => {
    for (const l of logins) {
      body.append(
        h(
          'tr',
          {},
          h('td', {}, formatTime(l.created_at)),
          h('td', {}, h('button', { type: 'button', class: 'link', onclick: () => openCustomer(l.cupid ?? '') }, l.cupid ?? '')),
          h('td', {}, String(l.risk_score ?? '')),
          h('td', {}, l.recommendation ?? ''),
          h('td', {}, l.auth_outcome ?? '—'),
          h('td', {}, l.ip_address ?? ''),
        ),
      );
    }
  };

  const c = text.console.columns;
  const form = h(
    'form',
    { class: 'inline' },
    field(text.console.minScore, minScore),
    h('button', { type: 'submit', class: 'secondary' }, text.console.show),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(form, () => load(false));
  });
  more.addEventListener('click', () => void busy(more, () => load(true)));
  const wrap = h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': 'risk-title', hidden: true },
    h('table', {}, h('thead', {}, h('tr', {}, ...[c.time, c.customer, c.score, c.action, c.outcome, c.address].map((t) => h('th', { scope: 'col' }, t)))), body),
  );
  const section = h('section', { class: 'card wide', 'aria-labelledby': 'risk-title' }, h('h2', { id: 'risk-title' }, text.console.highRisk), form, messages, wrap, more);
  void load(false);
  return section;
}
