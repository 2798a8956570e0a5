/**
 * Real services for the end-to-end tests: test/e2e/fixtures/service.mjs as child processes logging
 * through startTelemetry() to a collector, and checks of what arrived.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { afterEach, expect } from "vitest";
import { type FlatRecord, REPO_ROOT, waitFor } from "./collector.js";

const SERVICE = join(REPO_ROOT, "test/e2e/fixtures/service.mjs");

export interface Service {
  child: ChildProcess;
  /** Resolves with the exit code and output when the process ends. */
  done: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
  /** Resolves when the service prints `line` on stdout. */
  printed(line: string): Promise<void>;
}

// A test that fails early must not leave its services running (a sigterm-mode one idles forever).
const running = new Set<ChildProcess>();
afterEach(() => {
  for (const child of running) child.kill("SIGKILL");
  running.clear();
});

/**
 * Starts the fixture service sending `count` records to `target` in `mode` (burst, stream, sigterm);
 * `env` adds e.g. TRACES.
 */
export function startService(
  target: { otlpHttpUrl: string },
  name: string,
  count: number,
  mode: string,
  env: Record<string, string> = {},
): Service {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_")),
  );
  const child = spawn(process.execPath, [SERVICE], {
    env: {
      ...inherited,
      OTEL_EXPORTER_OTLP_ENDPOINT: target.otlpHttpUrl,
      SERVICE_NAME: name,
      COUNT: String(count),
      MODE: mode,
      ...env,
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
    done: exit.then(([code, signal]) => ({ code, signal, stdout, stderr })),
    printed: (line) => waitFor(() => stdout.split("\n").includes(line), 30_000, 20).then(() => undefined),
  };
}

/** seq numbers received per service, failing on any record that arrived twice. */
export function received(records: FlatRecord[]): Map<string, Set<number>> {
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

/** Fails unless `seqs` holds every number from 0 to count - 1. */
export function expectAll(seqs: Set<number> | undefined, count: number): void {
  const missing = Array.from({ length: count }, (_, seq) => seq).filter((seq) => !seqs?.has(seq));
  expect(missing).toEqual([]);
}
