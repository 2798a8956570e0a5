// Writes N mlobs JSON-lines records (default 1,000,000, about 350 MB) shaped as instrumentPredict
// writes them: request_received, then prediction_complete, low_confidence_prediction or
// prediction_failed, per call, over two model versions; seeded, so every run writes the same file.
//
//   node packages/cli/bench/generate.mjs .cache/bench/predictions-1m.jsonl [records]
import { createWriteStream, mkdirSync } from "node:fs";
import { dirname } from "node:path";

const [file = ".cache/bench/predictions-1m.jsonl", count = "1000000"] = process.argv.slice(2);
const total = Number(count);
if (!Number.isSafeInteger(total) || total < 2) {
  console.error("usage: generate.mjs FILE [RECORDS >= 2]");
  process.exit(2);
}

// mulberry32: small, fast and seeded.
let seed = 12;
const random = () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
const hex = (n) => {
  let s = "";
  for (let i = 0; i < n; i++) s += ((random() * 16) | 0).toString(16);
  return s;
};

mkdirSync(dirname(file), { recursive: true });
const out = createWriteStream(file);
const start = Date.UTC(2026, 0, 5, 8, 0, 0);
let written = 0;
let chunk = "";
for (let call = 0; written < total; call++) {
  const time = start + call * 50;
  const ts = new Date(time).toISOString();
  const version = call % 3 === 0 ? "churn-v3.2" : "churn-v3.1";
  const traceId = hex(32);
  const spanId = hex(16);
  const id = `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  const bound = `"trace_id":"${traceId}","span_id":"${spanId}","trace_flags":"01","user_id":"user-${call % 5000}","model_name":"churn","model_version":"${version}","prediction_id":"${id}"`;
  chunk += `{"timestamp":"${ts}","level":"info","event":"request_received",${bound},"feature_count":12}\n`;
  written++;
  if (written < total) {
    const latency = Math.round((20 + random() * 80 + (random() < 0.05 ? random() * 400 : 0)) * 100) / 100;
    const ts2 = new Date(time + Math.round(latency)).toISOString();
    if (random() < 0.01) {
      chunk += `{"timestamp":"${ts2}","level":"error","event":"prediction_failed",${bound},"error":"ValueError: input has NaN","exception":{"type":"ValueError","message":"input has NaN"},"latency_ms":${latency}}\n`;
    } else {
      const p = Math.round(random() ** (version === "churn-v3.2" ? 1.3 : 1) * 10000) / 10000;
      const confidence = Math.max(p, 1 - p);
      const low = confidence < 0.6;
      chunk += `{"timestamp":"${ts2}","level":"${low ? "warn" : "info"}","event":"${low ? "low_confidence_prediction" : "prediction_complete"}",${bound},"prediction":${p},"latency_ms":${latency},"low_confidence":${low},"confidence":${confidence},"threshold":0.6}\n`;
    }
    written++;
  }
  if (chunk.length > 1 << 20) {
    if (!out.write(chunk)) await new Promise((done) => out.once("drain", done));
    chunk = "";
  }
}
out.end(chunk);
await new Promise((done) => out.once("finish", done));
console.log(`${file}: ${written} records`);
