import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { currentScope } from "../internal/scope.js";
import type { LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";
import { validSpanContext } from "../valid-span-context.js";

/** Options of `addTraceContext()`: the keys to write the ids under. */
export interface AddTraceContextOptions {
  /** Default: `trace_id`. */
  traceIdKey?: string;
  /** Default: `span_id`. */
  spanIdKey?: string;
  /** Default: `trace_flags`; `null` leaves the flags out. */
  traceFlagsKey?: string | null;
}

const OPTION_NAMES = ["traceIdKey", "spanIdKey", "traceFlagsKey"];
const FLAGS_HEX = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, "0"));
function checkKey(option: string, value: unknown, nullable: boolean): void {
  if (value === undefined || (nullable && value === null)) return;
  if (typeof value !== "string" || value === "") {
    throw new TypeError(
      `mlobs: addTraceContext({ ${option}: ${String(value)} }): expected a non-empty string${nullable ? " or null" : ""}`,
    );
  }
}

/**
 * Adds `trace_id`, `span_id` and `trace_flags` of the span active at the call (OpenTelemetry API).
 * Outside a valid span, inside a scope (a request, a `scoped()` call), `trace_id` is the scope's own
 * correlation id; outside both the record is left untouched. The keys can be renamed, e.g. to `request_id`.
 * @example
 * createLogger({ processors: [addTraceContext({ traceIdKey: "request_id" })] });
 */
export function addTraceContext(options: AddTraceContextOptions = {}): Processor {
  rejectUnknownOptions("addTraceContext()", options, OPTION_NAMES);
  checkKey("traceIdKey", options.traceIdKey, false);
  checkKey("spanIdKey", options.spanIdKey, false);
  checkKey("traceFlagsKey", options.traceFlagsKey, true);
  const traceIdKey = options.traceIdKey ?? KEY.traceId;
  const spanIdKey = options.spanIdKey ?? KEY.spanId;
  const flagsKey = options.traceFlagsKey === undefined ? KEY.traceFlags : options.traceFlagsKey;
  return (record: LogRecord) => {
    const spanContext = validSpanContext(record.context);
    if (spanContext === undefined) {
      // Without an OpenTelemetry SDK (or outside its spans) the records of one scope still share an id.
      const scope = currentScope();
      if (scope !== undefined) record.fields[traceIdKey] = scope.traceId;
      return record;
    }
    record.fields[traceIdKey] = spanContext.traceId;
    record.fields[spanIdKey] = spanContext.spanId;
    if (flagsKey !== null) record.fields[flagsKey] = FLAGS_HEX[spanContext.traceFlags & 0xff];
    return record;
  };
}
