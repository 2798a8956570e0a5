import { setOwn } from "../internal/set-own.js";
import type { LogRecord, Processor } from "../record.js";
import { getContext } from "../scope.js";

/**
 * Adds the fields bound with `withContext()` / `bindContext()` to the record; fields bound to the
 * logger and the call's own fields win over them (structlog's `merge_contextvars`).
 */
export function mergeContext(): Processor {
  return (record: LogRecord) => {
    const bound = getContext();
    const fields = record.fields;
    // `bindings` has no prototype, so `in` sees only bound keys; `fields` has one, hence hasOwn.
    const bindings = record.bindings;
    for (const key in bound) {
      if (Object.hasOwn(fields, key) || key in bindings) continue;
      setOwn(fields, key, bound[key]);
    }
    return record;
  };
}
