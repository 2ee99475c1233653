/**
 * Thrown by any adapter when its outside system cannot answer (down, timed out, refused our
 * credentials, answered garbage). The journey maps it to 503 CIAM_E05_00_002 and never to an
 * answer about the customer.
 */
export class ProviderUnavailableError extends Error {
  override name = 'ProviderUnavailableError';
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
  }
}
