import { context } from "@opentelemetry/api";
import {
  BUFFER_EVICTED,
  type DebugBuffer,
  holdRecord,
  isFlushTrigger,
  takeHeld,
  unitOfWork,
} from "./internal/debug-buffer.js";
import { diagnostics } from "./internal/diagnostics.js";
import { describe } from "./internal/json.js";
import { currentScope, type Scope } from "./internal/scope.js";
import { LEVEL_VALUES, type Level } from "./levels.js";
import type { Bindings, Fields, LogRecord, Output, Processor } from "./record.js";
import { serializeFields } from "./renderers/json.js";

/**
 * What loggers created from one configuration share. `configure()` changes it in place, so
 * loggers obtained earlier with `getLogger()` follow.
 */
export interface LoggerCore {
  /** The lowest level value processed at all: the logger's level, or the buffer's when lower. */
  threshold: number;
  /** The debug buffer (option `buffer`), when set. */
  buffer: DebugBuffer | undefined;
  processors: readonly Processor[];
  outputs: readonly Output[];
}

/**
 * An empty object without a prototype, in V8's fast mode: `Object.create(null)` gives a
 * dictionary-mode object, on which the for-in and `in` every record does cost about 10x more.
 */
function prototypeless(): Fields {
  return Object.setPrototypeOf({}, null);
}

const NO_BINDINGS: Bindings = { values: prototypeless(), json: "" };

/** Builds bindings: the defined values without a prototype (so `in` sees only them) and their JSON, once. */
export function createBindings(values: Fields): Bindings {
  const own = prototypeless();
  for (const key of Object.keys(values)) {
    if (values[key] !== undefined) own[key] = values[key];
  }
  return { values: own, json: serializeFields(own) };
}

/**
 * A structured logger: `log.info("prediction_complete", { prediction: 0.87 })`.
 * Create one with `createLogger()` or `getLogger()`.
 */
export class Logger {
  readonly #core: LoggerCore;
  readonly #bindings: Bindings;
  /** The logger's name, written as `logger`. */
  readonly name: string | undefined;

  constructor(core: LoggerCore, name?: string, bindings: Bindings = NO_BINDINGS) {
    this.#core = core;
    this.name = name;
    this.#bindings = bindings;
  }

  debug(event: string, fields?: Fields | Error): void {
    if (this.#core.threshold <= 20) this.#log("debug", event, fields);
  }

  info(event: string, fields?: Fields | Error): void {
    if (this.#core.threshold <= 30) this.#log("info", event, fields);
  }

  warn(event: string, fields?: Fields | Error): void {
    if (this.#core.threshold <= 40) this.#log("warn", event, fields);
  }

  error(event: string, fields?: Fields | Error): void {
    if (this.#core.threshold <= 50) this.#log("error", event, fields);
  }

  fatal(event: string, fields?: Fields | Error): void {
    if (this.#core.threshold <= 60) this.#log("fatal", event, fields);
  }

  /** Logs at `level`; the level methods are shorthands for this. A level that does not exist counts as dropped. */
  log(level: Level, event: string, fields?: Fields | Error): void {
    const value = LEVEL_VALUES[level];
    if (typeof value !== "number") diagnostics.dropped++;
    else if (this.#core.threshold <= value) this.#log(level, event, fields);
  }

  /** Whether a record at `level` would be processed at all. */
  isLevelEnabled(level: Level): boolean {
    return this.#core.threshold <= LEVEL_VALUES[level];
  }

  /** The fields bound with `bind()`. */
  get bindings(): Readonly<Fields> {
    return this.#bindings.values;
  }

  /** A new logger with `fields` added to its bound fields; they are serialized once, here. */
  bind(fields: Fields): Logger {
    return new Logger(this.#core, this.name, createBindings({ ...this.#bindings.values, ...fields }));
  }

  /** A new logger without the bound fields named by `keys`. */
  unbind(...keys: string[]): Logger {
    const values: Fields = { ...this.#bindings.values };
    for (const key of keys) delete values[key];
    return new Logger(this.#core, this.name, createBindings(values));
  }

  /** A new logger whose bound fields are exactly `fields` (structlog's `new()`). */
  new(fields: Fields = {}): Logger {
    return new Logger(this.#core, this.name, createBindings(fields));
  }

  /** A new logger with another name and the same bound fields. */
  child(name: string): Logger {
    return new Logger(this.#core, name, this.#bindings);
  }

  /**
   * Writes the records held by the debug buffer (option `buffer`) for the current scope, in their
   * order, as an error would; does nothing without a buffer or outside a scope.
   */
  flushBuffer(): void {
    const buffer = this.#core.buffer;
    const scope = currentScope();
    if (buffer !== undefined && scope !== undefined) this.#flushHeld(buffer, unitOfWork(scope));
  }

  /** Resolves when every output has written what it was given. */
  async flush(): Promise<void> {
    await Promise.all(this.#core.outputs.map((output) => output.flush()));
  }

  /** Flushes and closes every output of this logger's configuration. */
  async shutdown(): Promise<void> {
    await Promise.all(this.#core.outputs.map((output) => output.shutdown()));
  }

  #log(level: Level, event: string, given: Fields | Error | undefined): void {
    const buffer = this.#core.buffer;
    let scope: Scope | undefined;
    if (buffer !== undefined) {
      scope = currentScope();
      const value = LEVEL_VALUES[level];
      // Outside a scope nothing is held; inside, a record above the buffer's level and below the
      // logger's is neither held nor written.
      if (value < buffer.threshold && (scope === undefined || value > buffer.level)) return;
    }
    const record = this.#process(level, event, given);
    if (record === null) return;
    if (scope !== undefined && !this.#route(buffer as DebugBuffer, unitOfWork(scope), record)) return;
    this.#write(record);
  }

  /** Holds the record (false), or flushes what is held if it is a trigger and lets it be written (true). */
  #route(buffer: DebugBuffer, unit: Scope, record: LogRecord): boolean {
    if (isFlushTrigger(buffer, record)) {
      this.#flushHeld(buffer, unit);
      return true;
    }
    if (LEVEL_VALUES[record.level] <= buffer.level) {
      holdRecord(buffer, unit, record);
      return false;
    }
    return true;
  }

  #flushHeld(buffer: DebugBuffer, unit: Scope): void {
    const { records, evicted } = takeHeld(buffer, unit);
    if (evicted > 0) {
      const announcement = this.#process("warn", BUFFER_EVICTED, { evicted_count: evicted });
      if (announcement !== null) this.#write(announcement);
    }
    for (let i = 0; i < records.length; i++) this.#write(records[i]!);
  }

  #process(level: Level, event: string, given: Fields | Error | undefined): LogRecord | null {
    let record: LogRecord | null = {
      time: Date.now(),
      level,
      event: typeof event === "string" ? event : eventName(event),
      logger: this.name,
      context: context.active(),
      bindings: this.#bindings,
      fields: copyFields(given),
    };
    const processors = this.#core.processors;
    for (let i = 0; i < processors.length; i++) {
      const current: LogRecord = record;
      try {
        record = processors[i]!(current);
      } catch (error) {
        record = broken(current, processors[i]!, i, `threw ${describe(error)}`);
      }
      if (record === null) return null;
      // A processor that forgot its `return` must not hand `undefined` to the next one.
      if (typeof record !== "object") {
        record = broken(current, processors[i]!, i, `returned ${typeof record}, not a record or null`);
      }
    }
    return record;
  }

  #write(record: LogRecord): void {
    const outputs = this.#core.outputs;
    for (let i = 0; i < outputs.length; i++) {
      try {
        outputs[i]!.write(record);
      } catch {
        diagnostics.outputErrors++;
        diagnostics.dropped++;
      }
    }
  }
}

/** A broken processor must not cost the record: it goes on as it was, saying what failed. */
function broken(record: LogRecord, processor: Processor, index: number, failure: string): LogRecord {
  diagnostics.processorErrors++;
  record.fields.logging_error = `processor ${processor.name || index} ${failure}`;
  return record;
}

/** An event that is not a string; one that cannot even be converted (no toString) still logs. */
function eventName(event: unknown): string {
  try {
    return String(event);
  } catch (error) {
    diagnostics.unencodable++;
    return `[Unprintable event: ${describe(error)}]`;
  }
}

function copyFields(given: Fields | Error | undefined): Fields {
  if (given === undefined || given === null) return {};
  if (given instanceof Error) return { err: given };
  if (typeof given !== "object") return { value: given };
  try {
    // Not `{ ...given }`: on Node 20 (V8 11.3) every key a processor then adds to a spread copy
    // builds a new hidden class, about 0.75 µs per key. Object.assign would set the prototype for
    // an own `__proto__` key, so that rare case keeps the spread.
    return Object.hasOwn(given, "__proto__") ? { ...given } : Object.assign({}, given);
  } catch (error) {
    return safeCopy(given, error);
  }
}

// Proxies and objects whose getters throw: keep every field that can be read.
function safeCopy(given: object, error: unknown): Fields {
  const fields: Fields = {};
  try {
    for (const key of Object.keys(given)) {
      try {
        fields[key] = (given as Fields)[key];
      } catch (inner) {
        diagnostics.unencodable++;
        fields[key] = `[Unreadable: ${describe(inner)}]`;
      }
    }
  } catch {
    diagnostics.unencodable++;
    fields.logging_error = `fields could not be read: ${describe(error)}`;
  }
  return fields;
}
