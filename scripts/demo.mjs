// The demo (`npm run demo`): runs every example, then the ML example through a real collector
// built from collector/, showing its records on the collector's stdout and in its file.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const bold = (text) => (process.stdout.isTTY ? `\x1b[1m${text}\x1b[22m` : text);

function heading(text) {
  console.log(`\n${bold(`=== ${text} ===`)}`);
}

function runExample(name, env = {}) {
  heading(`examples/${name}`);
  const result = spawnSync("pnpm", ["--silent", "--filter", name, "start"], {
    cwd: root,
    stdio: "inherit",
    env: { ...process.env, ...env },
  });
  if (result.status !== 0) throw new Error(`examples/${name} exited with ${result.status}`);
}

// The examples' log files go under .cache/demo, not into the examples' folders.
const logFiles = {
  "file-logging": { MLOBS_LOG_FILE: `${root}.cache/demo/file-logging/predictions.log` },
  "winston-example": { LOG_FILE: `${root}.cache/demo/winston/predictions.log` },
};
for (const name of [
  "first-steps",
  "json-output",
  "file-logging",
  "correlation-ids",
  "express-requests",
  "winston-example",
]) {
  if (existsSync(new URL(`../examples/${name === "winston-example" ? "winston" : name}`, import.meta.url))) {
    runExample(name, logFiles[name]);
  }
}

heading("examples/ml-prediction through the collector");
if (spawnSync("go", ["version"]).error !== undefined) {
  console.log(
    "Go is not installed, so no collector is built: running the ML example with its stdout and file outputs.",
  );
  runExample("ml-prediction", { MLOBS_LOG_FILE: `${root}.cache/demo/predictions.log` });
  report(".cache/demo/predictions.log");
  process.exit(0);
}
const build = spawnSync("bash", ["collector/build.sh"], {
  cwd: root,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "inherit"],
});
if (build.status !== 0) throw new Error("collector/build.sh failed");
const binary = build.stdout.trim().split("\n").at(-1);

const outDir = `${root}.cache/demo/otel-out`;
rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
const ports = { http: 24318, grpc: 24317, health: 23133, telemetry: 28888 };
const collector = spawn(binary, [`--config=${root}otel-collector.yaml`], {
  cwd: root,
  env: {
    ...process.env,
    MLOBS_OTLP_HTTP_ENDPOINT: `127.0.0.1:${ports.http}`,
    MLOBS_OTLP_GRPC_ENDPOINT: `127.0.0.1:${ports.grpc}`,
    MLOBS_HEALTH_ENDPOINT: `127.0.0.1:${ports.health}`,
    MLOBS_TELEMETRY_PORT: String(ports.telemetry),
    MLOBS_OTEL_OUT_DIR: outDir,
    MLOBS_QUEUE_DIR: `${root}.cache/demo/otel-queue`,
  },
  stdio: ["ignore", "pipe", "pipe"],
});
let collectorStdout = "";
let collectorStderr = "";
collector.stdout.on("data", (chunk) => {
  collectorStdout += chunk;
});
collector.stderr.on("data", (chunk) => {
  collectorStderr += chunk;
});
// Listened for from the start: a collector that fails at start-up (a port in use) has exited
// before anyone would wait for it, and its stderr is the message to show.
let collectorExit;
const exited = new Promise((resolve) =>
  collector.once("close", (code, signal) => {
    collectorExit = signal ?? `code ${code}`;
    resolve();
  }),
);

async function waitForHealth() {
  for (let i = 0; i < 100; i++) {
    if (collectorExit !== undefined) break;
    try {
      if ((await fetch(`http://127.0.0.1:${ports.health}/`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const state = collectorExit === undefined ? "did not become healthy" : `exited (${collectorExit})`;
  throw new Error(`the collector ${state}:\n${collectorStderr}`);
}

try {
  await waitForHealth();
  console.log(`collector ${binary} listening on 127.0.0.1:${ports.http} (OTLP/HTTP)`);
  runExample("ml-prediction", {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
    OTEL_SERVICE_NAME: "ml-prediction",
    OTEL_RESOURCE_ATTRIBUTES: "demo.example=ml-prediction",
  });
  // Ground truth from a second process, through the same collector.
  runExample("ml-outcomes", {
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${ports.http}`,
    OTEL_RESOURCE_ATTRIBUTES: "demo.example=ml-outcomes",
  });
} finally {
  // SIGTERM: the collector flushes its file and exits cleanly.
  collector.kill("SIGTERM");
  await exited;
}

heading("the collector's stdout (debug exporter), first records");
const records = collectorStdout.split(/(?=LogRecord #)/).filter((part) => part.startsWith("LogRecord #"));
console.log(records.slice(0, 3).join("").trimEnd());
console.log(`... ${records.length} log records in all on the collector's stdout`);

heading(`the collector's file ${outDir}/logs.jsonl, one record per line (collector/flatten-logs.mjs)`);
const flat = spawnSync("node", ["collector/flatten-logs.mjs", `${outDir}/logs.jsonl`], {
  cwd: root,
  encoding: "utf8",
});
// The resource (service, host, process) is the same on every record: shown once, not per line.
const lines = flat.stdout
  .split("\n")
  .filter(Boolean)
  .map((line) => JSON.parse(line));
if (lines[0] !== undefined) console.log(`resource: ${JSON.stringify(lines[0].resource)}`);
for (const { resource, ...record } of lines) console.log(JSON.stringify(record));
console.log(
  `\n${lines.length} records in ${outDir}/logs.jsonl (${readFileSync(`${outDir}/logs.jsonl`).length} bytes of OTLP/JSON)`,
);
console.log(
  `query it: node collector/flatten-logs.mjs ${outDir}/logs.jsonl | grep low_confidence_prediction`,
);

heading("the debug buffer: debug lines per request, as the collector received them");
for (const user of ["user-001", "user-002", "user-003"]) {
  const records = lines.filter((r) => r.attributes?.user_id === user);
  const debug = records.filter((r) => r.severity === "debug").map((r) => r.event);
  const outcome = records.map((r) => r.event).find((e) => e !== "request_received" && !debug.includes(e));
  console.log(
    `${user} (${outcome}): ${debug.length ? debug.join(", ") : "no debug lines (discarded with the request)"}`,
  );
}

heading(`the ML metrics in ${outDir}/metrics.jsonl (last value of each series)`);
const series = new Map();
for (const line of readFileSync(`${outDir}/metrics.jsonl`, "utf8").split("\n").filter(Boolean)) {
  for (const rm of JSON.parse(line).resourceMetrics ?? []) {
    const resource = rm.resource?.attributes ?? [];
    const service = resource.find((a) => a.key === "service.name")?.value.stringValue;
    const example = resource.find((a) => a.key === "demo.example")?.value.stringValue;
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        if (!metric.name.startsWith("ml.")) continue;
        const points = metric.sum?.dataPoints ?? metric.histogram?.dataPoints ?? [];
        for (const p of points) {
          const attrs = (p.attributes ?? [])
            .filter((a) => !a.key.startsWith("model."))
            .map((a) => `${a.key}=${Object.values(a.value)[0]}`)
            .join(" ");
          const model = (p.attributes ?? []).find((a) => a.key === "model.version")?.value.stringValue;
          const value =
            p.count !== undefined
              ? `count ${p.count}, sum ${Number(p.sum).toFixed(2)}`
              : Number(p.asInt ?? p.asDouble);
          series.set(
            `examples/${example} ${service}: ${metric.name} {${[model, attrs].filter(Boolean).join(" ")}}`,
            value,
          );
        }
      }
    }
  }
}
for (const [name, value] of [...series].sort()) console.log(`${name}: ${value}`);

report(".cache/demo/otel-out/logs.jsonl");

// The tutorial's questions per model version, from the file: the mlobs command (packages/cli).
function report(file) {
  heading(`mlobs report ${file}`);
  const run = spawnSync("node", ["packages/cli/dist/bin.js", "report", file], {
    cwd: root,
    stdio: "inherit",
  });
  if (run.status !== 0) throw new Error(`mlobs report exited with ${run.status}`);
}
