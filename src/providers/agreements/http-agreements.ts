import { z } from 'zod';
import { ProviderUnavailableError } from '../errors.js';
import { refusalOf, requestWithRetry, type HttpAnswer, type HttpRequest } from '../delivery/http-delivery.js';
import { DocumentCache } from './document-cache.js';
import type { HttpAgreementsSettings } from '../../config/agreements.js';
import type { Acceptance, AgreementDocument, Agreements } from './port.js';

const PendingAnswer = z.object({
  documents: z.array(z.object({ document_id: z.string().min(1), mandatory: z.boolean() })),
});

const DocumentAnswer = z.object({
  document_id: z.string().min(1),
  title: z.string(),
  content: z.string(),
  version: z.string().min(1),
  mandatory: z.boolean(),
});

const PROVIDER = 'agreements';

/**
 * The agreement-management REST service (docs/integrations.md, "Agreements (eSign) service").
 * Anything but the documented answers — an outage, a timeout, a refused key, a body of the wrong
 * shape — throws ProviderUnavailableError: the journey answers 503 rather than guess whether the
 * customer owes a signature.
 */
export class HttpAgreements implements Agreements {
  private readonly cache: DocumentCache;

  constructor(private readonly settings: HttpAgreementsSettings) {
    this.cache = new DocumentCache(settings.documentCacheSeconds * 1000);
  }

  async pendingMandatoryDocument(cupid: string): Promise<string | undefined> {
    const answer = await this.send('GET pending-agreements', 'GET', `/customers/${encodeURIComponent(cupid)}/pending-agreements`);
    const pending = parse(PendingAnswer, expectOk(answer, 'GET pending-agreements'), 'GET pending-agreements');
    return pending.documents.find((d) => d.mandatory)?.document_id;
  }

  async getDocument(documentId: string): Promise<AgreementDocument | undefined> {
    const cached = this.cache.get(documentId);
    if (cached) return cached;
    const answer = await this.send('GET document', 'GET', `/documents/${encodeURIComponent(documentId)}`);
    if (answer.status === 404) return undefined;
    const document = parse(DocumentAnswer, expectOk(answer, 'GET document'), 'GET document');
    if (document.document_id !== documentId) {
      throw new ProviderUnavailableError(PROVIDER, 'GET document answered with a different document.');
    }
    this.cache.set(document);
    return document;
  }

  async recordAcceptance(acceptance: Acceptance): Promise<void> {
    const answer = await this.send(
      'POST acceptance',
      'POST',
      `/customers/${encodeURIComponent(acceptance.cupid)}/acceptances`,
      {
        document_id: acceptance.documentId,
        version: acceptance.version,
        accepted_at: acceptance.acceptedAt.toISOString(),
        ip_address: acceptance.ipAddress,
        context_id: acceptance.contextId,
      },
      // One journey accepts one version of a document once: a repeat is the same acceptance.
      `${acceptance.contextId}:${acceptance.documentId}:${acceptance.version}`,
    );
    expectOk(answer, 'POST acceptance');
  }

  private send(label: string, method: HttpRequest['method'], path: string, body?: unknown, idempotencyKey?: string) {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.settings.apiKey}`,
      accept: 'application/json',
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return requestWithRetry(
      {
        provider: PROVIDER,
        label,
        method,
        url: `${this.settings.baseUrl}${path}`,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        idempotency: idempotencyKey ? { header: 'Idempotency-Key', key: idempotencyKey } : undefined,
      },
      this.settings.retry,
    );
  }
}

function expectOk(answer: HttpAnswer, label: string): string {
  if (answer.status >= 200 && answer.status < 300) return answer.text;
  throw refusalOf(PROVIDER, `${label} was refused (answered ${answer.status}).`, answer.status);
}

function parse<T>(schema: z.ZodType<T>, text: string, label: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ProviderUnavailableError(PROVIDER, `${label} answered something that is not JSON.`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw new ProviderUnavailableError(PROVIDER, `${label} answered an unexpected shape.`);
  return parsed.data;
}
