import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { describe } from "../encode/walk.js";
import type { Fields } from "../record.js";
import { shared } from "./global.js";
import { warn } from "./warn.js";

/** The fields of a scope that has none, and of the process before anything is bound. */
export const EMPTY_FIELDS: Readonly<Fields> = Object.freeze({});

/** What an end-of-scope hook is given: the scope that ended. */
export type ScopeEndHook = (scope: Scope) => void;

/**
 * One unit of work: an HTTP request, a call of a `scoped()` function, a `withContext()` call, a
 * prediction. Everything that runs in it, across awaits, timers and event listeners, sees the
 * same `Scope` object, so a field bound anywhere in it is seen everywhere in it and nowhere else.
 */
export class Scope {
  /**
   * The fields bound in this scope. Replaced, never changed in place, by every bind: a snapshot
   * handed out by `getContext()` or held by a record stays as it was.
   */
  fields: Readonly<Fields>;
  /** The scope this one was started in by `withContext()`; it shares the parent's correlation id. */
  readonly parent: Scope | undefined;
  #id: string | undefined;
  #state: Map<symbol, unknown> | undefined;
  #hooks: ScopeEndHook[] | undefined;
  #ended = false;

  constructor(fields: Readonly<Fields>, parent?: Scope) {
    this.fields = fields;
    this.parent = parent;
  }

  /**
   * The scope's correlation id, written as `trace_id` when no valid span is active: 32 lowercase
   * hex (a valid W3C trace id), made on first use. A scope started inside another shares its id,
   * as a child span shares its trace id.
   */
  get traceId(): string {
    this.#id ??= this.parent?.traceId ?? randomUUID().replace(/-/g, "");
    return this.#id;
  }

  /** Per-scope state of features built on scopes, each under its own symbol. */
  get state(): Map<symbol, unknown> {
    this.#state ??= new Map();
    return this.#state;
  }

  /** Whether the scope has ended: its request closed, its function returned or its promise settled. */
  get ended(): boolean {
    return this.#ended;
  }

  /** Runs `hook` once when the scope ends; at once when it has already ended. */
  onEnd(hook: ScopeEndHook): void {
    if (this.#ended) {
      callHook(hook, this);
      return;
    }
    this.#hooks ??= [];
    this.#hooks.push(hook);
  }

  /** Ends the scope and runs its end hooks in the order they were added; later calls do nothing. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const hooks = this.#hooks;
    this.#hooks = undefined;
    if (hooks !== undefined) for (const hook of hooks) callHook(hook, this);
  }
}

function callHook(hook: ScopeEndHook, scope: Scope): void {
  try {
    hook(scope);
  } catch (error) {
    // The work of the scope is done: a failing hook must not fail the request or the message, nor
    // stop the hooks after it. It is a bug in mlobs, so it is said, not counted.
    warn(`mlobs: a scope end hook threw ${describe(error)}`);
  }
}

interface Shared {
  storage: AsyncLocalStorage<Scope>;
  process: { fields: Readonly<Fields> };
  httpInstalled: boolean;
}

// One storage per process, whichever copy of this module loaded it: the CJS build bundles this
// module into both entry points, and an application may load the ESM and the CJS build side by side.
const state: Shared = shared("scopes", () => ({
  storage: new AsyncLocalStorage<Scope>(),
  process: { fields: EMPTY_FIELDS },
  httpInstalled: false,
}));

export const storage: AsyncLocalStorage<Scope> = state.storage;

/** Fields bound outside any scope: seen by every record outside a scope and copied into new root scopes. */
export const processContext: { fields: Readonly<Fields> } = state.process;

/** Process-wide flags of this storage (the HTTP patch is installed once per process). */
export const sharedState: Pick<Shared, "httpInstalled"> = state;

/** The scope the caller runs in, or `undefined` outside any scope. */
export function currentScope(): Scope | undefined {
  return storage.getStore();
}

/**
 * A new scope that starts from the process-wide fields only, whatever scope the caller runs in:
 * the scope of an HTTP request or a `scoped()` call, which must never inherit another unit's fields.
 */
export function createRootScope(): Scope {
  return new Scope(processContext.fields);
}

/**
 * Runs `fn` in `scope` and ends the scope when `fn` returns, throws, or the promise it returns
 * settles.
 */
export function runInScope<T>(scope: Scope, fn: () => T): T {
  let result: T;
  try {
    result = storage.run(scope, fn);
  } catch (error) {
    scope.end();
    throw error;
  }
  if (isThenable(result)) {
    const end = () => scope.end();
    // Not `finally()` on the caller's promise: the caller keeps the promise it was given, and a
    // rejection handled by the caller must not become unhandled here.
    result.then(end, end);
  } else {
    scope.end();
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}
