/** The major version of this package: copies of the same major share their state. */
const MAJOR = 0;

/**
 * A process-wide value shared by every copy of this package of the same major version (the ES
 * module and the CommonJS build, or two installs), created once by `create`. It is kept on
 * `globalThis` under a versioned `Symbol.for` key, as `@opentelemetry/api` keeps its registry, so
 * context bound in one copy and configuration set in one are what the other reads.
 * @example
 * const storage = shared("context", () => new AsyncLocalStorage<Fields>());
 */
export function shared<T>(name: string, create: () => T): T {
  const key = Symbol.for(`mlobs.core.${name}@${MAJOR}`);
  const store = globalThis as unknown as Record<symbol, T | undefined>;
  store[key] ??= create();
  return store[key];
}
