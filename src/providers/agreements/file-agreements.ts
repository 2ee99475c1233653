import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Acceptance, AgreementDocument, Agreements } from './port.js';

const documentsDir = join(dirname(fileURLToPath(import.meta.url)), 'documents');

export function loadShippedDocuments(dir = documentsDir): Map<string, AgreementDocument> {
  const docs = new Map<string, AgreementDocument>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const doc = JSON.parse(readFileSync(join(dir, file), 'utf8')) as AgreementDocument;
    docs.set(doc.document_id, doc);
  }
  return docs;
}

/**
 * The embedded agreements default: documents shipped with the service, assigned per customer
 * (the demo assignments in development). What is still pending is decided against the acceptances
 * the service itself recorded, passed in as `hasAccepted`.
 */
export class FileAgreements implements Agreements {
  constructor(
    private readonly assignments: Record<string, string[]>,
    private readonly hasAccepted: (cupid: string, documentId: string, version: string) => Promise<boolean>,
    private readonly documents = loadShippedDocuments(),
  ) {}

  async pendingMandatoryDocument(cupid: string): Promise<string | undefined> {
    for (const documentId of this.assignments[cupid] ?? []) {
      const doc = this.documents.get(documentId);
      if (doc?.mandatory && !(await this.hasAccepted(cupid, doc.document_id, doc.version))) return documentId;
    }
    return undefined;
  }

  async getDocument(documentId: string): Promise<AgreementDocument | undefined> {
    return this.documents.get(documentId);
  }

  async recordAcceptance(_acceptance: Acceptance): Promise<void> {
    // Nothing beyond the service's own esign_acceptances row, which the journey writes.
  }
}
