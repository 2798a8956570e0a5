#!/usr/bin/env node
// Flattens the file exporter's output (one OTLP/JSON logs batch per line) to one JSON log record
// per line, so a person can grep, jq or `node -e` it like any JSON-lines log:
//
//   node collector/flatten-logs.mjs .cache/otel-out/logs*.jsonl | grep prediction_complete
//   tail -f .cache/otel-out/logs.jsonl | node collector/flatten-logs.mjs
//
// Output keys: time, severity, event, trace_id, span_id, body, attributes, resource.
// `logs*.jsonl` takes the rotated files too (logs-<timestamp>.jsonl sorts before logs.jsonl).
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";

// A batch starts with its one top-level key. Inside a JSON string every `"` is escaped, so this
// sequence can only be the start of a batch, never part of a record's text.
const BATCH_START = /(?=\{"resource(?:Logs|Spans|Metrics)":)/;

/**
 * Parses one line of a file exporter output into its batches: one, or several when a collector
 * killed between a batch and its newline left the next run's batch on the same line (`}{`).
 * A batch cut short by the kill is counted in `torn`, not thrown.
 */
export function parseBatchLine(line) {
  const batches = [];
  let torn = 0;
  for (const piece of line.split(BATCH_START)) {
    if (!piece.trim()) continue;
    try {
      batches.push(JSON.parse(piece));
    } catch {
      torn++;
    }
  }
  return { batches, torn };
}

/** Turns an OTLP/JSON AnyValue into the plain JS value it stands for. */
export function decodeAnyValue(v) {
  if (!v) return undefined;
  if ("stringValue" in v) return v.stringValue;
  // int64 travels as a decimal string; keep it a string when a number would round it.
  if ("intValue" in v)
    return Number.isSafeInteger(Number(v.intValue)) ? Number(v.intValue) : String(v.intValue);
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("boolValue" in v) return v.boolValue;
  if ("bytesValue" in v) return v.bytesValue;
  if ("arrayValue" in v) return (v.arrayValue?.values ?? []).map(decodeAnyValue);
  if ("kvlistValue" in v) return decodeAttributes(v.kvlistValue?.values);
  return undefined;
}

/** Turns an OTLP/JSON attribute list into a plain object. */
export function decodeAttributes(kvs) {
  return Object.fromEntries((kvs ?? []).map((kv) => [kv.key, decodeAnyValue(kv.value)]));
}

const iso = (nanos) =>
  nanos && nanos !== "0" ? new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString() : undefined;

async function main(files) {
  const inputs = files.length > 0 ? files.map((f) => createReadStream(f)) : [process.stdin];
  let torn = 0;
  for (const input of inputs) {
    for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
      const parsed = parseBatchLine(line);
      torn += parsed.torn;
      for (const batch of parsed.batches) {
        for (const rl of batch.resourceLogs ?? []) {
          const resource = decodeAttributes(rl.resource?.attributes);
          for (const sl of rl.scopeLogs ?? []) {
            for (const r of sl.logRecords ?? []) {
              const record = {
                time: iso(r.timeUnixNano) ?? iso(r.observedTimeUnixNano),
                severity: r.severityText ?? r.severityNumber,
                event: r.eventName ?? decodeAnyValue(r.body),
                trace_id: r.traceId,
                span_id: r.spanId,
                body: decodeAnyValue(r.body),
                attributes: decodeAttributes(r.attributes),
                resource,
              };
              process.stdout.write(`${JSON.stringify(record)}\n`);
            }
          }
        }
      }
    }
  }
  if (torn > 0) {
    process.stderr.write(
      `flatten-logs: skipped ${torn} incomplete batch(es): a collector was killed while writing them\n`,
    );
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // `| head` closes the pipe early: that ends the listing, it is not an error.
  process.stdout.on("error", (e) => {
    if (e.code === "EPIPE") process.exit(0);
    throw e;
  });
  await main(process.argv.slice(2)).catch((e) => {
    process.stderr.write(`flatten-logs: ${e.path ? `${e.path}: ` : ""}${e.code ?? e.message}\n`);
    process.exit(1);
  });
}
