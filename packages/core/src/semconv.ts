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

/**
 * Keys the default processors add that an OpenTelemetry log record carries in its own fields
 * (timestamp, severity, trace context), so the OTLP output leaves them out of the attributes.
 */
export const OTLP_SKIPPED_KEYS: readonly string[] = [
  KEY.timestamp,
  KEY.level,
  KEY.traceId,
  KEY.spanId,
  KEY.traceFlags,
];

/** The event of the warning written to the local outputs when records could not be delivered over OTLP. */
export const EVENT_RECORDS_DROPPED = "telemetry_records_dropped";

/** The counter of log records that could not be delivered over OTLP, by `reason`. */
export const METRIC_RECORDS_DROPPED = "mlobs.logs.dropped";
