import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  REPO_ROOT,
  type RunningCollector,
  readLogFile,
  SHIPPED_CONFIG,
  startCollector,
} from "./collector.js";

/** One OTLP/JSON request of `size` records numbered from `first`, as an SDK would POST it. */
function batch(first: number, size: number) {
  const pad = "x".repeat(100); // ~300 bytes a record: the 4 KiB buffer of `append` holds about 13
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "crash-test" } }] },
        scopeLogs: [
          {
            logRecords: Array.from({ length: size }, (_, i) => ({
              timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
              severityText: "info",
              eventName: "prediction_complete",
              body: { stringValue: pad },
              attributes: [{ key: "seq", value: { intValue: String(first + i) } }],
            })),
          },
        ],
      },
    ],
  };
}

/**
 * Posts one record every 50 ms (a quiet service) for `runMs`, SIGKILLs the collector right after the last
 * answer, starts it again on the same file, posts one more batch, and stops it. Returns what a
 * SIGKILL costs: the records the collector answered 200 for that are not in the file, how long
 * before the kill the first of them was acknowledged, and the incomplete batches left behind.
 */
async function killWhileWriting(collector: RunningCollector, runMs: number) {
  const acked: { seq: number; at: number }[] = [];
  const until = Date.now() + runMs;
  let seq = 0;
  while (Date.now() < until) {
    const res = await fetch(`${collector.otlpHttpUrl}/v1/logs`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(batch(seq, 1)),
    });
    expect(res.status).toBe(200);
    acked.push({ seq, at: Date.now() });
    seq += 1;
    await new Promise((r) => setTimeout(r, 50));
  }
  const killedAt = Date.now();
  await collector.stop("SIGKILL");
  await collector.restart();
  const after = await fetch(`${collector.otlpHttpUrl}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(batch(1_000_000, 10)),
  });
  expect(after.status).toBe(200);
  await collector.stop();

  const { records, torn } = await readLogFile(collector.outputFile);
  const written = new Set(records.map((r) => r.attributes.seq));
  const lost = acked.filter((a) => !written.has(a.seq));
  // The batch posted after the restart is always there: a joined line is read, not skipped.
  expect(records.filter((r) => Number(r.attributes.seq) >= 1_000_000)).toHaveLength(10);
  return {
    acked: acked.length,
    lost: lost.length,
    windowMs: lost.length > 0 ? killedAt - Math.min(...lost.map((l) => l.at)) : 0,
    torn,
  };
}

describe("the file exporter after a SIGKILL", () => {
  it("loses no acknowledged record with the shipped rotation setting", async () => {
    const collector = await startCollector();
    const result = await killWhileWriting(collector, 2700);
    console.log(`file exporter, rotation (shipped): ${JSON.stringify(result)}`);
    expect(result).toMatchObject({ lost: 0, torn: 0, windowMs: 0 });
    expect(result.acked).toBeGreaterThan(0);
  });

  /** The previous setting, on the same file: append, no rotation, flushed every `flush`. */
  const appendConfig = (flush: string) => [
    SHIPPED_CONFIG,
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the collector expands it, not JavaScript
    "yaml:exporters::file/append::path: ${env:MLOBS_OTEL_OUT_DIR}/logs.jsonl",
    "yaml:exporters::file/append::append: true",
    `yaml:exporters::file/append::flush_interval: ${flush}`,
    "yaml:exporters::file/append::create_directory: true",
    // A key cannot be removed by merging, so the logs pipeline gets an exporter of its own.
    "yaml:service::pipelines::logs::exporters: [file/append]",
  ];

  it("with `append: true` an acknowledged record waits in memory: a SIGKILL before the flush loses it", async () => {
    // 300 ms of one record per 50 ms stays below the 4 KiB buffer; the flush is an hour away.
    const collector = await startCollector({ configs: appendConfig("1h") });
    const result = await killWhileWriting(collector, 300);
    expect(result.acked).toBeGreaterThan(0);
    expect(result.lost).toBe(result.acked);
  });

  it("with `append: true` and its 1 s flush (the setting it replaces): prints the loss, and the reader reads the next run's batch", async () => {
    const collector = await startCollector({ configs: appendConfig("1s") });
    // The flushes tick every second from the exporter's start; 2.7 s of posting ends some 0.7 s
    // after one, so what was acknowledged since is lost, and often half a batch is on disk with
    // the next run's batch after it on the same line. killWhileWriting() checks that batch is read.
    const result = await killWhileWriting(collector, 2700);
    console.log(`file exporter, append + flush_interval 1s: ${JSON.stringify(result)}`);
    expect(result.lost).toBeLessThanOrEqual(result.acked);
  });
});

describe("collector/flatten-logs.mjs on what a killed collector leaves", () => {
  it("reads both batches of a joined line and reports the torn one on stderr", () => {
    const one = (event: string) =>
      JSON.stringify({ resourceLogs: [{ scopeLogs: [{ logRecords: [{ eventName: event }] }] }] });
    const torn = one("cut_short").slice(0, 30);
    const dir = mkdtempSync(join(tmpdir(), "mlobs-flatten-"));
    const file = join(dir, "logs.jsonl");
    // A whole batch, a joined pair, and a batch cut short with the next run's batch after it.
    writeFileSync(file, `${one("a")}\n${one("b")}${one("c")}\n${torn}${one("d")}\n`);
    const result = spawnSync(process.execPath, [join(REPO_ROOT, "collector/flatten-logs.mjs"), file], {
      encoding: "utf8",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(result.status).toBe(0);
    const events = result.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l).event);
    expect(events).toEqual(["a", "b", "c", "d"]);
    expect(result.stderr).toBe(
      "flatten-logs: skipped 1 incomplete batch(es): a collector was killed while writing them\n",
    );
  });
});
