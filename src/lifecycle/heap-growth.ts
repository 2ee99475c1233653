import { setFlagsFromString } from 'node:v8';

/**
 * How far V8 lets the old generation grow past what the last full collection kept, in percent.
 *
 * V8 picks that factor by the heap limit, and the heap limit by the machine's memory: with 8 GB or
 * more (a heap limit of 2 GB or more) it allows up to 4×, below that between 1.3× and 2×. The
 * service keeps about 30 MiB alive and promotes short-lived request objects at about 10 MiB/s under
 * load, so on a large host its old space filled with 80–120 MiB of garbage between collections,
 * over a third of its resident memory (docs/performance.md, "Resident memory under load"). 2× is
 * what V8 allows itself on a machine of just under 8 GB; with it the old space stayed near 55 MiB
 * and the time spent in collections under load did not change measurably, where the tighter
 * 1.3–1.4× of a 256–512 MB heap limit cost the service 5 % more CPU under verify and raised its p99
 * by half.
 */
export const HEAP_GROWING_PERCENT = 100;

/** True when the operator set V8's heap growth or old-space limit themselves (node flags or NODE_OPTIONS). */
export function heapGrowthChosenByOperator(execArgv: readonly string[], nodeOptions = ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((arg) => /^--(heap[-_]growing[-_]percent|max[-_]old[-_]space[-_]size)\b/.test(arg));
}

/**
 * Applied at start, before the first requests. V8 reads this flag each time it sets the next
 * collection's limit, so setting it at run time takes effect from the next collection on; an
 * operator's own --heap-growing-percent or --max-old-space-size (which V8 uses to pick the
 * factor) is left as given.
 */
export function boundHeapGrowth(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  if (heapGrowthChosenByOperator(execArgv, nodeOptions)) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
