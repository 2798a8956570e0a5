import { type Context, context } from "@opentelemetry/api";
import { bindingsJson } from "./encode/json.js";
import { DEFAULT_LIMITS, describe, type Limits, swapLimits, walkFields } from "./encode/walk.js";
import {
  BUFFER_EVICTED,
  type DebugBuffer,
  holdRecord,
  isFlushTrigger,
  takeHeld,
  unitOfWork,
} from "./internal/debug-buffer.js";
import { diagnostics } from "./internal/diagnostics.js";
import { newFields } from "./internal/new-fields.js";
import { currentScope, type Scope } from "./internal/scope.js";
import { LEVEL_VALUES, type Level } from "./levels.js";
import type { Fields, LogRecord, Output, Processor } from "./record.js";

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
  /** What one value may cost to encode, for this configuration's loggers. */
  limits: Limits;
}

/**
 * An empty object without a prototype, in V8's fast mode: `Object.create(null)` gives a
 * dictionary-mode object, on which the for-in and `in` every record does cost about 10x more.
 */
function prototypeless(): Fields {
  return Object.setPrototypeOf({}, null);
}

/**
 * Builds bound fields: the defined values, walked under `limits`, without a prototype (so `in` sees
 * only them); their JSON is made here, once.
 */
export function createBindings(values: Fields, limits: Limits = DEFAULT_LIMITS): Readonly<Fields> {
  const saved = swapLimits(limits);
  try {
    const own = prototypeless();
    const walked = walkFields(Object.assign(prototypeless(), values), limits);
    for (const key in walked) {
      if (walked[key] !== undefined) own[key] = walked[key];
    }
    bindingsJson(own);
    return own;
  } finally {
    swapLimits(saved);
  }
}

/**
 * A structured logger: `log.info("prediction_complete", { prediction: 0.87 })`.
 * Create one with `createLogger()` or `getLogger()`.
 */
export class Logger {
  readonly #core: LoggerCore;
  readonly #bindings: Readonly<Fields>;
  /** The logger's name, written as `logger`. */
  readonly name: string | undefined;

  constructor(core: LoggerCore, name?: string, bindings?: Readonly<Fields>) {
    this.#core = core;
    this.name = name;
    this.#bindings = bindings ?? createBindings({}, core.limits);
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
    // Not LEVEL_VALUES[level] first: an object without a prototype or whose toString throws would throw as a key.
    const value =
      typeof level === "string" && Object.hasOwn(LEVEL_VALUES, level) ? LEVEL_VALUES[level] : undefined;
    if (value === undefined) diagnostics.dropped++;
    else if (this.#core.threshold <= value) this.#log(level, event, fields);
  }

  /** Whether a record at `level` would be processed at all. */
  isLevelEnabled(level: Level): boolean {
    return typeof level === "string" && Object.hasOwn(LEVEL_VALUES, level)
      ? this.#core.threshold <= LEVEL_VALUES[level]
      : false;
  }

  /** The fields bound with `bind()`. */
  get bindings(): Readonly<Fields> {
    return this.#bindings;
  }

  /** A new logger with `fields` added to its bound fields; they are serialized once, here. */
  bind(fields: Fields): Logger {
    return new Logger(
      this.#core,
      this.name,
      createBindings({ ...this.#bindings, ...fields }, this.#core.limits),
    );
  }

  /** A new logger without the bound fields named by `keys`. */
  unbind(...keys: string[]): Logger {
    const values: Fields = { ...this.#bindings };
    for (const key of keys) delete values[key];
    return new Logger(this.#core, this.name, createBindings(values, this.#core.limits));
  }

  /** A new logger whose bound fields are exactly `fields` (structlog's `new()`). */
  new(fields: Fields = {}): Logger {
    return new Logger(this.#core, this.name, createBindings(fields, this.#core.limits));
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
    if (buffer === undefined || scope === undefined) return;
    // As in #log: the held records are written under this logger's limits, and never throw.
    const saved = swapLimits(this.#core.limits);
    try {
      this.#flushHeld(buffer, unitOfWork(scope));
    } catch {
      diagnostics.dropped++;
    } finally {
      swapLimits(saved);
    }
  }

  /** Resolves when every output has written what it was given. */
  async flush(): Promise<void> {
    await Promise.all(this.#core.outputs.map((output) => output.flush()));
  }

  /** Flushes and closes every output of this logger's configuration. */
  async shutdown(): Promise<void> {
    await Promise.all(this.#core.outputs.map((output) => output.shutdown()));
  }

  /** What a broken processor cannot take away: the record as this call made it. */
  #origin(time: number, level: Level, event: string, active: Context, fields: Fields): LogRecord {
    return { time, level, event, logger: this.name, context: active, bindings: this.#bindings, fields };
  }

  #log(level: Level, event: string, given: Fields | Error | undefined): void {
    const core = this.#core;
    const buffer = core.buffer;
    let scope: Scope | undefined;
    if (buffer !== undefined) {
      scope = currentScope();
      const value = LEVEL_VALUES[level];
      // Outside a scope nothing is held; inside, a record above the buffer's level and below the
      // logger's is neither held nor written.
      if (value < buffer.threshold && (scope === undefined || value > buffer.level)) return;
    }
    const saved = swapLimits(core.limits);
    try {
      const record = this.#process(level, event, given);
      if (record === null) return;
      if (scope !== undefined && !this.#route(buffer as DebugBuffer, unitOfWork(scope), record)) return;
      this.#write(record);
    } catch {
      // Only a record that defeats even the repairs in #process (a hostile Proxy as a processor's result).
      diagnostics.dropped++;
    } finally {
      swapLimits(saved);
    }
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

  /** The record after the processors, its fields walked within the limits; null when one dropped it. */
  #process(level: Level, event: string, given: Fields | Error | undefined): LogRecord | null {
    const core = this.#core;
    const time = Date.now();
    const text = typeof event === "string" ? event : eventName(event);
    const active = context.active();
    const fields0 = copyFields(given);
    let record: LogRecord = {
      time,
      level,
      event: text,
      logger: this.name,
      context: active,
      bindings: this.#bindings,
      fields: fields0,
    };
    const processors = core.processors;
    for (let i = 0; i < processors.length; i++) {
      const current: LogRecord = record;
      let next: unknown;
      try {
        next = processors[i]!(current);
        if (next === null) return null;
        // A processor that forgot its `return`, or returned the fields (structlog's habit), `{}` or a
        // record without fields, costs only itself: the next one gets what this one was given.
        // A record changed in place is checked like a new one: its event or fields may be broken too.
        if (!isRecord(next)) {
          const origin = this.#origin(time, level, text, active, fields0);
          next = broken(
            current,
            origin,
            processors[i]!,
            i,
            `returned ${kindOf(next)}; a processor returns a record or null`,
          );
        }
      } catch (error) {
        const origin = this.#origin(time, level, text, active, fields0);
        next = broken(current, origin, processors[i]!, i, `threw ${describe(error)}`);
      }
      record = next as LogRecord;
    }
    const fields = walkFields(record.fields, core.limits);
    return fields === record.fields ? record : { ...record, fields };
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

function isRecord(value: unknown): value is LogRecord {
  if (typeof value !== "object" || value === null) return false;
  const record = value as LogRecord;
  return (
    typeof record.fields === "object" &&
    record.fields !== null &&
    typeof record.bindings === "object" &&
    record.bindings !== null &&
    typeof record.event === "string" &&
    typeof record.level === "string" &&
    typeof record.time === "number"
  );
}

function kindOf(value: unknown): string {
  if (value === undefined || typeof value !== "object") return typeof value;
  return "an object that is not a record";
}

/**
 * A broken processor must not cost the record: it goes on as the processor received it, saying what
 * failed. The processor may have broken its input too (frozen or deleted its fields): what cannot
 * be kept is taken from the record as the logger made it.
 */
function broken(
  current: LogRecord,
  origin: LogRecord,
  processor: Processor,
  index: number,
  failure: string,
): LogRecord {
  diagnostics.processorErrors++;
  const logging_error = `processor ${nameOf(processor) || index} ${failure}`;
  let valid: LogRecord;
  try {
    valid = isRecord(current) ? current : origin;
  } catch {
    valid = origin;
  }
  let fields: Fields;
  try {
    // A copy: the processor may have frozen its input's fields.
    fields = { ...valid.fields, logging_error };
  } catch {
    fields = { logging_error };
  }
  return { ...valid, fields };
}

function nameOf(processor: Processor): string {
  try {
    return typeof processor.name === "string" ? processor.name : "";
  } catch {
    return "";
  }
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
  if (typeof given !== "object") return { value: given };
  try {
    // Inside the try: `instanceof` asks a Proxy for its prototype, and a revoked one throws.
    if (given instanceof Error) return { err: given };
    // Not `{ ...given }`: on Node 20 (V8 11.3) every key a processor then adds to a spread copy
    // builds a new hidden class, about 0.75 µs per key. Object.assign would set the prototype for
    // an own `__proto__` key, so that rare case keeps the spread.
    return Object.hasOwn(given, "__proto__") ? { ...given } : Object.assign(newFields(), given);
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
