import { encodeValue, quoteKey } from "../internal/json.js";
import type { Bindings, Fields, LogRecord } from "../record.js";

let lastRecord: LogRecord | undefined;
let lastLine = "";

/**
 * `renderJson()` for the built-in outputs: several JSON outputs (stdout and a file) share one
 * encoding of the same record. Only outputs may use it: a record a processor renders may still change.
 */
export function renderJsonShared(record: LogRecord): string {
  if (record !== lastRecord) {
    lastLine = renderJson(record);
    lastRecord = record;
  }
  return lastLine;
}

/**
 * Renders a record as one JSON line (with the trailing newline): timestamp, level and event first,
 * then the logger name, the bound fields and the rest in call order. Keys whose value is
 * `undefined` are left out; a call field overrides a bound field of the same name, and the logger's
 * name a field named `logger` (no key is written twice: some JSON parsers refuse that).
 */
export function renderJson(record: LogRecord): string {
  const fields = record.fields;
  let line = "{";
  const timestamp = encodeValue(fields.timestamp);
  if (timestamp !== undefined) line += `"timestamp":${timestamp},`;
  const level = encodeValue(fields.level);
  if (level !== undefined) line += `"level":${level},`;
  line += `"event":${encodeValue(record.event)}`;
  const named = record.logger !== undefined;
  if (named) line += `,"logger":${encodeValue(record.logger)}`;
  line += bindingsJson(record.bindings, fields, named);
  for (const key in fields) {
    if (key === "timestamp" || key === "level" || key === "event" || (key === "logger" && named)) continue;
    const encoded = encodeValue(fields[key]);
    if (encoded !== undefined) line += `,${quoteKey(key)}:${encoded}`;
  }
  return `${line}}\n`;
}

function bindingsJson(bindings: Bindings, fields: Fields, named: boolean): string {
  if (bindings.json === "") return bindings.json;
  // `values` has no prototype, so `in` sees only bound keys.
  if (named && "logger" in bindings.values) return serializeFields(bindings.values, { ...fields, logger: 1 });
  for (const key in fields) {
    if (key in bindings.values) return serializeFields(bindings.values, fields);
  }
  return bindings.json;
}

/**
 * Serializes bound fields as JSON members with a leading comma each (`,"a":1,"b":2`), skipping
 * `except`'s keys and `event`: the line's event is the call's, as with a call field of that name.
 */
export function serializeFields(fields: Readonly<Fields>, except?: Readonly<Fields>): string {
  let out = "";
  for (const key in fields) {
    if (key === "event" || (except !== undefined && Object.hasOwn(except, key))) continue;
    const encoded = encodeValue(fields[key]);
    if (encoded !== undefined) out += `,${quoteKey(key)}:${encoded}`;
  }
  return out;
}
