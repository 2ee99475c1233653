import { CiamError } from '../errors/catalogue.js';
import { ProviderRefusedError, ProviderUnavailableError } from '../providers/errors.js';

/**
 * Calls an outside system; its outage becomes 503 CIAM_E05_00_002, never a guess about the
 * customer. A refusal about this customer that the caller did not handle itself (an unreadable
 * directory entry) also answers 503 CIAM_E05_00_002 — the information is not available — but only
 * to this customer: the breaker never counted it.
 */
export async function fromProvider<T>(call: () => Promise<T>, contextId?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProviderUnavailableError || err instanceof ProviderRefusedError) throw new CiamError('CIAM_E05_00_002', { contextId, cause: err });
    throw err;
  }
}
