import { type Fields, getContext, type Level } from "@mlobs/core";
import { addDiagnostics, describeError, toOtelLogRecord } from "@mlobs/core/integrations";
import {
  type LoggerProvider,
  logs,
  type Logger as OtelLogger,
  type LogRecord as OtelLogRecord,
  type SeverityNumber,
} from "@opentelemetry/api-logs";
import { LEVEL, SPLAT } from "triple-beam";
import TransportStream from "winston-transport";
import { instrument, type WritableLogger } from "./instrument.js";
import { callContext, capturedOf } from "./internal/captured.js";
import { TRACE_KEYS } from "./internal/trace-fields.js";
import { type SeverityMapping, severityOf, type WinstonLevels } from "./severity-of.js";

/** Options of `OpenTelemetryTransport`: winston's transport options plus where records go. */
export interface OpenTelemetryTransportOptions extends TransportStream.TransportStreamOptions {
  /** The LoggerProvider to emit into. Default: the global one (`logs.getLoggerProvider()`), looked up at each record. */
  loggerProvider?: LoggerProvider;
  /** Severity numbers per winston level name, ahead of the built-in mapping (see `severityOf()`). */
  severityMapping?: SeverityMapping;
  /** The transport's name in winston. Default: `opentelemetry`. */
  name?: string;
  /** How long `end()`/`close()` wait for the LoggerProvider's flush. Default: 10000 ms. */
  flushTimeoutMillis?: number;
}

/** The instrumentation scope of the records this transport emits. */
export const SCOPE_NAME = "@mlobs/winston-bridge";

// instrumentation-winston adds this class to every logger when its log sending is on.
const CONTRIB_TRANSPORT = "OpenTelemetryTransportV3";
// colorize() writes ANSI codes into `level`; LEVEL (the symbol) is the uncolored name.
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, "g");

type Info = Record<PropertyKey, unknown>;
type Parent = WritableLogger & { transports?: unknown[]; remove?(transport: unknown): unknown };
type Flushable = { forceFlush?: () => Promise<void> };

interface FoundError {
  error: Error | { name?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
  /** The info key it came from, left out of the attributes. */
  key?: string;
}

/** The keys the OTel mapping reads an Error from. */
const ERROR_KEYS = ["err", "error", "exception"];

let warnedDuplicate = false;

/**
 * A winston transport that emits each record through the OpenTelemetry Logs API: severity from the
 * level (see `severityOf()`), `message` as body, the call's trace context, Errors as `exception.*`
 * attributes, the rest of the meta (and splat objects, and the mlobs context fields) as attributes.
 * Its logger is instrumented on `add()`, so trace context is the call's even when winston defers work.
 * @example
 * winston.createLogger({ transports: [new winston.transports.Console(), new OpenTelemetryTransport()] });
 */
export class OpenTelemetryTransport extends TransportStream {
  /** The transport's name in winston. */
  name: string;
  readonly #provider: LoggerProvider | undefined;
  readonly #otelLogger: OtelLogger;
  readonly #mapping: SeverityMapping | undefined;
  readonly #flushTimeout: number;
  #severities = new Map<string, SeverityNumber>();
  #severityLevels: WinstonLevels | undefined;
  #transportCount = -1;
  #warned = false;
  #finishing = false;

  constructor(options: OpenTelemetryTransportOptions = {}) {
    super(options);
    this.name = options.name ?? "opentelemetry";
    this.#provider = options.loggerProvider;
    this.#otelLogger = (options.loggerProvider ?? logs.getLoggerProvider()).getLogger(SCOPE_NAME);
    this.#mapping = options.severityMapping;
    this.#flushTimeout = options.flushTimeoutMillis ?? 10_000;
    // Every logger it is added to (winston's Container shares transports) captures at the call.
    this.on("pipe", (logger: Parent) => {
      instrument(logger);
      // instrumentation-winston appends its transport after the ones given to createLogger().
      queueMicrotask(() => this.#removeDuplicates());
    });
  }

  override log(info: Info, callback?: () => void): void {
    try {
      // A duplicate found now still receives this record: let it be the one that sends it.
      if (!this.#removeDuplicates()) this.#otelLogger.emit(this.#toOtel(info));
    } catch (error) {
      // The record did not reach the Logs API: count it with mlobs's other losses.
      addDiagnostics({ outputErrors: 1, dropped: 1 });
      this.#report(error);
    }
    this.emit("logged", info);
    if ((this as { _ending?: boolean })._ending === true) this.#finishIfEnding();
    callback?.();
  }

  /** Called on `unpipe` (logger.remove(), logger.close()): flushes what was emitted. */
  override close(): void {
    void this.#flush();
  }

  override _final(callback: (error?: Error | null) => void): void {
    // winston's logger.end() waits for each transport's 'finish': records reach the exporter first.
    this.#flush().then(() => callback());
  }

  /** winston's exception and rejection handlers set `_ending` and wait for 'finish' before exiting. */
  #finishIfEnding(): void {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#flush().then(() => this.emit("finish"));
  }

  async #flush(): Promise<void> {
    const provider = (this.#provider ?? logs.getLoggerProvider()) as Flushable;
    if (typeof provider.forceFlush !== "function") return;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        provider.forceFlush(),
        new Promise((_, reject) => {
          timer = setTimeout(
            () => reject(new Error(`flush timed out after ${this.#flushTimeout} ms`)),
            this.#flushTimeout,
          );
          timer.unref();
        }),
      ]);
    } catch (error) {
      addDiagnostics({ outputErrors: 1 });
      this.#report(error);
    } finally {
      clearTimeout(timer);
    }
  }

  #report(error: unknown): void {
    const reported = error instanceof Error ? error : new Error(safeString(error));
    if (!this.#warned) {
      this.#warned = true;
      const { type, message } = describeError(reported);
      process.emitWarning(`mlobs: winston OpenTelemetryTransport failed (${type}: ${message})`);
    }
    // 'warn', not 'error': an 'error' event without a listener would throw into the application.
    this.emit("warn", reported);
  }

  /** Removes @opentelemetry/winston-transport transports from this logger; true if it removed one. */
  #removeDuplicates(): boolean {
    const parent = (this as { parent?: Parent | null }).parent;
    const transports = parent?.transports;
    if (!Array.isArray(transports) || transports.length === this.#transportCount) return false;
    let removed = false;
    for (const transport of transports) {
      if (transport !== this && (transport as object | null)?.constructor?.name === CONTRIB_TRANSPORT) {
        parent!.remove?.(transport);
        removed = true;
      }
    }
    this.#transportCount = parent!.transports!.length;
    if (removed && !warnedDuplicate) {
      warnedDuplicate = true;
      process.emitWarning(
        "mlobs: removed the @opentelemetry/winston-transport transport from a logger that has OpenTelemetryTransport " +
          "(it would send every record twice); set disableLogSending: true in WinstonInstrumentation",
      );
    }
    return removed;
  }

  #severity(level: string): SeverityNumber {
    const levels = (this as { levels?: WinstonLevels }).levels;
    if (levels !== this.#severityLevels) {
      this.#severityLevels = levels;
      this.#severities.clear();
    }
    let severity = this.#severities.get(level);
    if (severity === undefined) {
      severity = severityOf(level, levels, this.#mapping);
      this.#severities.set(level, severity);
    }
    return severity;
  }

  #toOtel(info: Info): OtelLogRecord {
    const rawLevel = info[LEVEL] ?? info.level;
    // Without LEVEL (a direct transport.log() call), info.level may carry colorize()'s codes.
    const level =
      typeof rawLevel === "string" && !rawLevel.includes(ESC) ? rawLevel : String(rawLevel).replace(ANSI, "");
    const found = findError(info);
    const fields: Fields = {};
    // The event name travels as eventName, the error (and its stack and cause) as exception.*.
    const skip = (key: string, value: unknown): boolean =>
      key === "level" ||
      key === "message" ||
      TRACE_KEYS.has(key) ||
      key === found?.key ||
      (key === "event" && typeof value === "string") ||
      (found !== undefined &&
        ((key === "stack" && value === readStack(found.error)) ||
          (key === "cause" && value === found.error.cause)));
    addMembers(fields, info, skip);
    const splat = info[SPLAT];
    if (Array.isArray(splat)) {
      // Plain objects among the splat arguments are meta too; they do not override the record's keys.
      for (const item of splat) {
        if (typeof item !== "object" || item === null || Array.isArray(item) || item instanceof Error)
          continue;
        addMembers(fields, item as Info, (key, value) => Object.hasOwn(fields, key) || skip(key, value));
      }
    }
    if (found !== undefined) {
      // Under a key the mapping reads an Error from, and that the meta does not use for something else.
      const key = ERROR_KEYS.includes(found.key ?? "")
        ? found.key
        : ERROR_KEYS.find((name) => !Object.hasOwn(fields, name));
      if (key !== undefined) fields[key] = errorOf(found.error);
    }
    const captured = capturedOf(info);
    // The mlobs context fields are the record's bound fields: the meta wins over them.
    const bound = captured?.fields ?? getContext();
    const event = typeof info.event === "string" ? info.event : undefined;
    // The one record -> OTel mapping of @mlobs/core; only severity and body are winston's own.
    return toOtelLogRecord(
      {
        time: captured?.time ?? Date.now(),
        level: level as Level,
        event: event ?? "",
        logger: undefined,
        context: callContext(info),
        bindings: bound,
        fields,
      },
      {
        severityNumber: this.#severity(level),
        severityText: level,
        body: bodyOf(info.message),
        eventName: event,
      },
    );
  }
}

/** The Error itself, or one rebuilt from what `format.errors()` left of it: the mapping describes Errors. */
function errorOf(error: FoundError["error"]): Error {
  if (error instanceof Error) return error;
  const rebuilt = new Error(
    typeof error.message === "string" ? error.message : safeString(error.message ?? ""),
  );
  rebuilt.name = typeof error.name === "string" && error.name !== "" ? error.name : "Error";
  const stack = readStack(error);
  rebuilt.stack = typeof stack === "string" ? stack : undefined;
  if (error.cause !== undefined) rebuilt.cause = error.cause;
  return rebuilt;
}

function safeString(value: unknown): string {
  try {
    return String(value);
  } catch {
    return "[Unprintable]";
  }
}

function bodyOf(message: unknown): unknown {
  return message instanceof Error ? safeString(message.message) : message;
}

/** Copies the own enumerable members of `source` into `fields`, unless `skip` says no. */
function addMembers(fields: Fields, source: Info, skip: (key: string, value: unknown) => boolean): void {
  let keys: string[];
  try {
    keys = Object.keys(source);
  } catch (error) {
    fields.logging_error = `meta could not be read: ${safeString(error)}`;
    return;
  }
  for (const key of keys) {
    let value: unknown;
    try {
      value = source[key];
    } catch (error) {
      fields[key] = `[Unserializable: ${safeString(error)}]`;
      continue;
    }
    if (!skip(key, value)) fields[key] = value;
  }
}

/**
 * The Error of a winston record, looked for where winston and its users put one: the record itself
 * (`logger.error(err)`), `message`, `err` / `error` in the meta, the splat arguments, and last a
 * `stack` string (`format.errors()`, or an Error passed as meta).
 */
function findError(info: Info): FoundError | undefined {
  if (info instanceof Error) return { error: info };
  if (info.message instanceof Error) return { error: info.message, key: "message" };
  for (const key of ["err", "error"]) {
    if (info[key] instanceof Error) return { error: info[key] as Error, key };
  }
  const splat = info[SPLAT];
  if (Array.isArray(splat)) {
    const error = splat.find((item) => item instanceof Error) as Error | undefined;
    if (error !== undefined) return { error };
  }
  if (typeof info.stack === "string") {
    const name = typeof info.name === "string" ? info.name : /^([^:\n]+):/.exec(info.stack)?.[1];
    return { error: { name, message: info.message, stack: info.stack, cause: info.cause } };
  }
  return undefined;
}

function readStack(error: FoundError["error"]): unknown {
  try {
    return error.stack;
  } catch {
    return undefined;
  }
}
