import { describeError, type ExceptionInfo, isError } from "../encode/walk.js";
import type { LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

export type { ExceptionInfo };

/** Keys that may carry an Error in a log call, in the order they are looked at. */
const ERROR_KEYS = ["err", "error", "exception"] as const;

/**
 * Turns an Error given as `err`, `error` or `exception` into `error` (`"Type: message"`, the
 * tutorial's key) and `exception` (`{type, message, stacktrace, code?, cause?, errors?}`, the one
 * Error description every output uses), following cause chains and AggregateError members within
 * the logger's limits.
 * @example
 * log.error("prediction_failed", err); // {"error":"TypeError: ...","exception":{...}}
 */
export function formatException(): Processor {
  return (record: LogRecord) => {
    const fields = record.fields;
    for (const key of ERROR_KEYS) {
      const value = fields[key];
      if (isError(value)) {
        if (key === "err") delete fields.err;
        const info = describeError(value);
        fields[KEY.error] = `${info.type}: ${info.message}`;
        fields[KEY.exception] = info;
        return record;
      }
    }
    return record;
  };
}
