import type { Fields, LogRecord } from "../record.js";
import {
  cutString,
  isErrorDescription,
  isWalkedFields,
  MIN_STRING_LENGTH,
  type Plain,
  walk,
} from "./walk.js";

const memberPrefixes = new Map<string, string>();

/** A member's start, `,"key":`, cached: records reuse a small set of keys. */
function memberPrefix(key: string): string {
  let prefix = memberPrefixes.get(key);
  if (prefix === undefined) {
    prefix = `,${JSON.stringify(key)}:`;
    // Bounded in count and in size: a key built from data (an id, a long string) is not kept.
    if (memberPrefixes.size < 10_000 && key.length <= 256) memberPrefixes.set(key, prefix);
  }
  return prefix;
}

// What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates
// (surrogate pairs also match and take the slow path, which writes them unchanged).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/**
 * Quoted long strings that needed escaping (stack traces, multi-line messages), by value: escaping
 * costs JSON.stringify about 2 ns a character (0.6 µs for a short stack), and the same Error is
 * usually logged many times. Strings are immutable, so a hit is always right.
 */
const escaped = new Map<string, string>();
const ESCAPED_ENTRIES = 64;
const ESCAPED_MAX_LENGTH = 8192;

function quoteEscaped(value: string): string {
  let quoted = escaped.get(value);
  if (quoted === undefined) {
    quoted = JSON.stringify(value);
    if (value.length <= ESCAPED_MAX_LENGTH) {
      if (escaped.size >= ESCAPED_ENTRIES) escaped.clear();
      escaped.set(value, quoted);
    }
  }
  return quoted;
}

/** Strings that need no escaping (ids, levels, timestamps, names) are quoted without JSON.stringify, as pino does. */
function quote(value: string): string {
  if (value.length > 64) return NEEDS_ESCAPE.test(value) ? quoteEscaped(value) : `"${value}"`;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92 || (code >= 0xd800 && code <= 0xdfff))
      return JSON.stringify(value);
  }
  return `"${value}"`;
}

/** The JSON of a walked tree. */
function encodePlain(value: Plain): string {
  if (typeof value === "string") return quote(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value === null) return "null";
  try {
    return isDescription(value) ? encodeObject(value) : JSON.stringify(value);
  } catch {
    // A processor put something JSON cannot hold into a walked tree after the walk: walk a copy.
    return JSON.stringify(walk(Array.isArray(value) ? [...value] : { ...value })) ?? "null";
  }
}

/** An Error's description with a stack trace (checked first: a WeakSet lookup for every object costs more). */
function isDescription(value: object): boolean {
  return typeof (value as { stacktrace?: unknown }).stacktrace === "string" && isErrorDescription(value);
}

/**
 * The JSON of an Error's description, as JSON.stringify writes it, but with its strings quoted by
 * quote(): its stack trace, logged again, is a lookup. Other objects are left to JSON.stringify,
 * which is faster for them.
 */
function encodeObject(value: object): string {
  const proto = Object.getPrototypeOf(value);
  if (
    (proto !== Object.prototype && proto !== null) ||
    typeof (value as { toJSON?: unknown }).toJSON === "function"
  )
    return JSON.stringify(value);
  let out = "";
  for (const key in value) {
    const encoded = encodeMember((value as Record<string, unknown>)[key]);
    if (encoded !== undefined) out += memberPrefix(key) + encoded;
  }
  return out === "" ? "{}" : `{${out.slice(1)}}`;
}

/** A member of a walked object; `undefined` (and functions, symbols) are left out, as JSON.stringify does. */
function encodeMember(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "number":
      return Number.isFinite(value) ? String(value) : "null";
    case "boolean":
      return value ? "true" : "false";
    case "object":
      if (value === null) return "null";
      return isDescription(value) ? encodeObject(value) : JSON.stringify(value);
    case "bigint":
      // Throws, as JSON.stringify does: encodePlain() then walks a copy.
      return JSON.stringify(value);
    default:
      return undefined;
  }
}

/**
 * Encodes any value as JSON through the walker (limits, markers, counts), never throwing. Returns
 * `undefined` for values JSON leaves out.
 */
export function encodeValue(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return quote(cutString(value));
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (Number.isFinite(value)) return String(value);
      break;
    case "undefined":
      return undefined;
  }
  const plain = walk(value);
  return plain === undefined ? undefined : encodePlain(plain);
}

/** The bound fields' members (`,"k":v,...`) and their keys, made once per bindings object. */
const boundJson = new WeakMap<object, { json: string; keys: string[] }>();

let lastBindings: Readonly<Fields> | undefined;
let lastBound = { json: "", keys: [] as string[] };

function boundOf(bindings: Readonly<Fields>): { json: string; keys: string[] } {
  // One logger usually writes many records in a row: its bindings are looked up once for them.
  if (bindings === lastBindings) return lastBound;
  let bound = boundJson.get(bindings);
  if (bound === undefined) {
    bound = { json: serializeFields(bindings), keys: Object.keys(bindings) };
    boundJson.set(bindings, bound);
  }
  lastBindings = bindings;
  lastBound = bound;
  return bound;
}

/** The JSON members of a logger's bound fields, made once per bindings object. */
export function bindingsJson(bindings: Readonly<Fields>): string {
  return boundOf(bindings).json;
}

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
 * @example
 * process.stdout.write(renderJson(record));
 */
export function renderJson(record: LogRecord): string {
  const fields = record.fields;
  // The fields the logger just walked need no second walk; any other record's do.
  const walked = isWalkedFields(fields);
  const encode = walked ? encodeWalked : encodeValue;
  let line = "{";
  const timestamp = walked ? encodeAt(0, fields.timestamp) : encode(fields.timestamp);
  if (timestamp !== undefined) line += `"timestamp":${timestamp},`;
  const level = walked ? encodeAt(1, fields.level) : encode(fields.level);
  if (level !== undefined) line += `"level":${level},`;
  const event = record.event;
  // An event this short is never cut, whatever the limits: its JSON depends on it alone.
  line += `"event":${event.length <= MIN_STRING_LENGTH ? encodeAt(2, event) : encodeValue(event)}`;
  const named = record.logger !== undefined;
  if (named) line += `,"logger":${encodeValue(record.logger)}`;
  line += boundMembers(record.bindings, fields, named);
  let slot = 3;
  for (const key in fields) {
    if (key === "timestamp" || key === "level" || key === "event" || (key === "logger" && named)) continue;
    const encoded = walked ? encodeAt(slot++, fields[key]) : encode(fields[key]);
    if (encoded !== undefined) line += memberPrefix(key) + encoded;
  }
  return `${line}}\n`;
}

/**
 * The last short string written at each place of a line and its JSON: the next record repeats most
 * of them (the level, the timestamp within a millisecond, trace ids, names), which then cost a
 * comparison instead of a scan and a new string.
 */
const SLOTS = 32;
const lastStrings: unknown[] = new Array(SLOTS).fill(undefined);
const lastQuoted: string[] = new Array(SLOTS).fill("");

/** A walked value at place `slot` of the line. */
function encodeAt(slot: number, value: unknown): string | undefined {
  if (typeof value !== "string" || slot >= SLOTS) return encodeWalked(value);
  if (lastStrings[slot] === value) return lastQuoted[slot];
  const quoted = quote(value);
  if (value.length <= 256) {
    lastStrings[slot] = value;
    lastQuoted[slot] = quoted;
  }
  return quoted;
}

/** A value of walked fields: already within the limits and JSON-safe. */
function encodeWalked(value: unknown): string | undefined {
  return value === undefined ? undefined : encodePlain(value as Plain);
}

function boundMembers(bindings: Readonly<Fields>, fields: Fields, named: boolean): string {
  const { json, keys } = boundOf(bindings);
  if (json === "") return json;
  // Bound values have no prototype, so `in` sees only bound keys.
  if (named && "logger" in bindings) return serializeFields(bindings, { ...fields, logger: 1 });
  // The bound keys are looked up among the call's, not the other way: a logger binds a few.
  for (let i = 0; i < keys.length; i++) {
    if (Object.hasOwn(fields, keys[i]!)) return serializeFields(bindings, fields);
  }
  return json;
}

/**
 * Serializes fields as JSON members with a leading comma each (`,"a":1,"b":2`), skipping `except`'s
 * keys and `event`: the line's event is the call's, as with a call field of that name.
 */
function serializeFields(fields: Readonly<Fields>, except?: Readonly<Fields>): string {
  let out = "";
  for (const key in fields) {
    if (key === "event" || (except !== undefined && Object.hasOwn(except, key))) continue;
    const encoded = encodeValue(fields[key]);
    if (encoded !== undefined) out += memberPrefix(key) + encoded;
  }
  return out;
}
