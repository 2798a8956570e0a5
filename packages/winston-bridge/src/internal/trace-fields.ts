import { type Context, type SpanContext, trace } from "@opentelemetry/api";

const INVALID_TRACE_ID = "00000000000000000000000000000000";
const INVALID_SPAN_ID = "0000000000000000";

/** `trace_flags` as two lowercase hex digits, the form mlobs's JSON records use. */
export const FLAGS_HEX = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, "0"));

/** Keys the trace context is written under in winston records; never copied into OTel attributes. */
export const TRACE_KEYS: ReadonlySet<string> = new Set(["trace_id", "span_id", "trace_flags"]);

/** The span context active in `ctx`, when it is valid. */
export function validSpanContext(ctx: Context): SpanContext | undefined {
  const span = trace.getSpan(ctx);
  if (span === undefined) return undefined;
  const spanContext = span.spanContext();
  const { traceId, spanId } = spanContext;
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
