import { types } from "node:util";
import { diagnostics } from "../internal/diagnostics.js";
import { newFields } from "../internal/new-fields.js";
import { setOwn } from "../internal/set-own.js";

/** Caps on what one value may cost to encode; each logger has its own (`createLogger({ limits })`). */
export interface Limits {
  /** Strings longer than this are cut to it, ending in `...[truncated N chars]`. */
  readonly maxStringLength: number;
  /** Objects nested deeper than this (Error causes included) become `[Object]` / `[Array]`. */
  readonly maxDepth: number;
  /** Arrays, Sets, typed arrays and AggregateError members keep this many items, then `[N more items]`. */
  readonly maxItems: number;
  /** Objects and Maps keep this many keys (at least 8), then a `...` key with `[N more keys]`. */
  readonly maxKeys: number;
}

export const DEFAULT_LIMITS: Limits = Object.freeze({
  maxStringLength: 100_000,
  maxDepth: 10,
  maxItems: 1_000,
  maxKeys: 1_000,
});

/** The smallest string limit: a cut string (marker included) must fit it, so a second walk keeps it. */
export const MIN_STRING_LENGTH = 64;

/** The smallest key limit: an Error's description (type, message, stacktrace, code, cause, errors) must fit it. */
export const MIN_KEYS = 8;

/** What the walker returns: JSON's values only, in fresh objects and arrays that nothing else holds. */
export type Plain = null | string | number | boolean | Plain[] | { [key: string]: Plain };

/** The structured form of an Error, as written under `exception` (and for any Error in the fields). */
export interface ExceptionInfo {
  type: string;
  message: string;
  stacktrace?: string;
  /** A string or numeric `code` property (Node's system errors: `ECONNREFUSED`). */
  code?: string | number;
  /** The error's `cause`, walked like any value: an Error becomes an ExceptionInfo. */
  cause?: Plain;
  /** The members of an AggregateError. */
  errors?: Plain[];
  [key: string]: Plain | undefined;
}

/** Keys the Error description writes itself; own properties of the same names are left out. */
const ERROR_KEYS = new Set(["type", "message", "stacktrace", "stack", "code", "cause", "errors"]);

/**
 * Roots of walked trees. Walking one again returns it as it is: a processor (redact(),
 * formatException()) and the logger then write the same snapshot, with each marker made and counted once.
 */
const walked = new WeakSet<object>();

/** The descriptions made from Errors, so an output knows one from a map that happens to have `type` and `message`. */
const descriptions = new WeakSet<object>();

/** Whether a value is the description of an Error (made by the walker, or a redacted copy of one). */
export function isErrorDescription(value: unknown): value is ExceptionInfo {
  return typeof value === "object" && value !== null && descriptions.has(value);
}

/**
 * Whether a value has the shape of an Error's description (`type` and `message` strings), as
 * formatException() writes it under `exception` or a record built by hand may carry it.
 */
export function isExceptionInfo(value: unknown): value is ExceptionInfo {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as ExceptionInfo).type === "string" &&
    typeof (value as ExceptionInfo).message === "string"
  );
}

/** Marks a copy of an Error's description (redact() copies what it changes) as one. */
export function markErrorDescription<T extends object>(copy: T): T {
  descriptions.add(copy);
  return copy;
}

/** The limits of the log call being processed; the logger sets them around its processors. */
let active: Limits = DEFAULT_LIMITS;

/** Makes `limits` the walker's default (the calling logger's) and returns the previous ones, to restore. */
export function swapLimits(limits: Limits): Limits {
  const saved = active;
  active = limits;
  return saved;
}

/** The limits of the log call in progress, else the defaults. */
export function activeLimits(): Limits {
  return active;
}

type Kind = "unencodable" | "truncated";

/** How many markers were made so far, and the kind of the last: a container notes where each one went. */
let made = 0;
let lastKind: Kind = "unencodable";

function unencodable(text: string): string {
  diagnostics.unencodable++;
  made++;
  lastKind = "unencodable";
  return text;
}

function truncated(text: string): string {
  diagnostics.truncated++;
  made++;
  lastKind = "truncated";
  return text;
}

/**
 * Where the markers of walked trees are: per container, the keys whose value is a marker. A value
 * that a processor then drops (redact() replacing a subtree, maxKeys cutting a top-level field) gives
 * its count back, so `getDiagnostics()` counts the markers written, no more.
 */
const markerAt = new WeakMap<object, Map<string, Kind>>();

function note(container: object, key: string | number, before: number, item: unknown): void {
  if (made === before || typeof item !== "string") return;
  let at = markerAt.get(container);
  if (at === undefined) {
    at = new Map();
    markerAt.set(container, at);
  }
  at.set(String(key), lastKind);
}

/** Keeps the marker positions of a walked container on its copy (redact() copies what it changes). */
export function copyMarkers(from: object, to: object): void {
  const at = markerAt.get(from);
  if (at !== undefined) markerAt.set(to, new Map(at));
}

/** Gives back the counts of the markers in `container[key]` (a marker, or a walked subtree), about to be dropped. */
export function uncount(container: object, key: string | number): void {
  const kind = markerAt.get(container)?.get(String(key));
  if (kind !== undefined) {
    diagnostics[kind]--;
    markerAt.get(container)!.delete(String(key));
    return;
  }
  const value = (container as Record<string, unknown>)[key];
  if (typeof value === "object" && value !== null) uncountTree(value, 0);
}

function uncountTree(tree: object, depth: number): void {
  // Walked trees are bounded by maxDepth; this bound only guards against a hand-made cycle.
  if (depth > 64) return;
  const at = markerAt.get(tree);
  if (at !== undefined) for (const kind of at.values()) diagnostics[kind]--;
  for (const value of Object.values(tree)) {
    if (typeof value === "object" && value !== null) uncountTree(value, depth + 1);
  }
}

/** Cuts a string longer than the limit; the result, marker included, fits the limit. */
export function cutString(value: string, limits: Limits = active): string {
  const max = limits.maxStringLength;
  if (value.length <= max) return value;
  const kept = Math.max(0, max - 21 - String(value.length).length);
  return truncated(`${value.slice(0, kept)}...[truncated ${value.length - kept} chars]`);
}

/**
 * Turns any value into a JSON-safe tree, never throwing: cycles, depth, items, keys and string
 * length are bounded; Map, Set, Error, typed arrays, Buffer, toJSON, getters and Proxies are read
 * once each; what cannot be represented becomes a marker string, counted in `getDiagnostics()`.
 * Returns `undefined` for values JSON leaves out (`undefined`).
 */
export function walk(value: unknown, limits: Limits = active): Plain | undefined {
  if (typeof value === "object" && value !== null) {
    if (walked.has(value)) return value as Plain;
    const tree = walkObject(value, limits, []);
    if (typeof tree === "object" && tree !== null) walked.add(tree);
    return tree;
  }
  return walkScalar(value, limits);
}

/** Marks a tree made from walked trees (a redacted copy) as walked, so it is not walked again. */
export function markWalked<T extends object>(tree: T): T {
  walked.add(tree);
  return tree;
}

/** Whether a value came out of `walk()` (and so needs no second walk). */
export function isWalked(value: unknown): boolean {
  return typeof value === "object" && value !== null && walked.has(value);
}

function walkScalar(value: unknown, limits: Limits): Plain | undefined {
  switch (typeof value) {
    case "string":
      return cutString(value, limits);
    case "number":
      // OTLP/JSON would send NaN and Infinity as null, and JSON cannot hold them: a marker instead.
      return Number.isFinite(value) ? value : unencodable(String(value));
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "bigint":
      return cutString(value.toString(), limits);
    case "symbol":
      return cutString(value.toString(), limits);
    case "function":
      return cutString(`[Function: ${(value as { name?: string }).name || "anonymous"}]`, limits);
    default:
      return null;
  }
}

function walkItem(value: unknown, limits: Limits, path: object[]): Plain | undefined {
  if (typeof value === "object" && value !== null) return walkObject(value, limits, path);
  return walkScalar(value, limits);
}

function walkObject(value: object, limits: Limits, path: object[]): Plain {
  try {
    if (path.includes(value)) return unencodable("[Circular]");
    if (path.length >= limits.maxDepth) return truncated(Array.isArray(value) ? "[Array]" : "[Object]");
    path.push(value);
    try {
      return walkKnown(value, limits, path);
    } finally {
      path.pop();
    }
  } catch (error) {
    return unencodable(`[Unserializable: ${describe(error)}]`);
  }
}

function walkKnown(value: object, limits: Limits, path: object[]): Plain {
  // Plain objects, the usual nested value, skip the type checks below.
  const proto = Object.getPrototypeOf(value);
  if (
    (proto === Object.prototype || proto === null) &&
    typeof (value as { toJSON?: unknown }).toJSON !== "function"
  ) {
    return walkMembers(value, limits, path);
  }
  if (Array.isArray(value)) return walkArray(value, limits, path);
  if (isError(value)) return describeErrorAt(value, limits, path) as unknown as Plain;
  if (value instanceof Map) return walkMap(value, limits, path);
  if (value instanceof Set) return walkList(value, value.size, limits, path);
  if (Buffer.isBuffer(value)) return bufferOf(value, limits);
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) return { type: "DataView", byteLength: value.byteLength };
    // Iterated, not copied: a large tensor costs only the items written.
    return walkList(value as unknown as Iterable<unknown>, (value as Uint8Array).length, limits, path);
  }
  if (value instanceof ArrayBuffer) return { type: "ArrayBuffer", byteLength: value.byteLength };
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const json: unknown = toJSON.call(value);
    if (json !== value) return walkItem(json, limits, path) ?? null;
  }
  return walkMembers(value, limits, path);
}

const MORE = /^\[\d+ more (items|keys)\]$/;

function isMoreMarker(value: unknown): boolean {
  return typeof value === "string" && MORE.test(value);
}

/** Holes and `undefined` become `null`, as in JSON.stringify; a sparse array costs only maxItems reads. */
function walkArray(value: unknown[], limits: Limits, path: object[]): Plain[] {
  const length = value.length;
  // A list this walker already cut (its marker last) is walked again as it is: walking is idempotent.
  const count = Math.min(
    length,
    length === limits.maxItems + 1 && isMoreMarker(value[length - 1]) ? length : limits.maxItems,
  );
  // An array of this realm is copied with slice(), which reads each item once and costs a third of
  // the item-by-item copy; an array of finite numbers (an embedding, scores), the usual large one,
  // is then kept as it is.
  const items =
    Object.getPrototypeOf(value) === Array.prototype ? Array.prototype.slice.call(value, 0, count) : value;
  if (items !== value && finiteNumbers(items)) {
    if (length > count) {
      items.push(truncated(`[${length - count} more items]`));
      note(items, count, made - 1, items[count]);
    }
    return items as Plain[];
  }
  // Pushed, not preallocated: a packed array is what JSON.stringify writes fastest.
  const out: Plain[] = [];
  for (let i = 0; i < count; i++) {
    const item = items[i];
    // Finite numbers, the usual items (an embedding, scores), skip the general path.
    if (typeof item === "number" && Number.isFinite(item)) {
      out.push(item);
      continue;
    }
    const before = made;
    out.push(walkItem(item, limits, path) ?? null);
    if (made !== before) note(out, i, before, out[i]);
  }
  if (length > count) {
    out.push(truncated(`[${length - count} more items]`));
    note(out, count, made - 1, out[count]);
  }
  return out;
}

function finiteNumbers(items: unknown[]): boolean {
  for (let i = 0; i < items.length; i++) {
    const item = items[i];
    if (typeof item !== "number" || !Number.isFinite(item)) return false;
  }
  return true;
}

function walkList(items: Iterable<unknown>, size: number, limits: Limits, path: object[]): Plain[] {
  const out: Plain[] = [];
  for (const item of items) {
    const before = made;
    if (out.length === limits.maxItems) {
      out.push(truncated(`[${size - limits.maxItems} more items]`));
      note(out, out.length - 1, before, out.at(-1));
      break;
    }
    out.push(walkItem(item, limits, path) ?? null);
    note(out, out.length - 1, before, out.at(-1));
  }
  return out;
}

function walkMap(value: Map<unknown, unknown>, limits: Limits, path: object[]): Plain {
  const out = (value.size > 12 ? newFields() : {}) as { [key: string]: Plain };
  let count = 0;
  for (const [key, item] of value) {
    if (count++ === limits.maxKeys) {
      put(out, "...", truncated(`[${value.size - limits.maxKeys} more keys]`), made - 1);
      break;
    }
    const before = made;
    const walkedItem = walkItem(item, limits, path);
    if (walkedItem !== undefined) put(out, keyOf(key, limits), walkedItem, before);
  }
  return out;
}

function keyOf(key: unknown, limits: Limits): string {
  if (typeof key === "string") return cutString(key, limits);
  try {
    return cutString(String(key), limits);
  } catch (error) {
    return unencodable(`[Unserializable: ${describe(error)}]`);
  }
}

/**
 * Sets a key as an own property (`__proto__` included). A key already there (Map keys `1` and `"1"`)
 * is written again as `key [duplicate N]`, counted: no JSON line carries a key twice.
 */
function put(out: { [key: string]: Plain }, key: string, value: Plain, before = made): void {
  let name = key;
  // The value's marker first: a duplicate key's own marker is counted after it.
  note(out, key, before, value);
  if (Object.hasOwn(out, name)) {
    let n = 2;
    while (Object.hasOwn(out, `${key} [duplicate ${n}]`)) n++;
    name = unencodable(`${key} [duplicate ${n}]`);
    const at = markerAt.get(out)?.get(key);
    if (at !== undefined) {
      markerAt.get(out)!.delete(key);
      markerAt.get(out)!.set(name, at);
    }
  }
  setOwn(out, name, value);
}

function walkMembers(
  value: object,
  limits: Limits,
  path: object[],
  given?: { [key: string]: Plain },
  skip?: ReadonlySet<string>,
): { [key: string]: Plain } {
  const keys = Object.keys(value);
  // More keys than `{}` holds in V8's fast mode: the copy gets an object with room for them.
  const out = given ?? (keys.length > 12 ? (newFields() as { [key: string]: Plain }) : {});
  const cut = keys.length === limits.maxKeys + 1 && isMoreMarker((value as Record<string, unknown>)["..."]);
  // An Error's own members share maxKeys with its description (and the cause and errors after them),
  // so the description, walked again, keeps every key.
  const room =
    skip === undefined ? limits.maxKeys : Math.max(0, limits.maxKeys - Object.keys(out).length - 2);
  const count = Math.min(keys.length, cut ? keys.length : room);
  const maxString = limits.maxStringLength;
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    if (skip?.has(key)) continue;
    let item: Plain | undefined;
    const before = made;
    try {
      const raw = (value as Record<string, unknown>)[key];
      // Scalars within the limits, the usual members, skip the general path.
      const type = typeof raw;
      if (
        type === "string"
          ? (raw as string).length <= maxString
          : type === "boolean" || (type === "number" && Number.isFinite(raw))
      )
        item = raw as Plain;
      else item = walkItem(raw, limits, path);
    } catch (error) {
      item = unencodable(`[Unserializable: ${describe(error)}]`);
    }
    if (item === undefined) continue;
    // Keys of one object are distinct: only a cut key or `__proto__` (or an Error's own member
    // beside its description) needs the careful path.
    if (key.length <= maxString && key !== "__proto__" && skip === undefined && made === before)
      out[key] = item;
    else put(out, cutString(key, limits), item, before);
  }
  if (keys.length > count) put(out, "...", truncated(`[${keys.length - count} more keys]`), made - 1);
  return out;
}

/** A Buffer as base64; of a large one only the bytes whose base64 fits the string limit are converted. */
function bufferOf(value: Buffer, limits: Limits): Plain {
  const total = 4 * Math.ceil(value.length / 3);
  if (total <= limits.maxStringLength) return { type: "Buffer", base64: value.toString("base64") };
  const kept = Math.max(0, limits.maxStringLength - 21 - String(total).length);
  const head = value
    .subarray(0, Math.ceil(kept / 4) * 3)
    .toString("base64")
    .slice(0, kept);
  return { type: "Buffer", base64: truncated(`${head}...[truncated ${total - kept} chars]`) };
}

/** Whether a value is an Error, also one from another realm (vm, workers), which fails `instanceof`. */
export function isError(value: unknown): value is Error {
  return (
    value instanceof Error || (typeof value === "object" && value !== null && types.isNativeError(value))
  );
}

/** Reads a property as a string; a getter that throws or an odd value must not cost the record. */
function read(error: object, key: string): string | undefined {
  try {
    const value: unknown = (error as Record<string, unknown>)[key];
    if (value === undefined || value === null) return undefined;
    return typeof value === "string" ? value : String(value);
  } catch {
    return undefined;
  }
}

function errorType(error: object): string {
  const name = read(error, "name");
  if (name) return name;
  try {
    return (error as { constructor?: { name?: string } }).constructor?.name || "Error";
  } catch {
    return "Error";
  }
}

/**
 * Describes an Error as `ExceptionInfo` (`{type, message, stacktrace, code?, ...own fields, cause?,
 * errors?}`), under the walker's limits: causes and AggregateError members are walked like any
 * value (depth, items, strings), a cause met again on its own chain is `[Circular]`.
 * @example
 * describeError(new Error("no model", { cause: err })); // { type: "Error", message: "no model", stacktrace: "...", cause: {...} }
 */
export function describeError(error: Error, limits: Limits = active): ExceptionInfo {
  const info = walk(error, limits);
  return typeof info === "object" && info !== null && !Array.isArray(info)
    ? (info as ExceptionInfo)
    : { type: "Error", message: String(info) };
}

function describeErrorAt(error: Error, limits: Limits, path: object[]): ExceptionInfo {
  const beforeType = made;
  const info: ExceptionInfo = {
    type: cutString(errorType(error), limits),
    message: read(error, "message") ?? "",
  };
  descriptions.add(info);
  note(info, "type", beforeType, info.type);
  const before = made;
  info.message = cutString(info.message, limits);
  note(info, "message", before, info.message);
  const stack = read(error, "stack");
  if (stack !== undefined) {
    const beforeStack = made;
    info.stacktrace = cutString(stack, limits);
    note(info, "stacktrace", beforeStack, info.stacktrace);
  }
  try {
    const code = (error as unknown as Record<string, unknown>).code;
    if (typeof code === "number" && Number.isFinite(code)) info.code = code;
    else if (typeof code === "string") info.code = cutString(code, limits);
  } catch {
    // A throwing `code` getter: the error is still described.
  }
  walkMembers(error, limits, path, info as { [key: string]: Plain }, ERROR_KEYS);
  let cause: unknown;
  const beforeCause = made;
  try {
    cause = error.cause;
  } catch (thrown) {
    cause = unencodable(`[Unserializable: ${describe(thrown)}]`);
  }
  if (cause !== undefined) {
    info.cause = walkItem(cause, limits, path) ?? null;
    note(info, "cause", beforeCause, info.cause);
  }
  if (error instanceof AggregateError) {
    const errors: unknown = error.errors;
    // Through walkItem(), so the list counts as a level of nesting, as it does when the description is walked again.
    if (Array.isArray(errors)) {
      const beforeErrors = made;
      info.errors = walkItem(errors, limits, path) as Plain[];
      note(info, "errors", beforeErrors, info.errors);
    }
  }
  return info;
}

/** A short description of a thrown value (`Type: message`), for markers; never throws itself. */
export function describe(thrown: unknown): string {
  try {
    const text = isError(thrown) ? `${errorType(thrown)}: ${read(thrown, "message") ?? ""}` : String(thrown);
    return text.length > 200 ? `${text.slice(0, 200)}...` : text;
  } catch {
    return "unknown error";
  }
}

/** The fields object the logger walked last: the outputs it is handed to encode its values as they are. */
let lastWalked: object | undefined;

/** Whether `fields` is what the logger walked last (its values are JSON-safe trees, no second walk needed). */
export function isWalkedFields(fields: object): boolean {
  return fields === lastWalked;
}

/**
 * Walks a record's fields object: strings cut, object values replaced by their walked trees, at most
 * maxKeys keys. The logger runs it once per record after its processors, so every output encodes
 * the same snapshot and each marker is counted once. Changes `fields` in place when it can; a
 * frozen or hostile one is copied, and one that cannot even be read is replaced, with a
 * `logging_error` field saying why.
 */
export function walkFields(
  fields: Record<string, unknown>,
  limits: Limits = active,
): Record<string, unknown> {
  let out: Record<string, unknown>;
  try {
    out = walkFieldsInPlace(fields, limits);
  } catch {
    try {
      out = walkFieldsCopy(fields, limits);
    } catch (error) {
      out = { logging_error: unencodable(`[Unserializable: fields could not be read: ${describe(error)}]`) };
    }
  }
  lastWalked = out;
  return out;
}

function walkFieldsInPlace(fields: Record<string, unknown>, limits: Limits): Record<string, unknown> {
  // for-in would also see the keys of a prototype a processor gave the fields: only own keys are written.
  const proto = Object.getPrototypeOf(fields);
  if (proto !== Object.prototype && proto !== null) throw new RangeError("copy");
  let count = 0;
  for (const key in fields) {
    // Past maxKeys the copy keeps the first ones and a marker.
    // A key past maxStringLength is cut by the copy, as a nested one is.
    if (++count > limits.maxKeys || key === "__proto__" || key.length > limits.maxStringLength) {
      throw new RangeError("copy");
    }
    const value = fields[key];
    switch (typeof value) {
      case "string":
        if (value.length > limits.maxStringLength) {
          fields[key] = cutString(value, limits);
          note(fields, key, made - 1, fields[key]);
        }
        break;
      case "number":
        if (!Number.isFinite(value)) {
          fields[key] = walkScalar(value, limits);
          note(fields, key, made - 1, fields[key]);
        }
        break;
      case "boolean":
      case "undefined":
        break;
      case "object":
        // Not marked as walked (a WeakSet insert per value costs more than the walk of a small
        // object): the outputs know these fields by isWalkedFields(), and a later walk of them
        // (a deferred output, the console) is idempotent and counts nothing.
        if (value !== null && !walked.has(value)) fields[key] = walkObject(value, limits, []);
        break;
      default:
        fields[key] = walkScalar(value, limits);
    }
  }
  return fields;
}

function walkFieldsCopy(fields: Record<string, unknown>, limits: Limits): Record<string, unknown> {
  const out: { [key: string]: Plain } = {};
  const keys = Object.keys(fields);
  const count = Math.min(keys.length, limits.maxKeys);
  for (let i = 0; i < count; i++) {
    const key = keys[i]!;
    let item: Plain | undefined;
    const before = made;
    try {
      const value = fields[key];
      // Values the in-place pass walked before it had to stop are kept as they are.
      item = isWalked(value) ? (value as Plain) : walkItem(value, limits, []);
      if (typeof item === "object" && item !== null) walked.add(item);
    } catch (error) {
      item = unencodable(`[Unserializable: ${describe(error)}]`);
    }
    // Kept even when undefined: a call field set to undefined still hides the bound field of its name.
    put(out, key.length > limits.maxStringLength ? cutString(key, limits) : key, item as Plain, before);
  }
  // What a processor made and counted (formatException()'s exception) and maxKeys now cuts is not written.
  for (let i = count; i < keys.length; i++) {
    try {
      if (isWalked(fields[keys[i]!])) uncount(fields, keys[i]!);
    } catch {
      // Unreadable: nothing of it was counted.
    }
  }
  if (keys.length > count) put(out, "...", truncated(`[${keys.length - count} more keys]`), made - 1);
  return out;
}
