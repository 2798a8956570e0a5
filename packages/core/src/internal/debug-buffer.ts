import { renderJsonShared } from "../encode/json.js";
import { LEVEL_VALUES, LEVELS, type Level } from "../levels.js";
import { ML } from "../ml/semconv.js";
import type { LogRecord } from "../record.js";
import { diagnostics } from "./diagnostics.js";
import type { Scope } from "./scope.js";

/** The logger option `buffer`: debug detail held per scope, written only when something goes wrong. */
export interface DebugBufferOptions {
  /** Records at or below this level are held (even below the logger's level). Default `debug`. */
  level?: Level;
  /** The most JSON, in bytes, held per scope; the oldest records are evicted first. Default 20,480. */
  maxBytes?: number;
  /** A record for which this returns true flushes the buffer of its scope, as an error does. */
  flushOn?: (record: LogRecord) => boolean;
}

/** The checked settings of a buffer, shared by the loggers of one configuration. */
export interface DebugBuffer {
  /** Where a scope keeps this configuration's held records. */
  readonly key: symbol;
  /** The level value at or below which records are held. */
  readonly level: number;
  /** The logger's own level value: records below it are only ever held, never written directly. */
  readonly threshold: number;
  readonly maxBytes: number;
  readonly flushOn: ((record: LogRecord) => boolean) | undefined;
}

/** What one scope holds for one configuration. */
interface Held {
  records: LogRecord[];
  sizes: number[];
  bytes: number;
  evicted: number;
}

const OPTION_NAMES = ["level", "maxBytes", "flushOn"];
const DEFAULT_BUFFER_MAX_BYTES = 20_480;
const FLUSH_LEVEL = LEVEL_VALUES.error;
// The events of a prediction whose debug trail one wants, though a low confidence is not an error.
const FLUSH_EVENTS: ReadonlySet<string> = new Set([
  ML.event.lowConfidencePrediction,
  ML.event.predictionFailed,
]);
/** The record that says how many held records were evicted before a flush. */
export const BUFFER_EVICTED = "buffer_evicted";

let liveBytes = 0;

/** The JSON bytes held by every scope's buffer in the process (for tests of the memory bound). */
export function bufferedBytes(): number {
  return liveBytes;
}

/** Checks the `buffer` option; invalid values throw, naming the option and what it accepts. */
export function createDebugBuffer(options: DebugBufferOptions, threshold: number): DebugBuffer {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: invalid option buffer: expected an object with any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_NAMES.includes(key)) {
      throw new TypeError(
        `mlobs: invalid option buffer.${key}: unknown, expected one of ${OPTION_NAMES.join(", ")}`,
      );
    }
  }
  const level = options.level ?? "debug";
  if (!LEVELS.includes(level)) {
    throw new TypeError(
      `mlobs: invalid option buffer.level ${JSON.stringify(level)}: expected one of ${LEVELS.join(", ")}`,
    );
  }
  const maxBytes = options.maxBytes ?? DEFAULT_BUFFER_MAX_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1) {
    throw new TypeError(
      `mlobs: invalid option buffer.maxBytes ${JSON.stringify(maxBytes)}: expected an integer >= 1`,
    );
  }
  if (options.flushOn !== undefined && typeof options.flushOn !== "function") {
    throw new TypeError("mlobs: invalid option buffer.flushOn: expected a function (record) => boolean");
  }
  return {
    key: Symbol("mlobs.buffer"),
    level: LEVEL_VALUES[level],
    threshold,
    maxBytes,
    flushOn: options.flushOn,
  };
}

/** The scope a buffer lives in: the outermost, the unit of work (a request), not a nested `withContext()`. */
export function unitOfWork(scope: Scope): Scope {
  let unit = scope;
  while (unit.parent !== undefined) unit = unit.parent;
  return unit;
}

/** Whether `record` flushes its scope's buffer: error or above, a prediction trigger, or `flushOn`. */
export function isFlushTrigger(buffer: DebugBuffer, record: LogRecord): boolean {
  if (LEVEL_VALUES[record.level] >= FLUSH_LEVEL || FLUSH_EVENTS.has(record.event)) return true;
  if (buffer.flushOn === undefined) return false;
  try {
    return buffer.flushOn(record) === true;
  } catch {
    // A broken predicate must not cost the record; it is counted like a broken processor.
    diagnostics.processorErrors++;
    return false;
  }
}

/** Holds `record` in the scope's buffer, evicting the oldest records past `maxBytes`. */
export function holdRecord(buffer: DebugBuffer, unit: Scope, record: LogRecord): void {
  // Work a scope started may log after it ended (a timer it left): nothing will flush or free it.
  if (unit.ended) return;
  let held = unit.state.get(buffer.key) as Held | undefined;
  if (held === undefined) {
    const created: Held = { records: [], sizes: [], bytes: 0, evicted: 0 };
    held = created;
    unit.state.set(buffer.key, created);
    unit.onEnd(() => {
      // Nothing triggered a flush: the detail was not needed, and its memory goes with the scope.
      liveBytes -= created.bytes;
      created.records = [];
      created.sizes = [];
      created.bytes = 0;
      unit.state.delete(buffer.key);
    });
  }
  // The built-in outputs reuse this encoding when the record is flushed right after.
  const size = Buffer.byteLength(renderJsonShared(record));
  if (size > buffer.maxBytes) {
    held.evicted++;
    return;
  }
  while (held.bytes + size > buffer.maxBytes) {
    held.records.shift();
    const evicted = held.sizes.shift() as number;
    held.bytes -= evicted;
    liveBytes -= evicted;
    held.evicted++;
  }
  held.records.push(record);
  held.sizes.push(size);
  held.bytes += size;
  liveBytes += size;
}

/** Empties the scope's buffer: its records in their order, and how many were evicted since the last flush. */
export function takeHeld(buffer: DebugBuffer, unit: Scope): { records: LogRecord[]; evicted: number } {
  const held = unit.state.get(buffer.key) as Held | undefined;
  if (held === undefined) return { records: [], evicted: 0 };
  const taken = { records: held.records, evicted: held.evicted };
  liveBytes -= held.bytes;
  held.records = [];
  held.sizes = [];
  held.bytes = 0;
  held.evicted = 0;
  return taken;
}
