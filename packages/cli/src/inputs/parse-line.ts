import { flattenOtlp, isOtlpBatch, type ResourceKeys } from "./flatten-otlp.js";
import { splitJsonValues } from "./split-json-values.js";

/** A log record as read: a mlobs JSON line, or one record flattened out of an OTLP batch. */
export type Record = { [key: string]: unknown };

/**
 * The records on one line: one mlobs JSON record, every record of an OTLP/JSON batch, or those of
 * several batches joined on one line. `undefined` when the line is not JSON objects (a blank line,
 * a message printed by something else, a record cut short). `resourceKeys`: see flattenOtlp().
 */
export function parseLine(text: string, resourceKeys: ResourceKeys = "all"): Record[] | undefined {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    const pieces = splitJsonValues(text);
    if (pieces.length < 2) return undefined;
    const records: Record[] = [];
    for (const piece of pieces) {
      const one = parseObject(piece, resourceKeys);
      if (one === undefined) return undefined;
      records.push(...one);
    }
    return records;
  }
  return recordsOf(value, resourceKeys);
}

function parseObject(text: string, resourceKeys: ResourceKeys): Record[] | undefined {
  try {
    return recordsOf(JSON.parse(text), resourceKeys);
  } catch {
    return undefined;
  }
}

function recordsOf(value: unknown, resourceKeys: ResourceKeys): Record[] | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return undefined;
  return isOtlpBatch(value) ? flattenOtlp(value, resourceKeys) : [value as Record];
}

/** Why a line is not a record, in a few words (never the line itself: it may be binary). */
export function whyNotRecord(text: string): string {
  const start = text.trimStart()[0];
  if (start === "{") return "a JSON record cut short or malformed";
  if (start === "[" || start === '"' || /^[-\d tfn]/.test(start ?? "")) return "JSON, but not an object";
  return "not JSON";
}
