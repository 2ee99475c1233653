import { isDatabaseBusy, RowBusyError } from '../store/database-busy.js';

/**
 * Runs the calls made with the same key one after another (in this process), calls with other keys
 * side by side. When a call fails because the database is busy (its row stayed locked past
 * lock_timeout, no connection was free), the calls queued behind it fail at once the same way
 * (RowBusyError: 503 with Retry-After) instead of each waiting as long again.
 *
 * The refresh's careful path queues here per presented token: a customer whose session row is
 * locked, and whose app keeps retrying, then occupies one database connection waiting for that
 * row — not one per retry, which would take the pool from every other customer — and no retry
 * waits longer than one lock timeout behind the others. Two tabs presenting one token still get
 * their ordinary answers, one after the other.
 */
export function oneAtATime() {
  const tails = new Map<string, Promise<unknown>>();
  return function run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(key) ?? Promise.resolve();
    const result = previous.then(
      () => work(),
      (err: unknown) => (isDatabaseBusy(err) ? Promise.reject(new RowBusyError()) : work()),
    );
    tails.set(key, result);
    void result.then(settled, settled);
    function settled() {
      if (tails.get(key) === result) tails.delete(key);
    }
    return result;
  };
}
