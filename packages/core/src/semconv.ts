/** Keys of the JSON record that mlobs itself writes (DESIGN.md, record contract). */
export const KEY = {
  timestamp: "timestamp",
  level: "level",
  event: "event",
  logger: "logger",
  traceId: "trace_id",
  spanId: "span_id",
  traceFlags: "trace_flags",
  error: "error",
  exception: "exception",
} as const;

/** OpenTelemetry semantic-convention attribute keys for exceptions. */
export const ATTR_EXCEPTION_TYPE = "exception.type";
export const ATTR_EXCEPTION_MESSAGE = "exception.message";
export const ATTR_EXCEPTION_STACKTRACE = "exception.stacktrace";
