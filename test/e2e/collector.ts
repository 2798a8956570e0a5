/**
 * Starts the real mlobs collector (collector/, built by `bash collector/build.sh`) for end-to-end tests:
 * free ports on 127.0.0.1, a temp output directory, and helpers to read what the file exporter wrote.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, rmSync } from "node:fs";
import { mkdtemp, readFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseBatchLine } from "../../collector/flatten-logs.mjs";
import { type FlatRecord, flattenLogs, flattenMetrics } from "../../packages/core/test/decode-otlp.js";

export type { FlatRecord };

export const REPO_ROOT = resolve(fileURLToPath(new URL("../..", import.meta.url)));
export const COLLECTOR_BIN = join(REPO_ROOT, ".cache/collector/otelcol-mlobs");
export const SHIPPED_CONFIG = join(REPO_ROOT, "otel-collector.yaml");
/** The configs under collector/ that are merged after SHIPPED_CONFIG (collector/README.md). */
export const COLLECTOR_CONFIGS = {
  agent: join(REPO_ROOT, "collector/agent.yaml"),
  gateway: join(REPO_ROOT, "collector/gateway.yaml"),
  datadog: join(REPO_ROOT, "collector/datadog.yaml"),
  cloudwatch: join(REPO_ROOT, "collector/cloudwatch.yaml"),
  forward: join(REPO_ROOT, "collector/overlays/forward.yaml"),
};

export interface StartCollectorOptions {
  /** Config files or URIs, merged in order; defaults to the shipped otel-collector.yaml. */
  configs?: string[];
  /** Extra environment for the collector; wins over the ports and paths chosen here. */
  env?: Record<string, string>;
  /** How long to wait for health_check to answer 200 (default 30 s). */
  startTimeoutMs?: number;
}

export interface RunningCollector {
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:41234 (append /v1/logs). */
  otlpHttpUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  otlpGrpcEndpoint: string;
  healthUrl: string;
  /** The collector's own Prometheus metrics (otelcol_receiver_accepted_log_records...). */
  metricsUrl: string;
  /** Temp directory holding the file exporters' output (MLOBS_OTEL_OUT_DIR). */
  outputDir: string;
  /** The logs file (file/predictions exporter). */
  outputFile: string;
  /** Everything the collector has written to stdout (debug exporters), across restarts. */
  stdout(): string;
  /** Everything the collector has written to stderr (its own logs), across restarts. */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and waits for exit; SIGKILL after 10 s. Output files stay. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops (SIGTERM) and starts again on the same ports, output and queue directories. */
  restart(): Promise<void>;
  /**
   * Log records in the output file, in order. The shipped config writes each batch before it
   * answers; a test still polls inside waitFor(), since an export may be on its way.
   */
  readRecords(): Promise<FlatRecord[]>;
  /** Metric points in the metrics file (file/metrics), in order; same timing as readRecords(). */
  readMetricPoints(): Promise<FlatMetricPoint[]>;
}

/** One metric data point, flattened out of the file exporter's OTLP/JSON metrics batches. */
export interface FlatMetricPoint {
  name: string;
  /** The service that sent it. */
  service: unknown;
  attributes: Record<string, unknown>;
  /** A sum's or gauge's value, or a histogram's count, sum and bucket counts. */
  value: number | { count: number; sum: number; bucketCounts: number[]; bounds: number[] };
}

const live = new Set<ChildProcess>();
const workDirs = new Set<string>();
// A failed test must not leave collectors holding ports after the worker ends, nor their
// output and queue directories in the temp directory (kept until then: tests read them after stop()).
const cleanUp = (): void => {
  for (const child of live) child.kill("SIGKILL");
  live.clear();
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
  workDirs.clear();
};
process.once("exit", cleanUp);
// vitest ends its worker processes with SIGTERM, whose default action skips "exit": clean up,
// then let the signal end the process as it would have.
process.once("SIGTERM", () => {
  cleanUp();
  process.kill(process.pid, "SIGTERM");
});

/** Starts the collector binary and resolves once its health_check answers 200. */
export async function startCollector(options: StartCollectorOptions = {}): Promise<RunningCollector> {
  if (!existsSync(COLLECTOR_BIN)) {
    throw new Error(`${COLLECTOR_BIN} is missing: run \`bash collector/build.sh\` before the tests`);
  }
  // The ports are free when chosen but released before the collector binds them: another process
  // (a parallel test file) may take one in between. Then the collector exits; pick new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnFreePorts(options);
    } catch (error) {
      if (attempt === 3 || !String(error).includes("address already in use")) throw error;
    }
  }
}

async function startOnFreePorts(options: StartCollectorOptions): Promise<RunningCollector> {
  const [httpPort, grpcPort, healthPort, metricsPort] = await freePorts(4);
  const workDir = await mkdtemp(join(tmpdir(), "mlobs-collector-"));
  workDirs.add(workDir);
  const outputDir = join(workDir, "out");
  const env = {
    ...process.env,
    MLOBS_OTLP_HTTP_ENDPOINT: `127.0.0.1:${httpPort}`,
    MLOBS_OTLP_GRPC_ENDPOINT: `127.0.0.1:${grpcPort}`,
    MLOBS_HEALTH_ENDPOINT: `127.0.0.1:${healthPort}`,
    MLOBS_TELEMETRY_HOST: "127.0.0.1",
    MLOBS_TELEMETRY_PORT: String(metricsPort),
    MLOBS_OTEL_OUT_DIR: outputDir,
    MLOBS_QUEUE_DIR: join(workDir, "queue"),
    ...options.env,
  };
  const args = (options.configs ?? [SHIPPED_CONFIG]).map((c) => `--config=${c}`);
  const healthUrl = `http://127.0.0.1:${healthPort}/`;
  const startTimeoutMs = options.startTimeoutMs ?? 30_000;

  let out = "";
  let err = "";
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const launch = async (): Promise<void> => {
    const proc = spawn(COLLECTOR_BIN, args, { cwd: workDir, env, stdio: ["ignore", "pipe", "pipe"] });
    child = proc;
    live.add(proc);
    proc.stdout?.setEncoding("utf8").on("data", (s: string) => {
      out += s;
    });
    proc.stderr?.setEncoding("utf8").on("data", (s: string) => {
      err += s;
    });
    let hasExited = false;
    // "close", not "exit": it waits for stdout/stderr to drain, so stdout() is complete after stop().
    exited = new Promise((done) =>
      proc.once("close", () => {
        hasExited = true;
        live.delete(proc);
        done();
      }),
    );
    try {
      await waitFor(
        async () => {
          if (hasExited) throw new Error(`collector exited during start-up (code ${proc.exitCode})`);
          const res = await fetch(healthUrl).catch(() => undefined);
          return res?.status === 200;
        },
        startTimeoutMs,
        50,
      );
    } catch (e) {
      proc.kill("SIGKILL");
      throw new Error(`${(e as Error).message}\n--- collector stderr ---\n${err}`);
    }
  };

  const stop = async (signal: NodeJS.Signals = "SIGTERM"): Promise<void> => {
    const proc = child;
    if (!proc) return;
    // Exited already (a crash): still wait for "close", so stdout() and stderr() are complete.
    if (proc.exitCode !== null || proc.signalCode !== null) return exited;
    proc.kill(signal);
    const timer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
    await exited;
    clearTimeout(timer);
  };

  await launch();

  return {
    otlpHttpUrl: `http://127.0.0.1:${httpPort}`,
    otlpGrpcEndpoint: `127.0.0.1:${grpcPort}`,
    healthUrl,
    metricsUrl: `http://127.0.0.1:${metricsPort}/metrics`,
    outputDir,
    outputFile: join(outputDir, "logs.jsonl"),
    stdout: () => out,
    stderr: () => err,
    stop,
    restart: async () => {
      await stop();
      await launch();
    },
    readRecords: () => readRecords(join(outputDir, "logs.jsonl")),
    readMetricPoints: () => readMetricPoints(join(outputDir, "metrics.jsonl")),
  };
}

type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;

/**
 * Polls `predicate` until it returns a truthy value (which is returned) or `timeoutMs` passes.
 * A predicate that throws fails at once: use it for "this can never become true".
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs = 10_000,
  intervalMs = 100,
): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await predicate();
    if (value) return value as Truthy<T>;
    if (Date.now() >= deadline) throw new Error(`waitFor: condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * The parsed batches of a file exporter output (one OTLP/JSON batch per line, joined lines split
 * with collector/flatten-logs.mjs's reader), and how many were cut short; none if it does not exist
 * yet. With `writing`, a last line without its newline is a batch still being written, not one cut short.
 */
async function readBatches(file: string, writing = false): Promise<{ batches: unknown[]; torn: number }> {
  const text = await readFile(file, "utf8").catch((e: NodeJS.ErrnoException) => {
    if (e.code === "ENOENT") return "";
    throw e;
  });
  const lines = text.split("\n");
  if (writing) lines.pop();
  let torn = 0;
  const batches = lines.flatMap((line) => {
    const parsed = parseBatchLine(line);
    torn += parsed.torn;
    return parsed.batches;
  });
  return { batches, torn };
}

/**
 * Reads a file exporter output (one OTLP/JSON logs batch per line) as flat records, failing when a
 * batch in it is incomplete (a collector was killed while writing it): see readLogFile().
 */
export async function readRecords(file: string): Promise<FlatRecord[]> {
  // Polled while the collector runs: a batch it is writing now is read on the next poll.
  const { batches, torn } = await readBatches(file, true);
  if (torn > 0) throw new Error(`${file}: ${torn} incomplete batch(es)`);
  return batches.flatMap((batch) => flattenLogs(batch));
}

/** Reads a file exporter output with collector/flatten-logs.mjs's reader: the records, and the incomplete batches. */
export async function readLogFile(file: string): Promise<{ records: FlatRecord[]; torn: number }> {
  const { batches, torn } = await readBatches(file);
  return { records: batches.flatMap((batch) => flattenLogs(batch)), torn };
}

/** Reads a file exporter output of metrics (one OTLP/JSON metrics batch per line) as flat points. */
export async function readMetricPoints(file: string): Promise<FlatMetricPoint[]> {
  const { batches } = await readBatches(file, true);
  return batches.flatMap((batch) =>
    flattenMetrics(batch).map((p) => ({
      name: p.name,
      service: p.resource["service.name"],
      attributes: p.attributes,
      value: p.histogram ?? p.value,
    })),
  );
}

/** Asks the kernel for `count` distinct free ports on 127.0.0.1. */
async function freePorts(count: number): Promise<number[]> {
  // Hold every server open until all ports are known, so the kernel cannot hand out one twice.
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<ReturnType<typeof createServer>>((done, fail) => {
          const server = createServer();
          server.once("error", fail);
          server.listen(0, "127.0.0.1", () => done(server));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const address = s.address();
    if (address === null || typeof address === "string") throw new Error("no TCP address");
    return address.port;
  });
  await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
  return ports;
}
