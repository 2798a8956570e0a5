import type { HrTime } from "@opentelemetry/api";
import type { AnyValue, AnyValueMap, LogRecord as OtelLogRecord } from "@opentelemetry/api-logs";
import { limits } from "../internal/json.js";
import type { ExceptionInfo } from "../processors/format-exception.js";
import { describeError } from "../processors/format-exception.js";
import type { Bindings, LogRecord } from "../record.js";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  KEY,
  OTLP_SKIPPED_KEYS,
} from "../semconv.js";
import { toAttributeValue } from "./to-attribute-value.js";
import { toSeverityNumber } from "./to-severity-number.js";

const SKIPPED = new Set<string>(OTLP_SKIPPED_KEYS);
/** Each logger's bound fields as attributes, converted once per `bind()` like their JSON. */
const boundAttributes = new WeakMap<Bindings, { keys: string[]; values: AnyValue[] }>();
const MAX_CAUSES = 8;

/**
 * Maps a record onto the OpenTelemetry Logs data model: time -> timestamp and observedTimestamp,
 * level -> severityNumber and severityText, event -> eventName and body, the call's context ->
 * context (trace correlation), the exception -> `exception.*` attributes, and every other bound
 * or call field -> an attribute (nested objects kept as maps).
 * @example
 * otelLogger.emit(toOtelLogRecord(record));
 */
export function toOtelLogRecord(record: LogRecord): OtelLogRecord {
  const fields = record.fields;
  const attributes: AnyValueMap = {};
  // The converted bound fields first; a call field of the same name overwrites its key below.
  const bound = attributesOf(record.bindings);
  for (let i = 0; i < bound.keys.length; i++) attributes[bound.keys[i]!] = bound.values[i]!;
  // One pass over the call's fields; the exception keys are the only ones looked at twice.
  let exceptionFrom: string | undefined;
  for (const key in fields) {
    if (isSkipped(key)) continue;
    const value = fields[key];
    // Scalars, the usual case, are taken as they are; everything else goes through the conversion
    // (and `__proto__`, which a plain assignment would not create as a key).
    const type = typeof value;
    if (key === "__proto__") {
      setAttribute(attributes, key, value);
      continue;
    }
    if (type === "boolean" || (type === "number" && Number.isFinite(value))) {
      attributes[key] = value as AnyValue;
      continue;
    }
    if (type === "string" && (value as string).length <= limits.maxStringLength && !isExceptionKey(key)) {
      attributes[key] = value as AnyValue;
      continue;
    }
    if (exceptionFrom === undefined && isExceptionKey(key) && addException(attributes, value)) {
      exceptionFrom = key;
      continue;
    }
    setAttribute(attributes, key, value);
  }
  // formatException() writes `error` as the "Type: message" summary of the exception mapped above.
  if (exceptionFrom === KEY.exception && typeof fields[KEY.error] === "string") delete attributes[KEY.error];
  // An HrTime is taken as is; a number would be converted twice, against the time origin each time.
  const time: HrTime = [Math.trunc(record.time / 1000), (record.time % 1000) * 1e6];
  return {
    timestamp: time,
    observedTimestamp: time,
    severityNumber: toSeverityNumber(record.level),
    severityText: record.level,
    eventName: record.event,
    body: record.event,
    attributes,
    context: record.context,
  };
}

function attributesOf(bindings: Bindings): { keys: string[]; values: AnyValue[] } {
  let bound = boundAttributes.get(bindings);
  if (bound === undefined) {
    const converted: AnyValueMap = Object.create(null);
    for (const key in bindings.values) {
      if (!SKIPPED.has(key)) setAttribute(converted, key, bindings.values[key]);
    }
    bound = { keys: Object.keys(converted), values: Object.values(converted) };
    boundAttributes.set(bindings, bound);
  }
  return bound;
}

/** The keys of OTLP_SKIPPED_KEYS, compared directly: this runs for every field of every record. */
function isSkipped(key: string): boolean {
  return (
    key === KEY.timestamp ||
    key === KEY.level ||
    key === KEY.traceId ||
    key === KEY.spanId ||
    key === KEY.traceFlags
  );
}

function setAttribute(attributes: AnyValueMap, key: string, value: unknown): void {
  // Most fields are scalars: skip the general conversion for them.
  const type = typeof value;
  const converted =
    (type === "number" && Number.isFinite(value)) ||
    type === "boolean" ||
    (type === "string" && (value as string).length <= limits.maxStringLength)
      ? (value as AnyValue)
      : toAttributeValue(value);
  if (converted === undefined) return;
  if (key === "__proto__") {
    Object.defineProperty(attributes, key, {
      value: converted,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  } else attributes[key] = converted;
}

/** Keys that may carry an Error when no formatException() ran, as formatException() reads them. */
function isExceptionKey(key: string): boolean {
  return key === KEY.exception || key === "err" || key === KEY.error;
}

/**
 * Writes the `exception.*` attributes from what formatException() left under `exception`, or from
 * an Error under `err`, `error` or `exception` when it did not run. False when `value` is neither.
 */
function addException(attributes: AnyValueMap, value: unknown): boolean {
  let info: ExceptionInfo;
  if (value instanceof Error) {
    try {
      info = describeError(value, 0);
    } catch {
      return false;
    }
  } else if (isExceptionInfo(value)) info = value;
  else return false;
  attributes[ATTR_EXCEPTION_TYPE] = info.type;
  attributes[ATTR_EXCEPTION_MESSAGE] = info.message;
  const stacktrace = stackWithCauses(info);
  if (stacktrace !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = stacktrace;
  return true;
}

function isExceptionInfo(value: unknown): value is ExceptionInfo {
  return (
    typeof value === "object" &&
    value !== null &&
    !(value instanceof Error) &&
    typeof (value as ExceptionInfo).type === "string" &&
    typeof (value as ExceptionInfo).message === "string"
  );
}

/** The stack trace, followed by the cause chain in Java's "Caused by:" form (OTLP has no cause field). */
function stackWithCauses(info: ExceptionInfo): string | undefined {
  let text = typeof info.stacktrace === "string" ? info.stacktrace : undefined;
  let cause = info.cause;
  for (let depth = 0; cause !== undefined && depth < MAX_CAUSES; depth++) {
    const line = typeof cause === "string" ? cause : (cause.stacktrace ?? `${cause.type}: ${cause.message}`);
    text = `${text ?? `${info.type}: ${info.message}`}\nCaused by: ${line}`;
    cause = typeof cause === "string" ? undefined : cause.cause;
  }
  return text;
}
