import { describe, expect, it } from 'vitest';
import { batchedLoader } from '../../src/store/batched-loader.js';

const tick = () => new Promise((r) => setImmediate(r));

describe('batchedLoader', () => {
  it('sends the calls of one turn of the event loop as one batch, and answers each with its own value', async () => {
    const batches: number[][] = [];
    const loader = batchedLoader<number, number>(async (keys) => {
      batches.push([...keys]);
      return keys.map((k) => k * 10);
    }, { maxBatchSize: 100, maxInFlight: 2 });
    expect(await Promise.all([1, 2, 3].map((k) => loader.load(k)))).toEqual([10, 20, 30]);
    expect(batches).toEqual([[1, 2, 3]]);
    // Nothing is remembered: the same key loads again.
    expect(await loader.load(1)).toBe(10);
    expect(batches).toHaveLength(2);
  });

  it('keeps at most maxInFlight batches running; calls arriving meanwhile gather into the next batch', async () => {
    const releases: (() => void)[] = [];
    const batches: number[][] = [];
    let running = 0;
    let mostRunning = 0;
    const loader = batchedLoader<number, number>(async (keys) => {
      batches.push([...keys]);
      running++;
      mostRunning = Math.max(mostRunning, running);
      await new Promise<void>((r) => releases.push(r));
      running--;
      return keys;
    }, { maxBatchSize: 100, maxInFlight: 1 });

    const first = loader.load(1);
    await tick();
    expect(batches).toEqual([[1]]);
    // The database is busy with batch one: these wait, together.
    const later = [2, 3].map((k) => loader.load(k));
    await tick();
    const last = loader.load(4);
    await tick();
    expect(batches).toEqual([[1]]);

    releases.shift()!();
    expect(await first).toBe(1);
    await tick();
    expect(batches).toEqual([[1], [2, 3, 4]]);
    releases.shift()!();
    expect(await Promise.all([...later, last])).toEqual([2, 3, 4]);
    expect(mostRunning).toBe(1);
  });

  it('splits at maxBatchSize and rejects every call of a failed batch', async () => {
    const sizes: number[] = [];
    const loader = batchedLoader<number, number>(async (keys) => {
      sizes.push(keys.length);
      if (keys.includes(13)) throw new Error('database down');
      return keys;
    }, { maxBatchSize: 4, maxInFlight: 4 });
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => loader.load(i + 10)));
    expect(sizes).toEqual([4, 4, 2]);
    expect(results.slice(0, 4).every((r) => r.status === 'rejected')).toBe(true);
    expect(results.slice(4).every((r) => r.status === 'fulfilled')).toBe(true);
  });
});
