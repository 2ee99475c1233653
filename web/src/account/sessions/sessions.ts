import { endMyOtherSessions, endMySession, mySessions, type MySession } from '../../api/client';
import { errorMessage, text } from '../../messages';
import { busy, formatTime, h, notice } from '../../ui/dom';
import { describeUserAgent } from '../../ui/user-agent';
import { withAccessToken } from '../../session/access-token';

/** The customer's sessions, the current one marked; end one, or every other one. */
export async function sessionsSection(onSignedOut: (code: string) => void): Promise<HTMLElement> {
  const section = h('section', { class: 'card wide', 'aria-labelledby': 'sessions-title' });
  const messages = h('div', { class: 'messages' });

  const render = async (message?: HTMLElement) => {
    const answer = await withAccessToken((token) => mySessions(token));
    if (!answer.ok) {
      if (answer.status === 401) return onSignedOut(answer.error.error_code);
      messages.replaceChildren(notice('error', errorMessage(answer.error.error_code)));
      return;
    }
    const sessions = [...answer.data.sessions].sort((a, b) => Number(b.current ?? false) - Number(a.current ?? false));
    const others = sessions.filter((s) => !s.current);
    messages.replaceChildren(...(message ? [message] : []));
    section.replaceChildren(
      h('h2', { id: 'sessions-title' }, text.account.sessions),
      h('p', { class: 'muted' }, text.account.sessionsIntro),
      messages,
      h('ul', { class: 'items', 'data-testid': 'sessions' }, ...sessions.map((s) => item(s))),
      others.length > 0
        ? h('button', { type: 'button', class: 'secondary', onclick: () => void endOthers() }, text.account.endOthers)
        : h('p', { class: 'muted' }, text.account.noOthers),
    );
  };

  const item = (s: MySession) => {
    const what = describeUserAgent(s.user_agent, text.account.unknownDevice);
    return h(
      'li',
      { class: s.current ? 'item current' : 'item', 'data-session-id': s.session_id },
      h(
        'div',
        {},
        h('strong', {}, what),
        s.current ? h('span', { class: 'badge' }, text.account.current) : null,
        h(
          'dl',
          { class: 'facts' },
          h('dt', {}, text.account.started),
          h('dd', {}, formatTime(s.created_at)),
          h('dt', {}, text.account.lastActive),
          h('dd', {}, formatTime(s.last_activity_at)),
          h('dt', {}, text.account.address),
          h('dd', {}, s.ip_address ?? '—'),
        ),
      ),
      s.current
        ? null
        : h('button', { type: 'button', class: 'secondary small', 'aria-label': text.account.endLabel(what), onclick: (e: Event) => void end(s, e.currentTarget as HTMLElement) }, text.account.end),
    );
  };

  const end = (s: MySession, button: HTMLElement) =>
    busy(button, async () => {
      const answer = await withAccessToken((token) => endMySession(token, s.session_id));
      await render(answer.ok ? notice('success', text.account.ended) : notice('error', errorMessage(answer.error.error_code)));
    });

  const endOthers = () =>
    busy(section, async () => {
      const answer = await withAccessToken((token) => endMyOtherSessions(token));
      await render(answer.ok ? notice('success', text.account.endedOthers(answer.data.sessions_revoked)) : notice('error', errorMessage(answer.error.error_code)));
    });

  await render();
  return section;
}
