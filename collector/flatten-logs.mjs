#!/usr/bin/env node
// Flattens the file exporter's output (one OTLP/JSON logs batch per line) to one JSON log record
// per line, so a person can grep, jq or `node -e` it like any JSON-lines log:
//
//   node collector/flatten-logs.mjs .cache/otel-out/logs.jsonl | grep prediction_complete
//   tail -f .cache/otel-out/logs.jsonl | node collector/flatten-logs.mjs
//
// Output keys: time, severity, event, trace_id, span_id, body, attributes, resource.
import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";

const decode = (v) => {
  if (!v) return undefined;
  if ("stringValue" in v) return v.stringValue;
  if ("intValue" in v) return Number.isSafeInteger(Number(v.intValue)) ? Number(v.intValue) : v.intValue;
  if ("doubleValue" in v) return Number(v.doubleValue);
  if ("boolValue" in v) return v.boolValue;
  if ("bytesValue" in v) return v.bytesValue;
  if ("arrayValue" in v) return (v.arrayValue.values ?? []).map(decode);
  if ("kvlistValue" in v) return map(v.kvlistValue.values);
  return undefined;
};
const map = (kvs) => Object.fromEntries((kvs ?? []).map((kv) => [kv.key, decode(kv.value)]));
const iso = (nanos) =>
  nanos && nanos !== "0" ? new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString() : undefined;

const input = process.argv[2] ? createReadStream(process.argv[2]) : process.stdin;
for await (const line of createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY })) {
  if (!line.trim()) continue;
  for (const rl of JSON.parse(line).resourceLogs ?? []) {
    const resource = map(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      for (const r of sl.logRecords ?? []) {
        const record = {
          time: iso(r.timeUnixNano) ?? iso(r.observedTimeUnixNano),
          severity: r.severityText ?? r.severityNumber,
          event: r.eventName ?? decode(r.body),
          trace_id: r.traceId,
          span_id: r.spanId,
          body: decode(r.body),
          attributes: map(r.attributes),
          resource,
        };
        process.stdout.write(`${JSON.stringify(record)}\n`);
      }
    }
  }
}
