import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../../../../test/e2e/collector.js";
import { jsonLines, PREDICT_SERVICE, runCli } from "../testing/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-report-"));
const jsonFile = join(dir, "predictions.jsonl");
let otlpFile: string;
let records: Record<string, unknown>[];

beforeAll(async () => {
  const collector: RunningCollector = await startCollector();
  try {
    const { FORCE_COLOR: _, ...env } = process.env;
    // Not spawnSync: this process must go on reading the collector's stdout, or its debug exporter
    // blocks and the service's exports go unanswered.
    await promisify(execFile)(process.execPath, [PREDICT_SERVICE], {
      env: { ...env, LOG_FILE: jsonFile, OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl },
    });
  } finally {
    await collector.stop();
  }
  otlpFile = collector.outputFile;
  records = jsonLines(readFileSync(jsonFile, "utf8"));
}, 120_000);

const COMPLETED = new Set(["prediction_complete", "low_confidence_prediction"]);

/** Linear interpolation between the closest ranks, as numpy's and pandas' default quantile. */
function quantile(sorted: number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (at - lo);
}

function psi(baseline: number[], values: number[]): number {
  const sorted = [...baseline].sort((a, b) => a - b);
  const edges = Array.from({ length: 9 }, (_, i) => quantile(sorted, (i + 1) / 10));
  const shares = (list: number[]) => {
    const counts = new Array(10).fill(0);
    for (const v of list) counts[edges.filter((e) => e < v).length]++;
    return counts.map((n) => Math.max(n / list.length, 1e-4));
  };
  const e = shares(baseline);
  const a = shares(values);
  return e.reduce((sum, ei, i) => sum + (a[i]! - ei) * Math.log(a[i]! / ei), 0);
}

/** The report computed here, from the JSON lines, without DuckDB. */
function expectedReport(): Record<string, unknown>[] {
  const keys = [
    ...new Set(records.filter((r) => r.model_name).map((r) => `${r.model_name}/${r.model_version}`)),
  ];
  const byId = new Map(
    records.filter((r) => COMPLETED.has(r.event as string)).map((r) => [r.prediction_id, r]),
  );
  return keys.sort().map((key) => {
    const [name, version] = key.split("/");
    const mine = records.filter((r) => r.model_name === name && r.model_version === version);
    const done = mine.filter((r) => COMPLETED.has(r.event as string));
    const items = (r: Record<string, unknown>) => (r.batch_size as number | undefined) ?? 1;
    const predictions = done.reduce((n, r) => n + items(r), 0);
    const numeric = done.map((r) => r.prediction).filter((p): p is number => typeof p === "number");
    const low = done.reduce(
      (n, r) => n + ((r.low_confidence_count as number | undefined) ?? (r.low_confidence ? 1 : 0)),
      0,
    );
    const latency = done.map((r) => r.latency_ms as number).sort((a, b) => a - b);
    const outcomes = records.filter((r) => {
      if (r.event !== "prediction_outcome") return false;
      const joined = byId.get(r.prediction_id);
      return (
        (r.model_name ?? joined?.model_name) === name &&
        (r.model_version ?? joined?.model_version) === version
      );
    });
    // An outcome is judged by its own `correct`, else against its prediction, when that is found.
    const judged = outcomes
      .filter((o) => o.abs_error === undefined && (o.correct !== undefined || byId.has(o.prediction_id)))
      .map((o) => (o.correct as boolean | undefined) ?? o.actual === byId.get(o.prediction_id)?.prediction);
    const baseline = records
      .filter((r) => COMPLETED.has(r.event as string) && r.model_name === name && r.model_version === "r1")
      .map((r) => r.prediction)
      .filter((p): p is number => typeof p === "number");
    return {
      model_name: name,
      model_version: version,
      predictions,
      mean_prediction: numeric.length > 0 ? numeric.reduce((a, b) => a + b, 0) / numeric.length : null,
      low_confidence_share: low / predictions,
      latency_p50_ms: quantile(latency, 0.5),
      latency_p95_ms: quantile(latency, 0.95),
      latency_p99_ms: quantile(latency, 0.99),
      failures: mine.filter((r) => r.event === "prediction_failed").reduce((n, r) => n + items(r), 0),
      accuracy: judged.length > 0 ? judged.filter(Boolean).length / judged.length : null,
      psi: version === "r2" && baseline.length > 0 ? psi(baseline, numeric) : null,
    };
  });
}

function expectSameReport(actual: Record<string, unknown>[], expected: Record<string, unknown>[]): void {
  expect(actual.map((r) => Object.keys(r))).toEqual(expected.map((r) => Object.keys(r)));
  actual.forEach((row, i) => {
    for (const [key, value] of Object.entries(expected[i]!)) {
      if (typeof value === "number" && !Number.isInteger(value)) {
        expect(row[key], `${row.model_version} ${key}`).toBeCloseTo(value, 9);
      } else expect(row[key], `${row.model_version} ${key}`).toEqual(value);
    }
  });
}

describe("mlobs report", () => {
  it("answers the tutorial's questions per model version, as computed independently from the JSON lines", async () => {
    const run = await runCli(["report", "--baseline", "model_version = 'r1'", jsonFile]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const expected = expectedReport();
    // The fixture's shape, so that no branch of the computation goes untested.
    expect(expected.map((r) => r.model_version)).toEqual(["c1", "c2", "r1", "r2"]);
    expect(expected.every((r) => (r.failures as number) > 0 && (r.low_confidence_share as number) > 0)).toBe(
      true,
    );
    expect(expected.map((r) => r.accuracy === null)).toEqual([false, false, true, true]);
    expect(expected.map((r) => r.psi === null)).toEqual([true, true, true, false]);
    expectSameReport(jsonLines(run.stdout), expected);
  });

  it("gives the same numbers from the collector's OTLP file as from the JSON lines", async () => {
    const fromJson = await runCli(["report", "--baseline", "model_version = 'r1'", jsonFile]);
    const fromOtlp = await runCli(["report", "--baseline", "model_version = 'r1'", otlpFile]);
    expect(fromOtlp.stderr).toBe("");
    expect(fromOtlp.code).toBe(0);
    expectSameReport(jsonLines(fromOtlp.stdout), jsonLines(fromJson.stdout));
  });

  it("recovers every record of batches a crash joined on one line (}{)", async () => {
    const batches = readFileSync(otlpFile, "utf8").trimEnd().split("\n");
    const joined = join(dir, "joined.jsonl");
    // The batches twice on one line, as a collector killed between writes leaves them, then once more.
    writeFileSync(joined, `${batches.join("")}${batches.join("")}\n${batches.join("\n")}\n`);
    const count = "SELECT count(*) AS n, count(DISTINCT prediction_id) AS ids FROM logs";
    const whole = await runCli(["query", "--format", "json", count, jsonFile]);
    const recovered = await runCli(["query", "--format", "json", count, joined]);
    expect(recovered.stderr).toBe("");
    const [{ n, ids }] = jsonLines(whole.stdout) as [{ n: number; ids: number }];
    expect(n).toBe(records.length);
    expect(jsonLines(recovered.stdout)).toEqual([{ n: 3 * n, ids }]);
  });

  it("skips a batch a killed collector cut short, reads the batch after it and says so on stderr", async () => {
    const [first] = readFileSync(otlpFile, "utf8").trimEnd().split("\n") as [string];
    const torn = join(dir, "torn.jsonl");
    // Half a batch with the next batch appended on its line (a restart after a kill), and half a
    // batch as the file's last line.
    writeFileSync(torn, `${first.slice(0, first.length >> 1)}${first}\n${first.slice(0, 40)}`);
    const count = "SELECT count(*) AS n FROM logs";
    const firstOnly = join(dir, "first.jsonl");
    writeFileSync(firstOnly, `${first}\n`);
    const whole = await runCli(["query", "--format", "json", count, firstOnly]);
    const recovered = await runCli(["query", "--format", "json", count, torn]);
    expect(recovered.code, recovered.stderr).toBe(0);
    expect(recovered.stderr).toBe(
      `mlobs: ${torn}: skipped 2 OTLP batch(es) cut short by a collector that was killed while writing\n`,
    );
    const [{ n }] = jsonLines(whole.stdout) as [{ n: number }];
    expect(n).toBeGreaterThan(0);
    expect(jsonLines(recovered.stdout)).toEqual([{ n }]);
  });

  it("reads gzip files and stdin like files", async () => {
    const gz = join(dir, "predictions.jsonl.gz");
    const { gzipSync } = await import("node:zlib");
    writeFileSync(gz, gzipSync(readFileSync(jsonFile)));
    const plain = await runCli(["report", jsonFile]);
    const zipped = await runCli(["report", gz]);
    const piped = await runCli(["report", "-"], { input: readFileSync(otlpFile) });
    expect(zipped.stderr + piped.stderr).toBe("");
    expectSameReport(jsonLines(zipped.stdout), jsonLines(plain.stdout));
    expectSameReport(jsonLines(piped.stdout), jsonLines(plain.stdout));
  });
});
