import { getContext } from "../context.js";
import type { LogRecord, Processor } from "../record.js";

/**
 * Adds the fields bound with `withContext()` / `bindContext()` to the record; the call's own fields
 * win over them (structlog's `merge_contextvars`).
 */
export function mergeContext(): Processor {
  return (record: LogRecord) => {
    const bound = getContext();
    for (const key in bound) {
      if (!(key in record.fields)) record.fields[key] = bound[key];
    }
    return record;
  };
}
