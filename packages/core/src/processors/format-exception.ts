import type { Fields, LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

/** The structured form of an exception, as written under `exception`. */
export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace?: string;
  cause?: ExceptionInfo | string;
  /** The errors of an AggregateError. */
  errors?: (ExceptionInfo | string)[];
}

/** Keys that may carry an Error in a log call, in the order they are looked at. */
const ERROR_KEYS = ["err", "error", "exception"] as const;
const MAX_CAUSES = 8;

/**
 * Turns an Error given as `err`, `error` or `exception` into `error` (`"Type: message"`, the
 * tutorial's key) and `exception` (`{type, message, stacktrace, cause, errors}`), following cause
 * chains and AggregateError.
 */
export function formatException(): Processor {
  return (record: LogRecord) => {
    const fields = record.fields;
    for (const key of ERROR_KEYS) {
      const value = fields[key];
      if (value instanceof Error) {
        if (key === "err") delete fields.err;
        fields[KEY.error] = `${errorType(value)}: ${value.message}`;
        fields[KEY.exception] = describeError(value, 0);
        return record;
      }
    }
    return record;
  };
}

function errorType(error: Error): string {
  return error.name || error.constructor?.name || "Error";
}

/** Describes an Error as `ExceptionInfo`, following causes up to a fixed depth. */
export function describeError(error: Error, depth: number): ExceptionInfo {
  const info: ExceptionInfo = { type: errorType(error), message: String(error.message) };
  if (typeof error.stack === "string") info.stacktrace = error.stack;
  if (depth < MAX_CAUSES) {
    if (error.cause !== undefined) info.cause = describeCause(error.cause, depth);
    if (error instanceof AggregateError && Array.isArray(error.errors)) {
      info.errors = error.errors.map((inner: unknown) => describeCause(inner, depth));
    }
  }
  const extra = error as unknown as Fields;
  if (typeof extra.code === "string" || typeof extra.code === "number") {
    (info as unknown as Fields).code = extra.code;
  }
  return info;
}

function describeCause(cause: unknown, depth: number): ExceptionInfo | string {
  return cause instanceof Error ? describeError(cause, depth + 1) : String(cause);
}
