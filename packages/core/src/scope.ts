import { installHttpScopes } from "./internal/http-scopes.js";
import {
  createRootScope,
  currentScope,
  EMPTY_FIELDS,
  processContext,
  runInScope,
  Scope,
} from "./internal/scope.js";
import type { Fields } from "./record.js";

// Every request of a node:http / node:https server gets its own scope as soon as mlobs is loaded:
// the one place that must not wait for a call, since a request handled before it would bind
// process-wide. Modules that never use these exports are free to be left out (sideEffects: false).
installHttpScopes();

/** Where a bind goes: the current scope, or the process outside any scope. */
function holder(): { fields: Readonly<Fields> } {
  return currentScope() ?? processContext;
}

/**
 * Runs `fn` in a new scope with `fields` added to the current ones, bound to every record logged
 * inside it, across awaits, timers and callbacks; the scope ends when `fn` returns or its promise
 * settles, and nothing bound inside reaches the caller.
 * @example
 * await withContext({ request_id: id }, () => handle(req));
 */
export function withContext<T>(fields: Fields, fn: () => T): T {
  const parent = currentScope();
  const base = parent?.fields ?? processContext.fields;
  return runInScope(new Scope({ ...base, ...fields }, parent), fn);
}

/**
 * Wraps `handler` so that every call runs in a fresh scope, as every HTTP request does: for a queue
 * consumer's message handler, a timer, a job. The scope starts with the process-wide fields only and
 * ends when the call returns or its promise settles.
 * @example
 * queue.on("message", scoped(async (message) => {
 *   bindContext({ job_id: message.id });
 *   await handle(message);
 * }));
 */
export function scoped<Args extends unknown[], Result>(
  handler: (...args: Args) => Result,
): (...args: Args) => Result {
  return function scopedCall(this: unknown, ...args: Args): Result {
    return runInScope(createRootScope(), () => handler.apply(this, args));
  };
}

/**
 * Binds `fields` to the current scope (structlog's `bind_contextvars`): every record of the scope
 * has them from now on, wherever in the scope it is logged, until `clearContext()` or
 * `unbindContext()`. Outside any scope they are bound process-wide.
 */
export function bindContext(fields: Fields): void {
  const target = holder();
  target.fields = { ...target.fields, ...fields };
}

/** Removes `keys` from the fields bound to the current scope (process-wide outside any scope). */
export function unbindContext(...keys: string[]): void {
  const target = holder();
  const next = { ...target.fields };
  for (const key of keys) delete next[key];
  target.fields = next;
}

/** Removes every field bound to the current scope (structlog's `clear_contextvars`). */
export function clearContext(): void {
  holder().fields = EMPTY_FIELDS;
}

/** The fields bound to the current scope, or process-wide outside any scope (a read-only snapshot). */
export function getContext(): Readonly<Fields> {
  return holder().fields;
}
