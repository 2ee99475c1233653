import type { AgreementDocument } from './port.js';

/**
 * A short-lived, bounded memory of fetched documents. Safe because a document's content never
 * changes under the same id and version; the lifetime only bounds how long a withdrawn document
 * can still be shown. Misses (404) are never kept.
 */
export class DocumentCache {
  private readonly entries = new Map<string, { document: AgreementDocument; until: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly capacity = 256,
    private readonly now: () => number = Date.now,
  ) {}

  get(documentId: string): AgreementDocument | undefined {
    const entry = this.entries.get(documentId);
    if (!entry) return undefined;
    if (entry.until <= this.now()) {
      this.entries.delete(documentId);
      return undefined;
    }
    return entry.document;
  }

  set(document: AgreementDocument): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(document.document_id);
    // Map keeps insertion order, so the first key is the oldest entry.
    if (this.entries.size >= this.capacity) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(document.document_id, { document, until: this.now() + this.ttlMs });
  }
}
