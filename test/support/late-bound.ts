/**
 * An object that a file's tests can capture at once but that exists only once a beforeAll has
 * made it: every property read goes to what `current()` returns then.
 */
export function lateBound<T extends object>(current: () => T | undefined, what: string): T {
  return new Proxy({} as T, {
    get(_, key) {
      const target = current();
      if (!target) throw new Error(`${what} starts in beforeAll: use it inside a test or hook`);
      const value: unknown = Reflect.get(target, key);
      // Methods run on the object itself, so that classes with private state work through this too.
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
