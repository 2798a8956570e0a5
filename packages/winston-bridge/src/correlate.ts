import { getContext } from "@mlobs/core";
import { validSpanContext } from "@mlobs/core/integrations";
import type winston from "winston";
import { callContext, capturedOf, wasCaptured } from "./internal/captured.js";
import { FLAGS_HEX } from "./internal/trace-fields.js";

type Info = winston.Logform.TransformableInfo;

let warnedUncaptured = false;

function warnUncaptured(): void {
  if (warnedUncaptured) return;
  warnedUncaptured = true;
  process.emitWarning(
    "mlobs: correlate() saw a winston record whose context was not captured at the call; " +
      "call instrument(logger) (or add OpenTelemetryTransport) so trace ids survive deferred formats",
  );
}

/**
 * A winston format that adds `trace_id`, `span_id`, `trace_flags` (two hex digits) of the span
 * active at the log call, and the fields bound with `withContext()`/`bindContext()` (the call's own
 * meta wins). It reads the context `instrument()` captured at the call, falling back to the current one.
 * @example
 * format: winston.format.combine(correlate(), winston.format.json())
 */
export function correlate(): winston.Logform.Format {
  return {
    options: {},
    transform(info: Info): Info {
      if (!wasCaptured(info)) warnUncaptured();
      const spanContext = validSpanContext(callContext(info));
      if (spanContext !== undefined) {
        info.trace_id = spanContext.traceId;
        info.span_id = spanContext.spanId;
        info.trace_flags = FLAGS_HEX[spanContext.traceFlags & 0xff];
      }
      const bound = capturedOf(info)?.fields ?? getContext();
      for (const key in bound) {
        if (!(key in info)) info[key] = bound[key];
      }
      return info;
    },
  };
}
