import { describe, expect, it } from 'vitest';
import { boundHeapGrowth, heapGrowthChosenByOperator } from '../../src/lifecycle/heap-growth.js';

describe('heap growth bound', () => {
  it('is left to the operator who set the growth or the old-space limit', () => {
    expect(heapGrowthChosenByOperator(['--max-old-space-size=1024'])).toBe(true);
    expect(heapGrowthChosenByOperator([], '--enable-source-maps --heap-growing-percent=50')).toBe(true);
    expect(heapGrowthChosenByOperator([], '--max_old_space_size=512')).toBe(true);
    expect(boundHeapGrowth(['--max-old-space-size=1024'], '')).toBe(false);
  });

  it('applies otherwise', () => {
    expect(heapGrowthChosenByOperator(['--enable-source-maps'], '--max-semi-space-size=16')).toBe(false);
    expect(heapGrowthChosenByOperator([], undefined)).toBe(false);
  });
});
