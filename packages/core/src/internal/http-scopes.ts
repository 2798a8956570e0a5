import * as http from "node:http";
import * as https from "node:https";
import { createRootScope, type Scope, sharedState, storage } from "./scope.js";

/** The scope of the request a server's IncomingMessage or ServerResponse belongs to. */
const SCOPE = Symbol("mlobs.scope");

type Emit = (this: unknown, type: string | symbol, ...args: unknown[]) => boolean;
type Scoped = { [SCOPE]?: Scope };

// The server events whose listeners handle one request (req, res): each call gets a fresh scope.
const REQUEST_EVENTS = new Set<string | symbol>(["request", "checkContinue", "checkExpectation"]);

/**
 * Gives every request of every node:http and node:https server (and so Express, Fastify, Koa) a
 * fresh scope, before its first listener runs, with or without OpenTelemetry.
 *
 * Why a wrapped `emit` and not the `http.server.request.start` diagnostics channel: a channel
 * subscriber can only `enterWith()` a store into the connection's async context, which then
 * stays there after the request (the socket's own events, the next request's parsing), while
 * `AsyncLocalStorage.run()` around the emit restores the connection's context when the listeners
 * return. Neither would be enough alone: Node emits a request's body events ('data', 'end') from
 * the connection's context and, with pipelining, a response's 'finish' and 'close' from the
 * previous response's, so the request and the response themselves carry their scope and emit
 * their events in it (which is also how body-parsing middleware's `next()` stays in the request).
 * The same wrapping is what OpenTelemetry's HTTP instrumentation does for its context.
 */
export function installHttpScopes(): void {
  if (sharedState.httpInstalled) return;
  sharedState.httpInstalled = true;
  wrapServerEmit(http.Server.prototype as unknown as { emit: Emit });
  wrapServerEmit(https.Server.prototype as unknown as { emit: Emit });
  wrapMessageEmit(http.IncomingMessage.prototype as unknown as { emit: Emit }, false);
  wrapMessageEmit(http.ServerResponse.prototype as unknown as { emit: Emit }, true);
}

function wrapServerEmit(proto: { emit: Emit }): void {
  const emit = proto.emit;
  proto.emit = function emitRequestInScope(this: unknown, type, ...args) {
    if (!REQUEST_EVENTS.has(type)) return emit.call(this, type, ...args);
    const scope = createRootScope();
    const [req, res] = args as [Scoped | undefined, Scoped | undefined];
    if (req !== null && typeof req === "object") req[SCOPE] = scope;
    if (res !== null && typeof res === "object") res[SCOPE] = scope;
    return storage.run(scope, () => emit.call(this, type, ...args));
  };
}

function wrapMessageEmit(proto: { emit: Emit }, endsScope: boolean): void {
  const emit = proto.emit;
  proto.emit = function emitInRequestScope(this: unknown, type, ...args) {
    const scope = (this as Scoped)[SCOPE];
    // A client's IncomingMessage has no scope; a request's events mostly already run in it.
    if (scope === undefined) return emit.call(this, type, ...args);
    try {
      if (storage.getStore() === scope) return emit.call(this, type, ...args);
      return storage.run(scope, () => emit.call(this, type, ...args));
    } finally {
      // The response's 'close' comes last, after 'finish' or when the connection is lost.
      if (endsScope && type === "close") scope.end();
    }
  };
}
