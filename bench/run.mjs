// pnpm bench: every (variant, round) in a fresh `node --expose-gc` process, rounds interleaved with
// the variant order rotated, medians printed as one table with each variant's ratio to mlobs.
//
//   node run.mjs [--node PATH] [suite...]   suites: logs (default), otel, e2e, winston, buffer, all
//   --node: the Node.js binary that runs the variants and the sink (default: the one running this)
//   BENCH_ROUNDS=5 BENCH_N=200000 BENCH_WARMUP=20000 BENCH_MODE=tight|yield BENCH_ONLY=mlobs,pino
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { SUITES } from "./suites.mjs";
import { BOUND } from "./workload.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const env = process.env;
const rounds = Number(env.BENCH_ROUNDS ?? 5);
const n = Number(env.BENCH_N ?? 200_000);
const warmup = Number(env.BENCH_WARMUP ?? 20_000);
const mode = env.BENCH_MODE ?? "tight";
const only = env.BENCH_ONLY ? new Set(env.BENCH_ONLY.split(",")) : undefined;
const SAMPLE_N = 500;

let names = process.argv.slice(2);
let nodeBin = process.execPath;
const nodeFlag = names.indexOf("--node");
if (nodeFlag !== -1) {
  nodeBin = names[nodeFlag + 1];
  names.splice(nodeFlag, 2);
}
const nodeVersion = spawnSync(nodeBin ?? "", ["--version"], { encoding: "utf8" });
if (nodeVersion.status !== 0) {
  console.error(
    `--node ${nodeBin ?? ""}: expected the path of a node binary (${nodeVersion.error?.message ?? nodeVersion.stderr})`,
  );
  process.exit(2);
}
if (names.length === 0) names = ["logs"];
if (names.includes("all")) names = Object.keys(SUITES);
for (const name of names) {
  if (!(name in SUITES)) {
    console.error(`unknown suite ${name}: expected one of ${[...Object.keys(SUITES), "all"].join(", ")}`);
    process.exit(2);
  }
}

let sinkEnv = {};

/** Starts sink.mjs (the OTLP/HTTP receiver) in its own process; children find it through BENCH_SINK_URL. */
async function startSink() {
  const sink = spawn(nodeBin, [path.join(here, "sink.mjs")], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Also when a variant fails and the run stops: the sink must not outlive the runner.
  process.on("exit", () => sink.kill());
  const [chunk] = await once(sink.stdout, "data");
  sinkEnv = { BENCH_SINK_URL: JSON.parse(String(chunk)).url };
  return sink;
}

function runChild(variant, count, warm, dest, childMode) {
  const result = spawnSync(
    nodeBin,
    ["--expose-gc", path.join(here, "child.mjs"), variant.file, String(count), String(warm), dest, childMode],
    {
      cwd: here,
      encoding: "utf8",
      env: { ...env, ...sinkEnv, ...variant.env },
      maxBuffer: 1 << 24,
      timeout: 300_000,
    },
  );
  const line = result.stdout.trim().split("\n").at(-1);
  if (result.status !== 0 || !line?.startsWith("{")) {
    throw new Error(`${variant.id} failed (status ${result.status}):\n${result.stderr}\n${result.stdout}`);
  }
  return JSON.parse(line);
}

/** Sample mode: the variant writes a few hundred records to a temp file; each line must carry the trace id. */
function checkSample(variant) {
  if (variant.sample === false) return "n/a";
  const file = path.join(os.tmpdir(), `mlobs-bench-${process.pid}-${variant.id}.log`);
  fs.rmSync(file, { force: true });
  try {
    const result = runChild(variant, SAMPLE_N, 0, file, "tight");
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const lines = text.split("\n").filter(Boolean);
    const expected = variant.linesPerRecord ?? (variant.otel === "only" ? 0 : 1);
    if (lines.length !== SAMPLE_N * expected) {
      throw new Error(`${variant.id}: ${lines.length} lines in the sample, expected ${SAMPLE_N * expected}`);
    }
    if (variant.otel && result.deliveredTraced !== SAMPLE_N * (variant.otelPerRecord ?? 1)) {
      throw new Error(
        `${variant.id}: ${result.deliveredTraced} of ${SAMPLE_N} records reached OpenTelemetry with the trace id`,
      );
    }
    for (const line of lines) {
      const record = JSON.parse(line);
      if (record.trace_id !== result.traceId) {
        throw new Error(`${variant.id}: line without trace_id ${result.traceId}: ${line}`);
      }
      if (record.request_id !== BOUND.request_id) {
        throw new Error(`${variant.id}: line without the bound request_id: ${line}`);
      }
    }
    return `${lines.length} lines ok${variant.otel ? `, ${result.deliveredTraced} records with the trace id in OpenTelemetry` : ""}`;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};
const fmt = (value, digits = 0) =>
  value === undefined || Number.isNaN(value)
    ? "-"
    : value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });

function printTable(columns, rows) {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) =>
    `| ${cells.map((cell, i) => (i === 0 ? String(cell).padEnd(widths[i]) : String(cell).padStart(widths[i]))).join(" | ")} |`;
  console.log(line(columns));
  console.log(`|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`);
  for (const row of rows) console.log(line(row));
}

console.log(
  `node ${nodeVersion.stdout.trim()}, ${os.cpus().length} cpus (${os.cpus()[0]?.model ?? "?"}), ` +
    `n=${n} warmup=${warmup} rounds=${rounds} mode=${mode}`,
);

for (const name of names) {
  const suite = SUITES[name];
  const variants = suite.variants.filter((v) => !only || only.has(v.id) || v.id === suite.baseline);
  console.log(`\n## ${suite.title}\n`);
  const sink = suite.sink ? await startSink() : undefined;
  const samples = {};
  for (const variant of variants) {
    samples[variant.id] = checkSample(variant);
    console.error(`sample ${variant.id}: ${samples[variant.id]}`);
  }
  const results = Object.fromEntries(variants.map((v) => [v.id, []]));
  for (let round = 0; round < rounds; round++) {
    const shift = round % variants.length;
    const order = [...variants.slice(shift), ...variants.slice(0, shift)];
    for (const variant of order) {
      const childMode = variant.mode ?? mode;
      const result = runChild(
        variant,
        variant.n ?? n,
        variant.warmup ?? warmup,
        variant.dest ?? "/dev/null",
        childMode,
      );
      results[variant.id].push(result);
      console.error(
        `round ${round + 1}/${rounds} ${variant.id}: ${fmt(result.recordsPerSec)} records/s` +
          (suite.extra ? ` ${suite.extra.map((c) => `${c.key}=${fmt(result[c.key])}`).join(" ")}` : ""),
      );
    }
  }
  const metric = suite.metric ?? "recordsPerSec";
  const baseline = median(results[suite.baseline].map((r) => r[metric]));
  const extra = suite.extra ?? [];
  const rows = variants.map((variant) => {
    const rs = results[variant.id];
    const rate = median(rs.map((r) => r.recordsPerSec));
    return [
      `${variant.id}: ${variant.title}`,
      fmt(rate),
      `${fmt(Math.min(...rs.map((r) => r.recordsPerSec)))}..${fmt(Math.max(...rs.map((r) => r.recordsPerSec)))}`,
      fmt(median(rs.map((r) => r.nsPerCall))),
      fmt(median(rs.map((r) => r.nsPerRecord))),
      fmt(median(rs.map((r) => r.cpuNsPerRecord))),
      `${(median(rs.map((r) => r[metric])) / baseline).toFixed(2)}x`,
      fmt(median(rs.map((r) => r.peakRssMb)), 1),
      ...extra.map((c) => (rs[0][c.key] === undefined ? "-" : fmt(median(rs.map((r) => r[c.key]))))),
    ];
  });
  printTable(
    [
      "variant",
      "records/s (median)",
      "min..max",
      "ns/call (loop)",
      "ns/record (e2e)",
      "CPU ns/record",
      `${metric === "recordsPerSec" ? "records/s" : "delivered/s"} vs ${suite.baseline}`,
      "peak RSS MB",
      ...extra.map((c) => c.title),
    ],
    rows,
  );
  const rates = Object.fromEntries(
    variants.map((v) => [v.id, median(results[v.id].map((r) => r.recordsPerSec))]),
  );
  sink?.kill();
  if (suite.notes && suite.variants.every((v) => v.id in rates))
    console.log(`\n${suite.notes(rates, results, median)}`);
}
