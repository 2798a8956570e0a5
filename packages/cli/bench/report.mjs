// `mlobs report` over 1,000,000 JSON-lines records (about 350 MB), beside `jq -s` and a pandas
// one-liner answering the same questions on the same file, where those tools are installed.
//
//   pnpm --filter @mlobs/cli build && node packages/cli/bench/report.mjs [records]
import { spawnSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

const records = Number(process.argv[2] ?? 1_000_000);
const root = fileURLToPath(new URL("../../..", import.meta.url));
const file = `${root}.cache/bench/predictions-${records}.jsonl`;
const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url));

if (!existsSync(file)) {
  const made = spawnSync(
    process.execPath,
    [fileURLToPath(new URL("generate.mjs", import.meta.url)), file, String(records)],
    {
      stdio: "inherit",
    },
  );
  if (made.status !== 0) process.exit(1);
}
console.log(`${file}: ${records} records, ${(statSync(file).size / 1e6).toFixed(0)} MB`);

// Per model version: predictions, mean prediction, low-confidence share, p50/p95/p99 latency, failures.
const JQ = `map(select(.event == "prediction_complete" or .event == "low_confidence_prediction" or .event == "prediction_failed"))
  | group_by(.model_version) | map(
    (map(select(.event != "prediction_failed"))) as $done | ($done | map(.latency_ms) | sort) as $l
    | def q(p): ((($l | length) - 1) * p) as $i | ($i | floor) as $lo | $l[$lo] + (($l[$lo + 1] // $l[$lo]) - $l[$lo]) * ($i - $lo);
    { model_version: .[0].model_version, predictions: ($done | length),
      mean_prediction: ($done | map(.prediction) | add / length),
      low_confidence_share: (($done | map(select(.low_confidence)) | length) / ($done | length)),
      latency_p50_ms: q(0.5), latency_p95_ms: q(0.95), latency_p99_ms: q(0.99),
      failures: (map(select(.event == "prediction_failed")) | length) })[]`;
const PANDAS = `import pandas as pd, sys
d = pd.read_json(sys.argv[1], lines=True)
done = d[d.event.isin(["prediction_complete", "low_confidence_prediction"])].groupby("model_version")
print(pd.DataFrame({"predictions": done.size(), "mean_prediction": done.prediction.mean(),
  "low_confidence_share": done.low_confidence.mean(), "latency_p50_ms": done.latency_ms.quantile(0.5),
  "latency_p95_ms": done.latency_ms.quantile(0.95), "latency_p99_ms": done.latency_ms.quantile(0.99),
  "failures": d[d.event == "prediction_failed"].groupby("model_version").size()}).to_string())`;

function time(label, command, args) {
  if (spawnSync(command, ["--version"]).error !== undefined) {
    console.log(`${label.padEnd(16)} not run: ${command} is not installed`);
    return;
  }
  const start = process.hrtime.bigint();
  const run = spawnSync(command, args, { encoding: "utf8", maxBuffer: 1 << 26 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) {
    console.log(
      `${label.padEnd(16)} failed: ${(run.stderr || run.error?.message || "").trim().split("\n").at(-1)}`,
    );
    return;
  }
  console.log(`${label.padEnd(16)} ${seconds.toFixed(2)} s`);
  console.log(run.stdout.trimEnd().replace(/^/gm, "    "));
}

time("mlobs report", process.execPath, [bin, "report", file]);
time("jq -s", "jq", ["-s", "-c", JQ, file]);
const pandas = spawnSync("python3", ["-c", "import pandas"]).status === 0;
if (pandas) time("pandas", "python3", ["-c", PANDAS, file]);
else console.log(`${"pandas".padEnd(16)} not run: python3 with pandas is not installed`);
