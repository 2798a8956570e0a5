import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { type FlatRecord, REPO_ROOT, type RunningCollector, startCollector, waitFor } from "./collector.js";

const SERVICE = join(REPO_ROOT, "test/e2e/fixtures/service.mjs");

interface Service {
  child: ChildProcess;
  /** Resolves with the exit code and stderr when the process ends. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  /** Resolves when the service prints `line` on stdout. */
  printed(line: string): Promise<void>;
}

// A test that fails early must not leave its services running (a sigterm-mode one idles forever).
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

function startService(collector: RunningCollector, name: string, count: number, mode: string): Service {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_")),
  );
  const child = spawn(process.execPath, [SERVICE], {
    env: {
      ...inherited,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      SERVICE_NAME: name,
      COUNT: String(count),
      MODE: mode,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  running.add(child);
  const exit = once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>;
  void exit.then(() => running.delete(child));
  return {
    child,
    done: exit.then(([code, signal]) => ({ code, signal, stderr })),
    printed: (line) => waitFor(() => stdout.split("\n").includes(line), 30_000, 20).then(() => undefined),
  };
}

/** seq numbers received per service, failing on any record that arrived twice. */
function received(records: FlatRecord[]): Map<string, Set<number>> {
  const byService = new Map<string, Set<number>>();
  const duplicates: string[] = [];
  for (const record of records) {
    if (record.eventName !== "prediction_complete") continue;
    const service = String(record.resource["service.name"]);
    const seq = record.attributes.seq as number;
    const seen = byService.get(service) ?? new Set<number>();
    if (seen.has(seq)) duplicates.push(`${service}#${seq}`);
    seen.add(seq);
    byService.set(service, seen);
  }
  expect(duplicates).toEqual([]);
  return byService;
}

function expectAll(seqs: Set<number> | undefined, count: number): void {
  const missing = Array.from({ length: count }, (_, seq) => seq).filter((seq) => !seqs?.has(seq));
  expect(missing).toEqual([]);
}

describe("SDK -> collector -> file", () => {
  it("takes 10,000 records from 4 concurrent services: every one in the file, none twice, each with its trace id", async () => {
    const collector = await startCollector();
    try {
      const services = ["svc-a", "svc-b", "svc-c", "svc-d"].map((name) =>
        startService(collector, name, 2_500, "burst"),
      );
      for (const { done } of services) {
        const { code, stderr } = await done;
        expect(code, stderr).toBe(0);
      }
      await collector.stop();
      const records = await collector.readRecords();
      const byService = received(records);
      expect([...byService.keys()].sort()).toEqual(["svc-a", "svc-b", "svc-c", "svc-d"]);
      for (const seqs of byService.values()) expectAll(seqs, 2_500);
      for (const record of records) {
        expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(record.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(record.attributes.service).toBe(record.resource["service.name"]);
      }
    } finally {
      await collector.stop();
    }
  }, 120_000);

  it("loses nothing when the collector restarts in the middle of a stream (the SDK retries)", async () => {
    const collector = await startCollector();
    try {
      const service = startService(collector, "svc-stream", 3_000, "stream");
      await service.printed("streaming");
      // Stop once the first batch has arrived (the debug exporter prints it at once).
      await waitFor(() => collector.stdout().includes("LogRecord #"), 20_000);
      // Down for two seconds while the service keeps logging: its exports fail and are retried.
      await collector.stop();
      const downAt = (await collector.readRecords()).length;
      await sleep(2_000);
      await collector.restart();
      const { code, stderr } = await service.done;
      expect(code, stderr).toBe(0);
      await collector.stop();
      const records = await collector.readRecords();
      expect(downAt).toBeGreaterThan(0);
      expect(downAt).toBeLessThan(3_000);
      expectAll(received(records).get("svc-stream"), 3_000);
    } finally {
      await collector.stop();
    }
  }, 120_000);

  it("delivers every record logged before a SIGTERM that comes right after a burst", async () => {
    const collector = await startCollector();
    try {
      const service = startService(collector, "svc-sigterm", 20_000, "sigterm");
      await service.printed("logged");
      service.child.kill("SIGTERM");
      const { signal, stderr } = await service.done;
      // startTelemetry()'s handler delivers, then lets the signal end the process as Node would.
      expect(signal, stderr).toBe("SIGTERM");
      await collector.stop();
      expectAll(received(await collector.readRecords()).get("svc-sigterm"), 20_000);
    } finally {
      await collector.stop();
    }
  }, 120_000);
});
