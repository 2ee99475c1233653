import {
  agentAudit,
  agentDevices,
  agentRevokeAll,
  agentRevokeDevice,
  agentRevokeSession,
  agentSessions,
  type AuditPage,
} from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, field, formatTime, h, notice, shortId } from '../../ui/dom';
import { describeUserAgent } from '../../ui/user-agent';
import { agentCredential } from '../agent-credential';

const c = text.console.columns;

function table(labelledBy: string, headings: string[], body: HTMLTableSectionElement): HTMLElement {
  return h(
    'div',
    { class: 'table-wrap', tabindex: 0, role: 'region', 'aria-labelledby': labelledBy },
    h('table', {}, h('thead', {}, h('tr', {}, ...headings.map((t) => h('th', { scope: 'col' }, t)))), body),
  );
}

/** datetime-local (the agent's local time) → ISO 8601 for the API. */
const isoOf = (local: string) => (local ? new Date(local).toISOString() : undefined);

/**
 * One customer: sessions (revoke one or all), trusted devices (revoke), and the audit timeline
 * (time range, page size, older pages). Every change needs a reason, which the service records
 * in the audit log beside the agent's id.
 */
export function customerPanel(cupid: string): HTMLElement {
  const agent = () => agentCredential() ?? '';
  const reason = h('input', { name: 'reason', required: true, minlength: 3, maxlength: 500, autocomplete: 'off' });
  const messages = h('div', { class: 'messages', 'aria-live': 'polite' });
  const sessionsBody = h('tbody', {});
  const devicesBody = h('tbody', {});
  const auditBody = h('tbody', {});
  const say = (kind: 'error' | 'success' | 'info', message: string) => messages.replaceChildren(notice(kind, message));

  const givenReason = (): string | undefined => {
    const value = reason.value.trim();
    if (value.length >= 3) return value;
    say('error', text.console.reasonMissing);
    reason.focus();
    return undefined;
  };

  const loadSessions = async () => {
    const answer = await agentSessions(agent(), cupid);
    if (!answer.ok) return say('error', errorMessage(answer.error.error_code));
    sessionsBody.replaceChildren(
      ...(answer.data.sessions.length === 0
        ? [h('tr', {}, h('td', { colspan: 6 }, text.console.noSessions))]
        : answer.data.sessions.map((s) =>
            h(
              'tr',
              { 'data-session-id': s.session_id },
              h('td', {}, h('code', { title: s.session_id }, shortId(s.session_id))),
              h('td', {}, formatTime(s.created_at)),
              h('td', {}, formatTime(s.last_activity_at)),
              h('td', {}, s.ip_address ?? ''),
              h('td', {}, `${s.client_id ?? ''} · ${describeUserAgent(s.user_agent, '—')}`),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary small',
                    'aria-label': text.console.revokeSessionLabel(shortId(s.session_id)),
                    onclick: (e: Event) => {
                      const why = givenReason();
                      if (!why) return;
                      void busy(e.currentTarget as HTMLElement, async () => {
                        const r = await agentRevokeSession(agent(), s.session_id, why);
                        if (r.ok) say('success', text.console.revoked(r.data.tokens_revoked));
                        else say('error', errorMessage(r.error.error_code));
                        await Promise.all([loadSessions(), loadAudit(false)]);
                      });
                    },
                  },
                  text.console.revoke,
                ),
              ),
            ),
          )),
    );
  };

  const loadDevices = async () => {
    const answer = await agentDevices(agent(), cupid);
    if (!answer.ok) return say('error', errorMessage(answer.error.error_code));
    const active = answer.data.devices.filter((d) => d.status === 'ACTIVE');
    devicesBody.replaceChildren(
      ...(active.length === 0
        ? [h('tr', {}, h('td', { colspan: 4 }, text.console.noDevices))]
        : active.map((d) =>
            h(
              'tr',
              {},
              h('td', {}, d.device_name ?? d.device_type ?? h('code', { title: d.device_id }, shortId(d.device_id))),
              h('td', {}, formatTime(d.trusted_at)),
              h('td', {}, formatTime(d.last_used_at)),
              h(
                'td',
                {},
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'secondary small',
                    'aria-label': text.console.revokeDeviceLabel(shortId(d.device_id)),
                    onclick: (e: Event) => {
                      const why = givenReason();
                      if (!why) return;
                      void busy(e.currentTarget as HTMLElement, async () => {
                        const r = await agentRevokeDevice(agent(), d.device_id, why);
                        if (r.ok) say('success', text.console.deviceRevoked);
                        else say('error', errorMessage(r.error.error_code));
                        await Promise.all([loadDevices(), loadAudit(false)]);
                      });
                    },
                  },
                  text.console.revoke,
                ),
              ),
            ),
          )),
    );
  };

  // The audit timeline: a time range and a page size; "older" follows next_cursor.
  const from = h('input', { name: 'from', type: 'datetime-local' });
  const to = h('input', { name: 'to', type: 'datetime-local' });
  const limit = h('select', { name: 'limit' }, ...['10', '20', '50', '100', '200'].map((n) => h('option', { value: n }, n)));
  const older = h('button', { type: 'button', class: 'secondary', hidden: true }, text.console.older);
  let cursor: string | null = null;

  const auditRows = (events: AuditPage['events']) =>
    events.map((e) =>
      h(
        'tr',
        { class: e.severity === 'WARN' || e.severity === 'ERROR' || e.severity === 'CRITICAL' ? 'attention' : '' },
        h('td', {}, formatTime(e.created_at, true)),
        h('td', {}, e.event_type ?? ''),
        h('td', {}, e.severity ?? ''),
        h('td', { class: 'details' }, summarise(e.event_data)),
      ),
    );

  const loadAudit = async (append: boolean) => {
    const answer = await agentAudit(agent(), cupid, {
      from: isoOf(from.value),
      to: isoOf(to.value),
      limit: limit.value,
      ...(append && cursor ? { cursor } : {}),
    });
    if (!answer.ok) return say('error', errorMessage(answer.error.error_code));
    const rows = auditRows(answer.data.events);
    if (append) auditBody.append(...rows);
    else auditBody.replaceChildren(...(rows.length ? rows : [h('tr', {}, h('td', { colspan: 4 }, text.console.noEvents))]));
    cursor = answer.data.next_cursor;
    older.hidden = !cursor;
  };
  older.addEventListener('click', () => void busy(older, () => loadAudit(true)));
  const auditForm = h(
    'form',
    { class: 'inline' },
    field(text.console.from, from),
    field(text.console.to, to),
    field(text.console.pageSize, limit),
    h('button', { type: 'submit', class: 'secondary' }, text.console.show),
  );
  auditForm.addEventListener('submit', (e) => {
    e.preventDefault();
    void busy(auditForm, () => loadAudit(false));
  });

  const revokeAll = h(
    'button',
    {
      type: 'button',
      class: 'danger',
      onclick: () => {
        const why = givenReason();
        if (!why) return;
        void busy(revokeAll, async () => {
          const r = await agentRevokeAll(agent(), cupid, why);
          if (r.ok) say('success', text.console.revokedAll(r.data.sessions_revoked, r.data.tokens_revoked));
          else say('error', errorMessage(r.error.error_code));
          await Promise.all([loadSessions(), loadAudit(false)]);
        });
      },
    },
    text.console.revokeAll,
  );

  const panel = h(
    'section',
    { class: 'card wide', 'aria-labelledby': 'customer-title', 'data-cupid': cupid },
    h('h2', { id: 'customer-title', tabindex: -1 }, cupid),
    field(text.console.reason, reason, text.console.reasonHint),
    messages,
    h('h3', { id: 'sessions-title' }, text.console.sessions),
    table('sessions-title', [c.session, c.started, c.lastActive, c.address, c.client, c.action], sessionsBody),
    revokeAll,
    h('h3', { id: 'devices-title' }, text.console.devices),
    table('devices-title', [c.device, c.trusted, c.lastActive, c.action], devicesBody),
    h('h3', { id: 'audit-title' }, text.console.audit),
    auditForm,
    table('audit-title', [c.time, c.event, c.severity, c.details], auditBody),
    older,
  );
  void Promise.all([loadSessions(), loadDevices(), loadAudit(false)]);
  return panel;
}

/** A short, readable line of an audit row's event data. */
function summarise(data: Record<string, unknown> | undefined): string {
  if (!data) return '';
  return Object.entries(data)
    .filter(([, v]) => v !== null && v !== undefined && typeof v !== 'object')
    .map(([k, v]) => `${k}: ${String(v)}`)
    .join(', ')
    .slice(0, 200);
}
