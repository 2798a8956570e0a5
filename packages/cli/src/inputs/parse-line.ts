import { flattenOtlp, isOtlpBatch, type ResourceKeys } from "./flatten-otlp.js";
import { splitJsonValues } from "./split-json-values.js";

/** A log record as read: a mlobs JSON line, or one record flattened out of an OTLP batch. */
export type Record = { [key: string]: unknown };

/**
 * The records on one line: one mlobs JSON record, every record of an OTLP/JSON batch, or those of
 * several batches joined on one line. `undefined` when the line is not JSON objects (a blank line,
 * a message printed by something else, a record cut short). `resourceKeys`: see flattenOtlp().
 */
export function parseLine(
  text: string,
  resourceKeys: ResourceKeys = "all",
  cutShort?: { batches: number },
): Record[] | undefined {
  if (text.trim() === "") return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    if (BATCH_AT_START.test(text)) return otlpBatches(text, resourceKeys, cutShort);
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

// Where the collector's file exporter starts a batch: the same rule as collector/flatten-logs.mjs.
const BATCH_AT_START = /^\s*\{"resource(?:Logs|Spans|Metrics)":/;
const BATCH_START = /(?=\{"resource(?:Logs|Spans|Metrics)":)/;

/**
 * The records of OTLP batches joined on one line. A batch a killed collector cut short is skipped
 * and counted in `cutShort` (its braces never close, so it cannot be told apart by depth); without
 * `cutShort` it makes the line unreadable.
 */
function otlpBatches(
  text: string,
  resourceKeys: ResourceKeys,
  cutShort?: { batches: number },
): Record[] | undefined {
  const records: Record[] = [];
  for (const piece of text.split(BATCH_START)) {
    if (piece.trim() === "") continue;
    const one = parseObject(piece, resourceKeys);
    if (one === undefined) {
      if (cutShort === undefined) return undefined;
      cutShort.batches++;
      continue;
    }
    records.push(...one);
  }
  return records;
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
