import { trace } from "@opentelemetry/api";
import type { LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

/** Options of `addTraceContext()`: the keys to write the ids under. */
export interface AddTraceContextOptions {
  traceIdKey?: string;
  spanIdKey?: string;
  /** `null` leaves the flags out. */
  traceFlagsKey?: string | null;
}

const FLAGS_HEX = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, "0"));
const INVALID_TRACE_ID = "00000000000000000000000000000000";
const INVALID_SPAN_ID = "0000000000000000";

/**
 * Adds `trace_id`, `span_id` and `trace_flags` of the span active at the call (OpenTelemetry API).
 * Outside a valid span the record is left untouched. The keys can be renamed, e.g. to `request_id`.
 */
export function addTraceContext(options: AddTraceContextOptions = {}): Processor {
  const traceIdKey = options.traceIdKey ?? KEY.traceId;
  const spanIdKey = options.spanIdKey ?? KEY.spanId;
  const flagsKey = options.traceFlagsKey === undefined ? KEY.traceFlags : options.traceFlagsKey;
  return (record: LogRecord) => {
    const span = trace.getSpan(record.context);
    if (span === undefined) return record;
    const { traceId, spanId, traceFlags } = span.spanContext();
    // The cheap checks of isSpanContextValid(): ids from the SDK are always well-formed hex.
    if (traceId === INVALID_TRACE_ID || spanId === INVALID_SPAN_ID || traceId.length !== 32) return record;
    record.fields[traceIdKey] = traceId;
    record.fields[spanIdKey] = spanId;
    if (flagsKey !== null) record.fields[flagsKey] = FLAGS_HEX[traceFlags & 0xff];
    return record;
  };
}
