/**
 * Drives a login function the way bench/ldap.ts needs it, for bench/ldap-rate.ts (the bare ldapts
 * loop) and bench/ldap-adapter-rate.ts (the adapter): CONCURRENCY logins in flight, a 1 s warm-up,
 * then SECONDS measured. With RATE (logins/s) each worker is paced so that together they ask no
 * more than that, evenly spread — to compare the directory's cost per login at the rate another
 * figure ran at.
 *
 * Prints `measuring` when the measured window starts (the caller reads CPU meters then), and one
 * JSON line at its end: { rps, p50, p99, count }.
 */
export interface LoopOptions {
  seconds: number;
  concurrency: number;
  rate?: number;
}

export function loopOptions(env: NodeJS.ProcessEnv): LoopOptions {
  const rate = Number(env.RATE ?? 0);
  return { seconds: Number(env.SECONDS ?? 5), concurrency: Number(env.CONCURRENCY ?? 16), rate: rate > 0 ? rate : undefined };
}

export async function runLoginLoop(login: (worker: number) => Promise<void>, options: LoopOptions): Promise<void> {
  const { seconds, concurrency, rate } = options;
  const interval = rate ? (concurrency / rate) * 1000 : 0;

  const loop = async (until: number, latencies?: number[]): Promise<number> => {
    let done = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async (_, worker) => {
        // Paced workers start staggered, so the logins arrive evenly rather than in bursts.
        let next = performance.now() + (interval * worker) / concurrency;
        while (Date.now() < until) {
          if (interval) {
            const wait = next - performance.now();
            if (wait > 0) await new Promise((r) => setTimeout(r, wait));
            // A worker that fell behind does not catch up in a burst.
            next = Math.max(next + interval, performance.now());
          }
          const t0 = performance.now();
          await login(worker);
          latencies?.push(performance.now() - t0);
          done++;
        }
      }),
    );
    return done;
  };

  await loop(Date.now() + 1000); // warm-up
  const latencies: number[] = [];
  console.log('measuring');
  const started = Date.now();
  const done = await loop(started + seconds * 1000, latencies);
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? 0;
  console.log(JSON.stringify({ rps: done / elapsed, p50: pct(50), p99: pct(99), count: done }));
}
