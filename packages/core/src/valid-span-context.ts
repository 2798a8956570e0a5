import { type Context, type SpanContext, trace } from "@opentelemetry/api";

const INVALID_TRACE_ID = "00000000000000000000000000000000";
const INVALID_SPAN_ID = "0000000000000000";

/**
 * The span context of the span active in `context`, when it is valid: what every writer of trace
 * ids (processors, the winston bridge) checks before writing them.
 * @example
 * const spanContext = validSpanContext(context.active());
 */
export function validSpanContext(context: Context): SpanContext | undefined {
  const span = trace.getSpan(context);
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  const { traceId, spanId } = spanContext;
  // The cheap part of isSpanContextValid(): ids from the SDK or a parsed traceparent are lowercase hex.
  if (
    traceId.length !== 32 ||
    spanId.length !== 16 ||
    traceId === INVALID_TRACE_ID ||
    spanId === INVALID_SPAN_ID
  ) {
    return undefined;
  }
  return spanContext;
}
