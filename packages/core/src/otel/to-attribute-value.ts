import type { AnyValue, AnyValueMap } from "@opentelemetry/api-logs";
import { diagnostics } from "../internal/diagnostics.js";
import { describe, limits } from "../internal/json.js";

/**
 * Converts any value to an OpenTelemetry log attribute value (`AnyValue`), never throwing:
 * objects stay maps, arrays and Sets become lists, Maps become maps, Buffers and Uint8Arrays stay
 * bytes, Errors become `{type, message, stacktrace}`, BigInt and symbols become strings, and NaN,
 * Infinity, cycles, excess depth, functions and throwing getters become marker strings, as in the
 * JSON output.
 * Returns `undefined` for `undefined`, which leaves the attribute out.
 * @example
 * toAttributeValue({ model: "churn-v3", ids: new Set([1, 2]) }); // { model: "churn-v3", ids: [1, 2] }
 */
export function toAttributeValue(value: unknown): AnyValue | undefined {
  switch (typeof value) {
    case "string":
      return cutString(value);
    case "number":
      // OTLP/JSON would send NaN and Infinity as null, and the collector rejects the whole batch.
      return Number.isFinite(value) ? value : marker(String(value));
    case "boolean":
      return value;
    case "undefined":
      return undefined;
    case "bigint":
      return value.toString();
    case "symbol":
      return value.toString();
    case "function":
      return `[Function: ${value.name || "anonymous"}]`;
    default:
      return value === null ? null : convertObject(value as object, []);
  }
}

function cutString(value: string): string {
  if (value.length <= limits.maxStringLength) return value;
  const cut = value.length - limits.maxStringLength;
  return `${value.slice(0, limits.maxStringLength)}...[truncated ${cut} chars]`;
}

function marker(text: string): string {
  diagnostics.unencodable++;
  return text;
}

function convertItem(value: unknown, path: object[]): AnyValue | undefined {
  if (typeof value === "object" && value !== null) return convertObject(value, path);
  return toAttributeValue(value);
}

function convertObject(value: object, path: object[]): AnyValue {
  if (path.includes(value)) return marker("[Circular]");
  if (path.length >= limits.maxDepth) return marker(Array.isArray(value) ? "[Array]" : "[Object]");
  path.push(value);
  try {
    return convertKnown(value, path);
  } catch (error) {
    return marker(`[Unserializable: ${describe(error)}]`);
  } finally {
    path.pop();
  }
}

function convertKnown(value: object, path: object[]): AnyValue {
  if (Array.isArray(value)) return convertList(value, value.length, path);
  // Bytes travel as bytes in OTLP (Buffer is a Uint8Array).
  if (value instanceof Uint8Array) return value;
  if (value instanceof Error) return convertError(value, path);
  if (value instanceof Map) {
    const map: AnyValueMap = {};
    let count = 0;
    for (const [key, item] of value) {
      if (count++ === limits.maxItems) {
        setKey(map, "...", marker(`[${value.size - limits.maxItems} more entries]`));
        break;
      }
      const converted = convertItem(item, path);
      if (converted !== undefined) setKey(map, String(key), converted);
    }
    return map;
  }
  if (value instanceof Set) return convertList(value, value.size, path);
  if (ArrayBuffer.isView(value)) {
    return convertList(Array.from(value as unknown as ArrayLike<number>), (value as Uint8Array).length, path);
  }
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === "function") {
    const json: unknown = toJSON.call(value);
    if (json !== value) return convertItem(json, path) ?? null;
  }
  return convertMembers(value, path);
}

function convertList(items: Iterable<unknown>, size: number, path: object[]): AnyValue[] {
  const list: AnyValue[] = [];
  for (const item of items) {
    if (list.length === limits.maxItems) {
      list.push(marker(`[${size - limits.maxItems} more items]`));
      break;
    }
    list.push(convertItem(item, path) ?? null);
  }
  return list;
}

function convertMembers(value: object, path: object[]): AnyValueMap {
  const map: AnyValueMap = {};
  for (const key of Object.keys(value)) {
    let converted: AnyValue | undefined;
    try {
      converted = convertItem((value as Record<string, unknown>)[key], path);
    } catch (error) {
      converted = marker(`[Unserializable: ${describe(error)}]`);
    }
    if (converted !== undefined) setKey(map, key, converted);
  }
  return map;
}

function convertError(error: Error, path: object[]): AnyValueMap {
  const map: AnyValueMap = { type: error.name, message: cutString(String(error.message)) };
  if (typeof error.stack === "string") map.stacktrace = cutString(error.stack);
  const members = convertMembers(error, path);
  for (const key in members) setKey(map, key, members[key] as AnyValue);
  if (error.cause !== undefined) map.cause = convertItem(error.cause, path) ?? null;
  return map;
}

/** Sets a key, including `__proto__`, as an own property of a plain map. */
function setKey(map: AnyValueMap, key: string, value: AnyValue): void {
  if (key === "__proto__")
    Object.defineProperty(map, key, { value, enumerable: true, writable: true, configurable: true });
  else map[key] = value;
}
