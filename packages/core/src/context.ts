import { AsyncLocalStorage } from "node:async_hooks";
import { shared } from "./internal/global.js";
import type { Fields } from "./record.js";

// Each store is immutable: binding creates a new one, so an async continuation keeps exactly the
// fields that were bound when it was scheduled and one request's fields never reach another's.
const storage = shared("context", () => new AsyncLocalStorage<Readonly<Fields>>());
const EMPTY: Readonly<Fields> = Object.freeze({});

/**
 * Runs `fn` with `fields` bound to every record logged inside it, across awaits, timers and
 * callbacks; the binding ends with the scope.
 * @example
 * await withContext({ request_id: id }, () => handle(req));
 */
export function withContext<T>(fields: Fields, fn: () => T): T {
  return storage.run({ ...getContext(), ...fields }, fn);
}

/**
 * Binds `fields` to the current async context until `clearContext()` or `unbindContext()`
 * (structlog's `bind_contextvars`). Work started afterwards from here inherits them.
 */
export function bindContext(fields: Fields): void {
  storage.enterWith({ ...getContext(), ...fields });
}

/** Removes `keys` from the fields bound to the current async context. */
export function unbindContext(...keys: string[]): void {
  const next = { ...getContext() };
  for (const key of keys) delete next[key];
  storage.enterWith(next);
}

/** Removes every field bound to the current async context (structlog's `clear_contextvars`). */
export function clearContext(): void {
  storage.enterWith(EMPTY);
}

/** The fields bound to the current async context (a read-only snapshot). */
export function getContext(): Readonly<Fields> {
  return storage.getStore() ?? EMPTY;
}
