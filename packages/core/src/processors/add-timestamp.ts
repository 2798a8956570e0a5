import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

/** Options of `addTimestamp()`. */
export interface AddTimestampOptions {
  /** `iso` (ISO-8601 UTC with milliseconds, the default) or `unix` (seconds, as a number). */
  fmt?: "iso" | "unix";
  /** The key to write it under. Default: `timestamp`. */
  key?: string;
}

const OPTION_NAMES = ["fmt", "key"];

/** Adds the time of the call under `timestamp`, as ISO-8601 UTC with milliseconds or unix seconds. */
export function addTimestamp(options: AddTimestampOptions = {}): Processor {
  rejectUnknownOptions("addTimestamp()", options, OPTION_NAMES);
  const key = options.key ?? KEY.timestamp;
  if (options.fmt === "unix") {
    return (record: LogRecord) => {
      record.fields[key] = record.time / 1000;
      return record;
    };
  }
  if (options.fmt !== undefined && options.fmt !== "iso") {
    throw new TypeError(
      `mlobs: addTimestamp({ fmt: ${JSON.stringify(options.fmt)} }): expected "iso" or "unix"`,
    );
  }
  // Records come in bursts within one millisecond: format each millisecond once.
  let lastTime = Number.NaN;
  let lastIso = "";
  return (record: LogRecord) => {
    if (record.time !== lastTime) {
      lastTime = record.time;
      lastIso = new Date(record.time).toISOString();
    }
    record.fields[key] = lastIso;
    return record;
  };
}
