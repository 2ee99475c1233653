import { describe, expect, it } from 'vitest';
import { wasmTieringChosenByOperator } from '../../src/store/engines/wasm-tiering.js';

describe('WASM tiering of the embedded engine', () => {
  it('is left as the operator set it on the node command line', () => {
    for (const arg of ['--wasm-tier-up', '--no-wasm-tier-up', '--wasm-dynamic-tiering', '--no-wasm_dynamic_tiering', '--wasm-tiering-budget=1000']) {
      expect(wasmTieringChosenByOperator(['--enable-source-maps', arg]), arg).toBe(true);
    }
  });

  it('is chosen by the service otherwise', () => {
    expect(wasmTieringChosenByOperator([])).toBe(false);
    expect(wasmTieringChosenByOperator(['--heap-growing-percent=100', '--wasm-lazy-compilation'])).toBe(false);
  });
});
