import type { HrTime } from "@opentelemetry/api";
import {
  type AnyValue,
  type AnyValueMap,
  type LoggerProvider,
  logs,
  type Logger as OtelLogger,
  type LogRecord as OtelLogRecord,
} from "@opentelemetry/api-logs";
import {
  describeError,
  type ExceptionInfo,
  isError,
  isErrorDescription,
  isExceptionInfo,
  isWalkedFields,
  type Plain,
  walk,
} from "../encode/walk.js";
import { diagnostics } from "../internal/diagnostics.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { toSeverityNumber } from "../otel/to-severity-number.js";
import type { Fields, LogRecord, Output } from "../record.js";
import {
  ATTR_EXCEPTION_MESSAGE,
  ATTR_EXCEPTION_STACKTRACE,
  ATTR_EXCEPTION_TYPE,
  KEY,
  OTLP_SKIPPED_KEYS,
} from "../semconv.js";

/** Options of `otelOutput()`. */
export interface OtelOutputOptions {
  /** Where records are emitted. Default: the global LoggerProvider (`logs.getLoggerProvider()`). */
  loggerProvider?: LoggerProvider;
  /** The instrumentation scope of records from loggers without a name. Default: `@mlobs/core`. */
  scopeName?: string;
}

/** What differs when the record comes from elsewhere than an mlobs logger (a winston transport). */
export interface OtelOverrides {
  severityNumber?: OtelLogRecord["severityNumber"];
  severityText?: string;
  /** Any value: converted as an attribute value is. */
  body?: unknown;
  eventName?: string | undefined;
}

interface Flushable {
  forceFlush?: () => Promise<unknown>;
}

const OPTION_NAMES = ["loggerProvider", "scopeName"];
const SKIPPED = new Set<string>(OTLP_SKIPPED_KEYS);
/** Each logger's bound fields as attributes, converted once per bindings object, like their JSON. */
const boundAttributes = new WeakMap<object, AnyValueMap>();
/** How many causes `exception.stacktrace` follows ("Caused by: ..."). */
const MAX_CAUSES = 8;

/**
 * An output that hands each record to the OpenTelemetry Logs API (`logger.emit()`), mapped by
 * `toOtelLogRecord()`; a named logger's name becomes the instrumentation scope. Batching and OTLP
 * export belong to the LoggerProvider's processors (see `startTelemetry()`).
 * @example
 * createLogger({ outputs: [stdoutOutput(), otelOutput({ loggerProvider })] });
 */
export function otelOutput(options: OtelOutputOptions = {}): Output {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: otelOutput(options): expected an object with any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  rejectUnknownOptions("otelOutput()", options, OPTION_NAMES);
  const provider = options.loggerProvider;
  if (provider !== undefined && typeof provider?.getLogger !== "function") {
    throw new TypeError("mlobs: otelOutput({ loggerProvider }): expected a LoggerProvider with getLogger()");
  }
  if (options.scopeName !== undefined && typeof options.scopeName !== "string") {
    throw new TypeError("mlobs: otelOutput({ scopeName }): expected a string");
  }
  const scopeName = options.scopeName ?? "@mlobs/core";
  const loggers = new Map<string | undefined, OtelLogger>();
  let unnamed: OtelLogger | undefined;
  let closed = false;

  function loggerFor(name: string | undefined): OtelLogger {
    if (name === undefined && unnamed !== undefined) return unnamed;
    let logger = loggers.get(name);
    if (logger === undefined) {
      logger = (provider ?? logs.getLoggerProvider()).getLogger(name ?? scopeName);
      loggers.set(name, logger);
    }
    if (name === undefined) unnamed = logger;
    return logger;
  }

  async function flush(): Promise<void> {
    const target = (provider ?? logs.getLoggerProvider()) as LoggerProvider & Flushable;
    if (typeof target.forceFlush === "function") await target.forceFlush();
  }

  return {
    write(record: LogRecord) {
      if (closed) {
        diagnostics.dropped++;
        return;
      }
      loggerFor(record.logger).emit(toOtelLogRecord(record));
    },
    flush,
    async shutdown() {
      if (closed) return;
      closed = true;
      await flush();
    },
  };
}

/**
 * Maps a record onto the OpenTelemetry Logs data model, the one mapping every producer uses (the
 * mlobs logger, the winston bridge): time -> timestamp and observedTimestamp, level ->
 * severityNumber and severityText, event -> eventName and body, the call's context -> context, the
 * exception -> `exception.*` attributes, every other bound or call field -> an attribute (walked
 * like the JSON output's values: nested objects kept as maps, the same markers and limits).
 * @example
 * otelLogger.emit(toOtelLogRecord(record));
 */
export function toOtelLogRecord(record: LogRecord, overrides?: OtelOverrides): OtelLogRecord {
  const fields = record.fields;
  const attributes: AnyValueMap = {};
  // The converted bound fields first; a call field of the same name overwrites its key below.
  const bound = attributesOf(record.bindings);
  for (const key in bound) setKey(attributes, key, bound[key]!);
  let exceptionFrom: string | undefined;
  // The fields the logger just walked need no second walk; any other record's do.
  const walked = isWalkedFields(fields);
  for (const key in fields) {
    if (isSkipped(key)) continue;
    const value = fields[key];
    const type = typeof value;
    // Scalars, the usual case, are taken as they are (the logger has cut the strings already).
    if (key !== "__proto__" && (type === "boolean" || (type === "number" && Number.isFinite(value)))) {
      attributes[key] = value as AnyValue;
      continue;
    }
    if (exceptionFrom === undefined && isExceptionKey(key) && addException(attributes, key, value)) {
      exceptionFrom = key;
      continue;
    }
    const converted = walked
      ? typeof value === "object" && value !== null
        ? acceptable(value as Plain)
        : (value as AnyValue | undefined)
      : toAttribute(value);
    if (converted !== undefined) setKey(attributes, key, converted);
  }
  // formatException() writes `error` as the "Type: message" summary of the exception mapped above.
  if (exceptionFrom === KEY.exception && typeof fields[KEY.error] === "string") delete attributes[KEY.error];
  // An HrTime is taken as is; a number would be converted twice, against the time origin each time.
  const time: HrTime = [Math.trunc(record.time / 1000), (record.time % 1000) * 1e6];
  const otel: OtelLogRecord = {
    timestamp: time,
    observedTimestamp: time,
    severityNumber: toSeverityNumber(record.level),
    severityText: record.level,
    eventName: record.event,
    body: record.event,
    attributes,
    context: record.context,
  };
  if (overrides !== undefined) {
    if ("severityNumber" in overrides) otel.severityNumber = overrides.severityNumber;
    if ("severityText" in overrides) otel.severityText = overrides.severityText;
    if ("body" in overrides) otel.body = toAttribute(overrides.body) ?? null;
    if ("eventName" in overrides) otel.eventName = overrides.eventName;
  }
  return otel;
}

function attributesOf(bindings: Readonly<Fields>): AnyValueMap {
  let bound = boundAttributes.get(bindings);
  if (bound === undefined) {
    bound = {};
    for (const key in bindings) {
      if (SKIPPED.has(key)) continue;
      const converted = toAttribute(bindings[key]);
      if (converted !== undefined) setKey(bound, key, converted);
    }
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

/** A value as an attribute: walked (as for JSON), then made acceptable to the SDK's validation. */
function toAttribute(value: unknown): AnyValue | undefined {
  const plain = walk(value);
  return typeof plain === "object" && plain !== null ? acceptable(plain) : plain;
}

/**
 * The SDK drops a whole map attribute, uncounted, when a nested map has a key named `constructor`
 * (it takes the key for the map's class): such a key is written as `[constructor]`, counted.
 */
function acceptable(tree: Plain): AnyValue {
  if (typeof tree !== "object" || tree === null) return tree;
  if (Array.isArray(tree)) {
    let copy: AnyValue[] | undefined;
    for (let i = 0; i < tree.length; i++) {
      const item = tree[i]!;
      const fixed = acceptable(item);
      if (fixed === item) continue;
      copy ??= tree.slice();
      copy[i] = fixed;
    }
    return copy ?? tree;
  }
  let copy: AnyValueMap | undefined;
  for (const key in tree) {
    const item = tree[key]!;
    const fixed = acceptable(item);
    if (key === "constructor") {
      copy ??= { ...tree };
      delete copy[key];
      diagnostics.unencodable++;
      setKey(copy, "[constructor]", fixed);
    } else if (fixed !== item) {
      copy ??= { ...tree };
      copy[key] = fixed;
    }
  }
  return copy ?? tree;
}

/** Sets a key, including `__proto__`, as an own property. */
function setKey(map: AnyValueMap, key: string, value: AnyValue): void {
  if (key === "__proto__")
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}

/** Keys that may carry an Error when no formatException() ran, as formatException() reads them. */
function isExceptionKey(key: string): boolean {
  return key === KEY.exception || key === "err" || key === KEY.error;
}

/**
 * Writes the `exception.*` attributes from what formatException() left under `exception`, or from
 * an Error under `err`, `error` or `exception` when it did not run. False when `value` is neither.
 */
function addException(attributes: AnyValueMap, key: string, value: unknown): boolean {
  let info: ExceptionInfo;
  if (isError(value)) info = describeError(value);
  else if (isErrorDescription(value) || (key === KEY.exception && isExceptionInfo(value))) info = value;
  else return false;
  attributes[ATTR_EXCEPTION_TYPE] = info.type;
  attributes[ATTR_EXCEPTION_MESSAGE] = info.message;
  const stacktrace = stackWithCauses(info);
  if (stacktrace !== undefined) attributes[ATTR_EXCEPTION_STACKTRACE] = stacktrace;
  return true;
}

/** The stack trace, followed by the cause chain in Java's "Caused by:" form (OTLP has no cause field). */
function stackWithCauses(info: ExceptionInfo): string | undefined {
  let text = typeof info.stacktrace === "string" ? info.stacktrace : undefined;
  let cause: unknown = info.cause;
  for (let depth = 0; cause !== undefined && cause !== null && depth < MAX_CAUSES; depth++) {
    let line: string;
    if (isExceptionInfo(cause)) {
      line = typeof cause.stacktrace === "string" ? cause.stacktrace : `${cause.type}: ${cause.message}`;
    } else line = typeof cause === "string" ? cause : JSON.stringify(walk(cause));
    text = `${text ?? `${info.type}: ${info.message}`}\nCaused by: ${line}`;
    cause = isExceptionInfo(cause) ? cause.cause : undefined;
  }
  return text;
}
