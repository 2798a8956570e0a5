import { DEFAULT_LIMITS, type Limits, MIN_KEYS, MIN_STRING_LENGTH } from "./encode/walk.js";
import { rejectUnknownOptions } from "./internal/reject-unknown-options.js";
import { LEVEL_VALUES, LEVELS, type Level, SILENT } from "./levels.js";
import { createBindings, Logger, type LoggerCore } from "./logger.js";
import { stdoutOutput } from "./outputs/stdout.js";
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
}

const OPTION_NAMES = ["name", "level", "format", "processors", "outputs", "fields", "limits"];
const LEVEL_NAMES = [...LEVELS, "silent"] as const;
const FORMATS = ["json", "console"] as const;

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

function pick<T extends string>(option: string, value: unknown, accepted: readonly T[]): T | undefined {
  if (value === undefined || value === "") return undefined;
  if (!accepted.includes(value as T)) fail(option, value, accepted);
  return value as T;
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

/** The format of the default stdout output: the option, then LOG_FORMAT, then TTY and NODE_ENV. */
function format(options: LoggerOptions): "json" | "console" {
  const chosen =
    pick("option format", options.format, FORMATS) ?? pick("LOG_FORMAT", process.env.LOG_FORMAT, FORMATS);
  if (chosen !== undefined) return chosen;
  return process.stdout.isTTY && process.env.NODE_ENV !== "production" ? "console" : "json";
}

function createCore(options: LoggerOptions): LoggerCore {
  validate(options);
  const chosenFormat = format(options);
  return {
    limits: Object.freeze({ ...DEFAULT_LIMITS, ...options.limits }),
    threshold: threshold(options),
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

let globalCore: LoggerCore | undefined;

function sharedCore(): LoggerCore {
  globalCore ??= createCore({});
  return globalCore;
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
  if (globalCore === undefined) globalCore = next;
  else Object.assign(globalCore, next);
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
  if (globalCore !== undefined) Object.assign(globalCore, createCore({}));
}
