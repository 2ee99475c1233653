import { describe, expect, it } from 'vitest';
import { jobWindow, type Sample } from '../../bench/volume/jobs.js';
import { medianPass } from '../../bench/volume/queries.js';

describe('bench:volume figures', () => {
  it('reports the pass with the median p99, wherever it ran', () => {
    const passes = [{ p99: 3.1 }, { p99: 0.4 }, { p99: 0.6 }];
    expect(medianPass(passes)).toEqual({ pass: { p99: 0.6 }, index: 2 });
    expect(medianPass([{ p99: 2 }])).toEqual({ pass: { p99: 2 }, index: 0 });
    expect(medianPass([{ p99: 2 }, { p99: 1 }]).pass.p99).toBe(1);
  });

  // One sample a millisecond, 1 ms each, except the burst.
  const loop = (from: number, to: number, slow: (at: number) => boolean): Sample[] =>
    Array.from({ length: to - from }, (_, i) => ({ at: from + i, ms: slow(from + i) ? 40 : 1 }));

  it('judges a long job over the requests sent while it ran', () => {
    const samples = loop(0, 5_000, () => false);
    const { during, judged } = jobWindow(samples, 1_000, 2_999);
    expect(during).toHaveLength(2_000);
    expect(judged).toBe(during);
  });

  it('stretches a short job past its end to 1,000 requests, in the order they were sent', () => {
    // Sent in order, completed out of order: the loop records a request when it answers.
    const samples = loop(0, 3_000, (at) => at >= 1_000 && at < 1_020).reverse();
    const { during, judged } = jobWindow(samples, 1_000, 1_049);
    expect(during).toHaveLength(50);
    expect(judged).toHaveLength(1_000);
    // The job's 20 slow requests are 2 % of the 1,000: the p99 still shows them.
    expect([...judged].sort((a, b) => a - b)[990]).toBe(40);
    expect(judged.filter((ms) => ms === 40)).toHaveLength(20);
  });

  it('takes what there is when fewer than 1,000 requests follow the start', () => {
    const { judged } = jobWindow(loop(0, 1_500, () => false), 1_000, 1_010);
    expect(judged).toHaveLength(500);
  });
});
