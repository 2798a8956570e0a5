import { types } from "node:util";
import type { Fields, LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

/** The structured form of an exception, as written under `exception`. */
export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace?: string;
  /** The `cause` of the error: described when it is an Error, else as a string. */
  cause?: ExceptionInfo | string;
  /** The errors of an AggregateError. */
  errors?: (ExceptionInfo | string)[];
  /** A string or numeric `code` property (Node's system errors: `ECONNREFUSED`). */
  code?: string | number;
}

/** Keys that may carry an Error in a log call, in the order they are looked at. */
const ERROR_KEYS = ["err", "error", "exception"] as const;
/** How deep causes and aggregated errors are followed; a longer chain ends in a marker. */
const MAX_DEPTH = 8;
const MAX_AGGREGATED = 32;

/**
 * Turns an Error given as `err`, `error` or `exception` into `error` (`"Type: message"`, the
 * tutorial's key) and `exception` (`{type, message, stacktrace, cause, errors}`), following cause
 * chains and AggregateError.
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

// Errors from another realm (vm, worker messages) fail `instanceof Error`.
function isError(value: unknown): value is Error {
  return (
    value instanceof Error || (typeof value === "object" && value !== null && types.isNativeError(value))
  );
}

/** Reads a property as a string; getters that throw and odd values (symbols) must not cost the record. */
function read(error: Error, key: "name" | "message" | "stack"): string | undefined {
  try {
    const value: unknown = error[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : String(value);
  } catch {
    return undefined;
  }
}

function errorType(error: Error): string {
  const name = read(error, "name");
  if (name) return name;
  try {
    return error.constructor?.name || "Error";
  } catch {
    return "Error";
  }
}

/**
 * Describes an Error as `ExceptionInfo`, following causes and aggregated errors up to a fixed depth;
 * an error met again on its own chain (a cause cycle) is written as `"[Circular]"`.
 */
export function describeError(error: Error, depth = 0, seen: Error[] = []): ExceptionInfo {
  const info: ExceptionInfo = { type: errorType(error), message: read(error, "message") ?? "" };
  const stack = read(error, "stack");
  if (stack !== undefined) info.stacktrace = stack;
  seen.push(error);
  try {
    const cause = readCause(error);
    if (cause !== undefined) info.cause = describeCause(cause, depth, seen);
    if (error instanceof AggregateError && Array.isArray(error.errors)) {
      const errors = error.errors
        .slice(0, MAX_AGGREGATED)
        .map((inner: unknown) => describeCause(inner, depth, seen));
      const more = error.errors.length - MAX_AGGREGATED;
      if (more > 0) errors.push(`[${more} more errors]`);
      info.errors = errors;
    }
    const code = (error as unknown as Fields).code;
    if (typeof code === "string" || typeof code === "number") info.code = code;
  } catch {
    // A throwing getter on `cause`, `errors` or `code`: keep what was read.
  } finally {
    seen.pop();
  }
  return info;
}

function readCause(error: Error): unknown {
  try {
    return error.cause;
  } catch {
    return "[Unreadable cause]";
  }
}

function describeCause(cause: unknown, depth: number, seen: Error[]): ExceptionInfo | string {
  if (!isError(cause)) return safeString(cause);
  if (seen.includes(cause)) return "[Circular]";
  if (depth + 1 >= MAX_DEPTH) return `[${errorType(cause)}: cause chain deeper than ${MAX_DEPTH}]`;
  return describeError(cause, depth + 1, seen);
}

function safeString(value: unknown): string {
  try {
    return typeof value === "object" && value !== null
      ? (JSON.stringify(value) ?? String(value))
      : String(value);
  } catch {
    try {
      return String(value);
    } catch {
      return "[Unprintable]";
    }
  }
}
