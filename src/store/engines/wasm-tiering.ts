import { setFlagsFromString } from 'node:v8';

/**
 * The embedded engine's WASM stays on V8's baseline compiler (Liftoff) instead of being
 * recompiled by the optimizing one (TurboFan) as its functions get hot.
 *
 * Why: PGlite is 9 MB of WASM. Within the first second of a start its catalog and start-up code is
 * hot enough for V8 to start recompiling its functions on background threads — about 0.8 s of CPU,
 * in the same second the service loads its modules and compiles its routes, so on two cores a
 * restart became ready 0.3 s later and held 50 MB more. Once warm the optimized code runs the
 * engine's statements about a tenth faster (`bench/pglite-tiers.ts`); the embedded engine serves
 * development and demos, where the start counts for more (docs/performance.md, "Embedded
 * start-up"). Production runs on PostgreSQL and runs no WASM.
 */
export const BASELINE_ONLY_FLAGS = ['--no-wasm-dynamic-tiering', '--no-wasm-tier-up'] as const;

/** True when the operator chose V8's WASM tiering themselves on the node command line. */
export function wasmTieringChosenByOperator(execArgv: readonly string[]): boolean {
  return execArgv.some((arg) => /^--(no-)?wasm[-_](tier[-_]up|dynamic[-_]tiering|tiering[-_]budget)\b/.test(arg));
}

let applied = false;

/**
 * Applied before the first PGlite instance compiles its module (V8 reads the flags when it compiles
 * one); once per process. Only the embedded engine runs WASM in this service.
 */
export function keepWasmOnBaselineTier(execArgv: readonly string[] = process.execArgv): boolean {
  if (applied || wasmTieringChosenByOperator(execArgv)) return false;
  for (const flag of BASELINE_ONLY_FLAGS) setFlagsFromString(flag);
  applied = true;
  return true;
}
