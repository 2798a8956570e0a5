import { diagnostics } from "./diagnostics.js";

/** Limits on what one value may cost to encode; `configure({ limits })` changes them. */
export interface EncodeLimits {
  /** Strings longer than this are cut, with a marker saying how much was cut. */
  maxStringLength: number;
  /** Objects nested deeper than this are replaced by a marker. */
  maxDepth: number;
  /** Arrays, Maps and Sets longer than this keep their first items and a marker. */
  maxItems: number;
}

export const limits: EncodeLimits = { maxStringLength: 100_000, maxDepth: 10, maxItems: 1_000 };

const quotedKeys = new Map<string, string>();

/** A JSON-quoted key, cached: records reuse a small set of keys. */
export function quoteKey(key: string): string {
  let quoted = quotedKeys.get(key);
  if (quoted === undefined) {
    quoted = JSON.stringify(key);
    if (quotedKeys.size < 10_000) quotedKeys.set(key, quoted);
  }
  return quoted;
}

function marker(text: string): string {
  diagnostics.unencodable++;
  return JSON.stringify(text);
}

// What JSON.stringify escapes in a string: quote, backslash, control characters, lone surrogates
// (surrogate pairs also match and take the slow path, which writes them unchanged).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what must be escaped.
const NEEDS_ESCAPE = /[\u0000-\u001f"\\\ud800-\udfff]/;

/** Strings that need no escaping (ids, levels, timestamps, names) are quoted without JSON.stringify, as pino does. */
function quotePlain(value: string): string {
  if (value.length > 64) return NEEDS_ESCAPE.test(value) ? JSON.stringify(value) : `"${value}"`;
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    if (code < 32 || code === 34 || code === 92 || (code >= 0xd800 && code <= 0xdfff))
      return JSON.stringify(value);
  }
  return `"${value}"`;
}

function quoteString(value: string): string {
  if (value.length <= limits.maxStringLength) return quotePlain(value);
  const cut = value.length - limits.maxStringLength;
  return JSON.stringify(`${value.slice(0, limits.maxStringLength)}...[truncated ${cut} chars]`);
}

/**
 * Encodes any value as JSON, never throwing: cycles, BigInt, Map, Set, Buffer, NaN, Infinity,
 * throwing getters and toJSON, Proxies and deep nesting all give valid JSON, with a marker string
 * where a value could not be represented. Returns `undefined` for values JSON leaves out.
 */
export function encodeValue(value: unknown): string | undefined {
  switch (typeof value) {
    case "string":
      return quoteString(value);
    case "number":
      return Number.isFinite(value) ? String(value) : marker(String(value));
    case "boolean":
      return value ? "true" : "false";
    case "undefined":
      return undefined;
    case "bigint":
      return `"${value}"`;
    case "symbol":
      return JSON.stringify(value.toString());
    case "function":
      return JSON.stringify(`[Function: ${value.name || "anonymous"}]`);
    default:
      return value === null ? "null" : encodeObject(value as object, []);
  }
}

function encodeItem(value: unknown, path: object[]): string | undefined {
  if (typeof value === "object" && value !== null) return encodeObject(value, path);
  return encodeValue(value);
}

function encodeObject(value: object, path: object[]): string {
  if (path.includes(value)) return marker("[Circular]");
  if (path.length >= limits.maxDepth) return marker(Array.isArray(value) ? "[Array]" : "[Object]");
  path.push(value);
  try {
    return encodeKnown(value, path);
  } catch (error) {
    return marker(`[Unserializable: ${describe(error)}]`);
  } finally {
    path.pop();
  }
}

function encodeKnown(value: object, path: object[]): string {
  if (Array.isArray(value)) return encodeList(value, value.length, path);
  if (value instanceof Error) return encodeError(value, path);
  if (value instanceof Map) {
    const members: string[] = [];
    for (const [key, item] of value) {
      if (members.length === limits.maxItems) {
        members.push(`"...":${marker(`[${value.size - limits.maxItems} more entries]`)}`);
        break;
      }
      const encoded = encodeItem(item, path);
      if (encoded !== undefined) members.push(`${JSON.stringify(String(key))}:${encoded}`);
    }
    return `{${members.join(",")}}`;
  }
  if (value instanceof Set) return encodeList(value, value.size, path);
  if (Buffer.isBuffer(value)) return encodeBuffer(value);
  if (ArrayBuffer.isView(value)) {
    // Iterated, not copied with Array.from(): a large tensor costs only the items that are written.
    if (value instanceof DataView) return "[]";
    return encodeList(value as Uint8Array, (value as Uint8Array).length, path);
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const json: unknown = toJSON.call(value);
    return json === value ? encodeMembers(value, path) : (encodeItem(json, path) ?? "null");
  }
  return encodeMembers(value, path);
}

/** A Buffer as base64; of a large one only the bytes whose base64 fits the string limit are converted. */
function encodeBuffer(value: Buffer): string {
  const max = limits.maxStringLength;
  const length = 4 * Math.ceil(value.length / 3);
  if (length <= max) return `{"type":"Buffer","base64":"${value.toString("base64")}"}`;
  const head = value
    .subarray(0, Math.ceil(max / 4) * 3)
    .toString("base64")
    .slice(0, max);
  return `{"type":"Buffer","base64":"${head}...[truncated ${length - max} chars]"}`;
}

function encodeList(items: Iterable<unknown>, size: number, path: object[]): string {
  const parts: string[] = [];
  for (const item of items) {
    if (parts.length === limits.maxItems) {
      parts.push(marker(`[${size - limits.maxItems} more items]`));
      break;
    }
    parts.push(encodeItem(item, path) ?? "null");
  }
  return `[${parts.join(",")}]`;
}

function encodeMembers(value: object, path: object[]): string {
  let out = "";
  for (const key of Object.keys(value)) {
    let encoded: string | undefined;
    try {
      encoded = encodeItem((value as Record<string, unknown>)[key], path);
    } catch (error) {
      encoded = marker(`[Unserializable: ${describe(error)}]`);
    }
    if (encoded !== undefined) out += `${out === "" ? "" : ","}${quoteKey(key)}:${encoded}`;
  }
  return `{${out}}`;
}

function encodeError(error: Error, path: object[]): string {
  // String(): a name that is not a string (undefined, a number) must still give valid JSON.
  let out = `"type":${quoteString(String(error.name))},"message":${quoteString(String(error.message))}`;
  if (error.stack !== undefined) out += `,"stack":${quoteString(error.stack)}`;
  const members = encodeMembers(error, path);
  if (members !== "{}") out += `,${members.slice(1, -1)}`;
  if (error.cause !== undefined) out += `,"cause":${encodeItem(error.cause, path) ?? "null"}`;
  return `{${out}}`;
}

/** A short description of a thrown value, for markers; never throws itself. */
export function describe(thrown: unknown): string {
  try {
    return thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
  } catch {
    return "unknown error";
  }
}
