import type { Context } from "@opentelemetry/api";
import type { Level } from "./levels.js";

/** The key-value fields of a record, as the caller and the processors give them. */
export type Fields = Record<string, unknown>;

/**
 * One log record on its way from the call to the outputs.
 *
 * The top-level properties are fixed at the call and map onto the OpenTelemetry data model
 * (time -> timestamp, level -> severity, event -> eventName/body, context -> trace context).
 * `fields` is a fresh object per call: processors may add, change or delete its keys
 * (structlog's event dict), or return a new record.
 */
export interface LogRecord {
  /** Milliseconds since the epoch, taken at the call. */
  readonly time: number;
  readonly level: Level;
  /** The event name, the first argument of the log call. */
  readonly event: string;
  /** The logger's name, when it has one. */
  readonly logger: string | undefined;
  /** The OpenTelemetry context active at the call: the trace context travels in it. */
  readonly context: Context;
  /**
   * The fields bound with `logger.bind()`, walked once at `bind()` (their JSON is made then too).
   * A processor that changes them returns a record with a new object here.
   */
  readonly bindings: Readonly<Fields>;
  readonly fields: Fields;
}

/** A processor: a plain function that returns the record (changed or not), or `null` to drop it. */
export type Processor = (record: LogRecord) => LogRecord | null;

/** A destination for records. Each output decides its own encoding. */
export interface Output {
  write(record: LogRecord): void;
  /** Resolves when everything written so far has reached its destination. */
  flush(): Promise<void>;
  /** Flushes and releases the output; later writes are counted as dropped. */
  shutdown(): Promise<void>;
}
