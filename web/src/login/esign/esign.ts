import { acceptDocument, declineDocument, esignDocument } from '../../api/client';
import { text } from '../../messages';
import { busy, h, show } from '../../ui/dom';
import type { EsignRequired, JourneyHandlers } from '../journey';

/**
 * ESIGN_REQUIRED: the document is fetched and shown in full; accepting goes on with the journey,
 * declining a mandatory document ends it (403 CIAM_E01_04_003).
 */
export async function esignScreen(step: EsignRequired, handlers: JourneyHandlers): Promise<void> {
  const doc = await esignDocument(step.esign_document_id);
  if (!doc.ok) return handlers.fail(doc.error);
  const d = doc.data;
  const paragraphs = d.content.split(/\n{2,}|(?=\(\d+\) )/).map((p) => h('p', {}, p.trim()));
  const actions = h(
    'div',
    { class: 'actions' },
    h(
      'button',
      {
        type: 'button',
        class: 'primary',
        onclick: () =>
          void busy(actions, async () => {
            const answer = await acceptDocument(step.context_id, step.transaction_id, d.document_id);
            if (answer.ok) handlers.next(answer.data);
            else handlers.fail(answer.error);
          }),
      },
      text.esign.accept,
    ),
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        onclick: () =>
          void busy(actions, async () => {
            const answer = await declineDocument(step.context_id, step.transaction_id, d.document_id);
            handlers.fail(answer.ok ? { error_code: 'CIAM_E01_04_003' } : answer.error);
          }),
      },
      text.esign.decline,
    ),
  );
  show(
    h(
      'section',
      { class: 'card wide', 'aria-labelledby': 'esign-title' },
      h('h1', { id: 'esign-title' }, text.esign.title),
      h('p', {}, text.esign.intro),
      h(
        'article',
        { class: 'document', tabindex: 0, 'aria-labelledby': 'doc-title' },
        h('h2', { id: 'doc-title' }, d.title),
        h('p', { class: 'muted' }, text.esign.version(d.version)),
        ...paragraphs,
      ),
      actions,
    ),
  );
}
