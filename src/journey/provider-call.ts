import { CiamError } from '../errors/catalogue.js';
import { ProviderUnavailableError } from '../providers/errors.js';

/** Calls an outside system; its outage becomes 503 CIAM_E05_00_002, never a guess about the customer. */
export async function fromProvider<T>(call: () => Promise<T>, contextId?: string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof ProviderUnavailableError) throw new CiamError('CIAM_E05_00_002', { contextId, cause: err });
    throw err;
  }
}
