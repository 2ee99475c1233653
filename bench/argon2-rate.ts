import { hash, verify } from '@node-rs/argon2';
import { ARGON2_PARAMS } from '../src/providers/directory/demo-directory.js';

/**
 * The bare password-check rate: argon2id verifications per second at the demo directory's
 * parameters, with as many checks in flight as the login benchmark has connections.
 */
const seconds = Number(process.env.SECONDS ?? 5);
const concurrency = Number(process.env.CONCURRENCY ?? 16);
const stored = await hash('SecurePass123!', ARGON2_PARAMS);
const deadline = Date.now() + 1000; // warm-up
while (Date.now() < deadline) await verify(stored, 'SecurePass123!');

let done = 0;
const latencies: number[] = [];
const end = Date.now() + seconds * 1000;
const started = Date.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) {
      const t0 = performance.now();
      await verify(stored, 'SecurePass123!');
      latencies.push(performance.now() - t0);
      done++;
    }
  }),
);
const elapsed = (Date.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
console.log(JSON.stringify({ rps: done / elapsed, p50: pct(50), p99: pct(99), count: done }));
