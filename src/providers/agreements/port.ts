/**
 * Agreements (eSign): which mandatory documents a customer still has to accept, their content,
 * and recording an acceptance. Production: `http-agreements.ts`; development: documents shipped
 * with the service. Throws ProviderUnavailableError when the service cannot answer.
 */
export interface Agreements {
  /** The id of the first mandatory document the customer has not accepted, if any. */
  pendingMandatoryDocument(cupid: string): Promise<string | undefined>;
  getDocument(documentId: string): Promise<AgreementDocument | undefined>;
  recordAcceptance(acceptance: Acceptance): Promise<void>;
}

export interface AgreementDocument {
  document_id: string;
  title: string;
  content: string;
  version: string;
  mandatory: boolean;
}

export interface Acceptance {
  cupid: string;
  documentId: string;
  version: string;
  acceptedAt: Date;
  ipAddress: string;
  contextId: string;
}
