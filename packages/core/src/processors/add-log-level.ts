import type { LogRecord, Processor } from "../record.js";
import { KEY } from "../semconv.js";

/** Adds the record's level under `level` (`debug`, `info`, `warn`, `error`, `fatal`). */
export function addLogLevel(): Processor {
  return (record: LogRecord) => {
    record.fields[KEY.level] = record.level;
    return record;
  };
}
