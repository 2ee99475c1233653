import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AgreementDocument, Agreements } from '../../../src/providers/agreements/port.js';

/** The documents and assignments an Agreements adapter is made over for one test. */
export interface AgreementsWorld {
  documents: AgreementDocument[];
  /** Per CUPID, the documents assigned and not yet accepted, in order. */
  pending: Record<string, string[]>;
}

const TERMS: AgreementDocument = {
  document_id: 'contract-terms-2025',
  title: 'Online Banking Terms and Conditions',
  content: 'These terms govern your use of online and mobile banking.',
  version: '2.0',
  mandatory: true,
};
const NEWSLETTER: AgreementDocument = { ...TERMS, document_id: 'contract-newsletter-2025', title: 'Newsletter', mandatory: false };
const WORLD: AgreementsWorld = {
  documents: [TERMS, NEWSLETTER],
  pending: { CUPID_ESIGN_001: [NEWSLETTER.document_id, TERMS.document_id], CUPID_OPTIONAL_001: [NEWSLETTER.document_id] },
};

/**
 * What every Agreements adapter (src/providers/agreements/port.ts) must answer; `make(world)` builds
 * one over the given documents and assignments, inside each test.
 */
export function describeAgreementsContract(name: string, make: (world: AgreementsWorld) => Agreements): void {
  describe(`${name}: the Agreements port`, () => {
    it('names the first mandatory pending document, and none where only optional ones or none are pending', async () => {
      const agreements = make(WORLD);
      await expect(agreements.pendingMandatoryDocument('CUPID_ESIGN_001')).resolves.toBe(TERMS.document_id);
      await expect(agreements.pendingMandatoryDocument('CUPID_OPTIONAL_001')).resolves.toBeUndefined();
      await expect(agreements.pendingMandatoryDocument('CUPID_NOBODY_001')).resolves.toBeUndefined();
    });

    it('returns a document whole, and nothing for an unknown id', async () => {
      const agreements = make(WORLD);
      await expect(agreements.getDocument(TERMS.document_id)).resolves.toEqual(TERMS);
      await expect(agreements.getDocument('no-such-document')).resolves.toBeUndefined();
    });

    it('records an acceptance', async () => {
      const agreements = make(WORLD);
      await expect(
        agreements.recordAcceptance({
          cupid: 'CUPID_ESIGN_001',
          documentId: TERMS.document_id,
          version: TERMS.version,
          acceptedAt: new Date(),
          ipAddress: '203.0.113.7',
          contextId: randomUUID(),
        }),
      ).resolves.toBeUndefined();
    });
  });
}
