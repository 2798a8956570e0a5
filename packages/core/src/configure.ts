import { DEFAULT_LIMITS, type Limits, MIN_KEYS, MIN_STRING_LENGTH } from "./encode/walk.js";
import { createDebugBuffer, type DebugBufferOptions } from "./internal/debug-buffer.js";
import { shared } from "./internal/global.js";
import { rejectUnknownOptions } from "./internal/reject-unknown-options.js";
import { LEVEL_VALUES, LEVELS, type Level, SILENT } from "./levels.js";
import { createBindings, Logger, type LoggerCore } from "./logger.js";
import { resolveFormat, stdoutOutput } from "./outputs/stdout.js";
import { addLogLevel } from "./processors/add-log-level.js";
import { addTimestamp } from "./processors/add-timestamp.js";
import { addTraceContext } from "./processors/add-trace-context.js";
import { formatException } from "./processors/format-exception.js";
import { mergeContext } from "./processors/merge-context.js";
import type { Fields, Output, Processor } from "./record.js";

/** Options of `createLogger()` and `configure()`. */
export interface LoggerOptions {
  /** The logger's name, written as `logger`. */
  name?: string;
  /** The lowest level written. Default: `LOG_LEVEL`, else `info`. */
  level?: Level | "silent";
  /**
   * The format of the default stdout output: `json` or `console`. Default: `LOG_FORMAT`, else
   * `console` when stdout is a terminal and NODE_ENV is not `production`, else `json`.
   */
  format?: "json" | "console";
  /** The processor chain. Default: `defaultProcessors()`. */
  processors?: readonly Processor[];
  /** Where records go. Default: one stdout output in `format`. */
  outputs?: readonly Output[];
  /** Fields bound to the logger from the start. */
  fields?: Fields;
  /** Caps on encoding one value, for this logger: string length, depth, items, keys per object. */
  limits?: Partial<Limits>;
  /**
   * Holds the records at or below `buffer.level` (default `debug`, even below `level`) per scope,
   * up to `buffer.maxBytes` of JSON (default 20,480), and writes them only when the scope logs an
   * error, a `low_confidence_prediction` or `prediction_failed`, a record `buffer.flushOn` accepts,
   * or calls `logger.flushBuffer()`; they are discarded when the scope ends otherwise.
   */
  buffer?: DebugBufferOptions;
}

const OPTION_NAMES = ["name", "level", "format", "processors", "outputs", "fields", "limits", "buffer"];
const LEVEL_NAMES = [...LEVELS, "silent"] as const;

/**
 * The default processor chain, in order: context fields, level, ISO timestamp, trace context,
 * exceptions. Append your own (`redact()`, `sample()`) or replace it whole.
 */
export function defaultProcessors(): Processor[] {
  return [mergeContext(), addLogLevel(), addTimestamp(), addTraceContext(), formatException()];
}

function fail(option: string, value: unknown, accepted: readonly string[]): never {
  throw new TypeError(
    `mlobs: invalid ${option} ${JSON.stringify(value)}: expected one of ${accepted.join(", ")}`,
  );
}

/** `value` in any case (`INFO`, `Warn`, as deployments write it), or undefined when unset. */
function pick<T extends string>(option: string, value: unknown, accepted: readonly T[]): T | undefined {
  if (value === undefined || value === "") return undefined;
  const name = typeof value === "string" ? value.toLowerCase() : value;
  if (!accepted.includes(name as T)) fail(option, value, accepted);
  return name as T;
}

function validate(options: LoggerOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`mlobs: options must be an object with any of ${OPTION_NAMES.join(", ")}`);
  }
  rejectUnknownOptions("createLogger()", options, OPTION_NAMES);
  if (options.name !== undefined && typeof options.name !== "string") {
    throw new TypeError("mlobs: invalid option name: expected a string");
  }
  for (const key of ["processors", "outputs"] as const) {
    const list = options[key];
    if (list === undefined) continue;
    if (!Array.isArray(list)) throw new TypeError(`mlobs: invalid option ${key}: expected an array`);
    const kind =
      key === "processors" ? "a function (record) => record | null" : "an output { write, flush, shutdown }";
    list.forEach((item: unknown, i) => {
      const ok =
        key === "processors" ? typeof item === "function" : typeof (item as Output)?.write === "function";
      if (!ok) throw new TypeError(`mlobs: invalid option ${key}[${i}]: expected ${kind}`);
    });
  }
  if (options.limits !== undefined) {
    if (typeof options.limits !== "object" || options.limits === null) {
      throw new TypeError(
        `mlobs: invalid option limits: expected an object with any of ${Object.keys(DEFAULT_LIMITS).join(", ")}`,
      );
    }
    rejectUnknownOptions("createLogger({ limits })", options.limits, Object.keys(DEFAULT_LIMITS));
    for (const [key, value] of Object.entries(options.limits)) {
      // A cut string, its marker included, must fit the limit (so a second walk leaves it alone).
      const min = key === "maxStringLength" ? MIN_STRING_LENGTH : key === "maxKeys" ? MIN_KEYS : 1;
      if (!Number.isInteger(value) || (value as number) < min) {
        throw new TypeError(
          `mlobs: invalid option limits.${key} ${JSON.stringify(value)}: expected an integer >= ${min}`,
        );
      }
    }
  }
}

function threshold(options: LoggerOptions): number {
  const level =
    pick("option level", options.level, LEVEL_NAMES) ??
    pick("LOG_LEVEL", process.env.LOG_LEVEL, LEVEL_NAMES) ??
    "info";
  return level === "silent" ? SILENT : LEVEL_VALUES[level];
}

function createCore(options: LoggerOptions): LoggerCore {
  validate(options);
  const chosenFormat = resolveFormat(options.format);
  const level = threshold(options);
  const buffer = options.buffer === undefined ? undefined : createDebugBuffer(options.buffer, level);
  return {
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...options.limits }),
    threshold: buffer === undefined ? level : Math.min(level, buffer.level),
    buffer,
    processors: options.processors ?? defaultProcessors(),
    outputs: options.outputs ?? [stdoutOutput({ format: chosenFormat })],
  };
}

/**
 * Creates a logger with its own processors and outputs. Invalid options throw here, naming the
 * option and the accepted values.
 * @example
 * const log = createLogger({ name: "ml_model", format: "json" });
 * log.info("prediction_complete", { prediction: 0.87, latency_ms: 142 });
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const core = createCore(options);
  return new Logger(core, options.name, createBindings(options.fields ?? {}, core.limits));
}

// The process-wide configuration, one for every copy of this package (ES module and CommonJS builds).
const state = shared("configuration", (): { core: LoggerCore | undefined } => ({ core: undefined }));

function sharedCore(): LoggerCore {
  state.core ??= createCore({});
  return state.core;
}

/**
 * Sets the process-wide configuration used by `getLogger()` (structlog's `configure`). Loggers
 * obtained before follow the new level, processors and outputs.
 * @example
 * configure({ level: "debug", outputs: [stdoutOutput(), fileOutput({ path: "predictions.log" })] });
 */
export function configure(options: LoggerOptions = {}): void {
  if (options.name !== undefined || options.fields !== undefined) {
    throw new TypeError("mlobs: configure() takes no name or fields; pass them to getLogger() or bind()");
  }
  const next = createCore(options);
  // Not sharedCore(): the defaults it would build first read LOG_LEVEL and LOG_FORMAT, which the options override.
  if (state.core === undefined) state.core = next;
  else Object.assign(state.core, next);
}

/**
 * A logger on the process-wide configuration (see `configure()`), named `name` when given.
 * @example
 * const log = getLogger("ml_model");
 */
export function getLogger(name?: string, fields?: Fields): Logger {
  const core = sharedCore();
  return new Logger(core, name, createBindings(fields ?? {}, core.limits));
}

/** Resets the process-wide configuration to the defaults (for tests). */
export function resetConfiguration(): void {
  if (state.core !== undefined) Object.assign(state.core, createCore({}));
}
