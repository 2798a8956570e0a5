import { inspect } from "node:util";
import type { Fields } from "@mlobs/core";
import { type Context, context as otelContext } from "@opentelemetry/api";

/** Where `instrument()` keeps what it captured at the log call, on the winston info object. */
export const CAPTURED = Symbol.for("mlobs.winston.captured");

/** Where instrumentation-winston keeps the OTel context it captured at the call. */
export const CONTRIB_CONTEXT = Symbol.for("opentelemetry.js.contrib.winston.context");

/**
 * The OpenTelemetry context and the mlobs context fields active when a log method was called.
 * Formats and transports may run later, outside the caller's async context, so they read these.
 */
export class Captured {
  constructor(
    readonly context: Context,
    readonly fields: Readonly<Fields>,
    /** Milliseconds since the epoch at the call. */
    readonly time: number,
    /** Set by `winstonOutput()`: the record was captured by mlobs, a re-capture must not replace it. */
    readonly fixed = false,
  ) {}

  // formats like prettyPrint() inspect the whole info object: keep the Context out of the line.
  [inspect.custom](): string {
    return "[mlobs captured context]";
  }
}

type Info = Record<PropertyKey, unknown>;

/** What was captured for `info` at its call, if anything. */
export function capturedOf(info: object): Captured | undefined {
  const captured = (info as Info)[CAPTURED];
  return captured instanceof Captured ? captured : undefined;
}

/** The OTel context of `info`'s call: captured by us, else by instrumentation-winston, else the current one. */
export function callContext(info: object): Context {
  const captured = (info as Info)[CAPTURED];
  if (captured instanceof Captured) return captured.context;
  const contrib = (info as Info)[CONTRIB_CONTEXT];
  if (contrib !== undefined && contrib !== null && typeof (contrib as Context).getValue === "function") {
    return contrib as Context;
  }
  return otelContext.active();
}

/** Whether anything captured `info`'s context at the call. */
export function wasCaptured(info: object): boolean {
  return (info as Info)[CAPTURED] instanceof Captured || (info as Info)[CONTRIB_CONTEXT] !== undefined;
}
