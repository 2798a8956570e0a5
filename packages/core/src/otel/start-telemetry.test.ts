import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import http, { request } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { metrics } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import { ExportResultCode } from "@opentelemetry/core";
import { InMemoryLogRecordExporter, LoggerProvider } from "@opentelemetry/sdk-logs";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { afterEach, describe, expect, it } from "vitest";
import { startTestReceiver, type TestReceiver } from "../../test/otlp-receiver.js";
import { getDiagnostics } from "../internal/diagnostics.js";
import { EVENT_RECORDS_DROPPED, METRIC_RECORDS_DROPPED } from "../semconv.js";
import { createLogCapture } from "../testing.js";
import { startTelemetry, type Telemetry, type TelemetryOptions } from "./start-telemetry.js";

const cleanups: (() => unknown)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function receiver(options?: { listen?: boolean }): Promise<TestReceiver> {
  const started = await startTestReceiver(options);
  cleanups.push(() => started.stop());
  return started;
}

function start(options: TelemetryOptions): Telemetry {
  const telemetry = startTelemetry({ handleSignals: false, ...options });
  cleanups.push(() => telemetry.shutdown());
  return telemetry;
}

/** Sets environment variables until the end of the test. */
function env(values: Record<string, string>): void {
  for (const [key, value] of Object.entries(values)) {
    const before = process.env[key];
    process.env[key] = value;
    cleanups.push(() => {
      if (before === undefined) delete process.env[key];
      else process.env[key] = before;
    });
  }
}

describe("startTelemetry()", () => {
  it("delivers logs over OTLP/HTTP protobuf with the resource and the span's trace context", async () => {
    const sink = await receiver();
    const capture = createLogCapture();
    const { logger, tracer, flush, shutdown } = start({
      serviceName: "ranker",
      serviceVersion: "1.4.0",
      environment: "staging",
      endpoint: sink.url,
      logger: { outputs: [capture], name: "ml_model" },
    });
    const traceId = tracer.startActiveSpan("predict", (span) => {
      logger.info("prediction_complete", { prediction: 0.87, model: { name: "churn", version: 3 } });
      span.end();
      return span.spanContext().traceId;
    });
    await flush();
    expect(sink.logs).toHaveLength(1);
    expect(sink.logs[0]).toMatchObject({
      eventName: "prediction_complete",
      body: "prediction_complete",
      severityNumber: 9,
      severityText: "info",
      traceId,
      scope: "ml_model",
      attributes: { prediction: 0.87, model: { name: "churn", version: 3 } },
      resource: {
        "service.name": "ranker",
        "service.version": "1.4.0",
        "deployment.environment.name": "staging",
      },
    });
    expect(sink.requests.find((r) => r.path === "/v1/logs")?.contentType).toBe("application/x-protobuf");
    expect(capture.entries[0]).toMatchObject({ event: "prediction_complete", trace_id: traceId });
    await shutdown();
    expect(sink.spans.map((s) => s.name)).toContain("predict");
  });

  it("puts the service name, version and environment, and OTEL_RESOURCE_ATTRIBUTES, on the resource", async () => {
    env({ OTEL_RESOURCE_ATTRIBUTES: "team=ml,service.version=0.0.1" });
    const exporter = new InMemoryLogRecordExporter();
    const telemetry = start({
      serviceName: "ranker",
      serviceVersion: "1.4.0",
      environment: "production",
      logRecordExporter: exporter,
      logger: { outputs: [] },
    });
    telemetry.logger.info("hello");
    await telemetry.flush();
    expect(exporter.getFinishedLogRecords()[0]?.resource.attributes).toMatchObject({
      "service.name": "ranker",
      "service.version": "1.4.0",
      "deployment.environment.name": "production",
      team: "ml",
    });
  });

  it("delivers a burst of 200,000 records with zero drops", async () => {
    const sink = await receiver();
    const telemetry = start({ serviceName: "burst", endpoint: sink.url, logger: { outputs: [] } });
    const log = telemetry.logger.bind({ request_id: "r-1", model_version: "v3" });
    const before = getDiagnostics().dropped;
    // One synchronous burst: nothing can be exported until it ends.
    for (let i = 0; i < 200_000; i++)
      log.info("prediction_complete", { i, prediction: 0.87, latency_ms: 142.5 });
    await telemetry.flush();
    expect(telemetry.stats()).toEqual({ delivered: 200_000, dropped: 0, pending: 0 });
    expect(sink.logs).toHaveLength(200_000);
    expect(new Set(sink.logs.map((r) => r.attributes.i)).size).toBe(200_000);
    expect(getDiagnostics().dropped).toBe(before);
  });

  it("delivers every record when the collector comes up 5 s after the start", async () => {
    const sink = await receiver({ listen: false });
    const capture = createLogCapture();
    const telemetry = start({ endpoint: sink.url, logger: { outputs: [capture] } });
    for (let i = 0; i < 1000; i++) telemetry.logger.info("tick", { i });
    setTimeout(() => void sink.start(), 5000);
    await telemetry.flush();
    expect(sink.logs.map((r) => r.attributes.i)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(telemetry.stats().dropped).toBe(0);
    expect(capture.entries.filter((e) => e.event === EVENT_RECORDS_DROPPED)).toEqual([]);
  });

  it("counts drops past the queue bound and the retry window, and reports them locally and as a metric", async () => {
    const sink = await receiver();
    // Every logs request fails (retryable); metrics still get through.
    sink.failNext(Number.POSITIVE_INFINITY, 503, "/v1/logs");
    env({ OTEL_EXPORTER_OTLP_LOGS_TIMEOUT: "200" });
    const capture = createLogCapture();
    const telemetry = start({
      endpoint: sink.url,
      logger: { outputs: [capture] },
      delivery: { maxQueueSize: 1000, maxExportBatchSize: 500, retryWindowMillis: 300 },
    });
    const before = getDiagnostics().dropped;
    for (let i = 0; i < 3000; i++) telemetry.logger.info("tick", { i });
    await telemetry.flush();
    await telemetry.shutdown();
    expect(telemetry.stats()).toEqual({
      delivered: 0,
      dropped: 3000,
      pending: 0,
      lastError: "HTTP 503 Service Unavailable",
    });
    expect(getDiagnostics().dropped).toBe(before + 3000);
    const reported: Record<string, number> = {};
    for (const entry of capture.entries.filter((e) => e.event === EVENT_RECORDS_DROPPED)) {
      expect(entry.level).toBe("warn");
      reported[entry.reason as string] = (reported[entry.reason as string] ?? 0) + (entry.count as number);
    }
    expect(reported).toEqual({ queue_full: 2000, export_failed: 1000 });
    const points = sink.metrics.filter((m) => m.name === METRIC_RECORDS_DROPPED);
    expect(Object.fromEntries(points.map((p) => [p.attributes.reason, p.value]))).toEqual({
      queue_full: 2000,
      export_failed: 1000,
    });
  });

  it("reports at process exit the drops still waiting for their once-a-second report", async () => {
    const capture = createLogCapture();
    const exits = process.listeners("exit");
    const telemetry = start({
      // The collector refuses everything (400): dropped at once, reported within a second.
      logRecordExporter: {
        export: (_records, done) =>
          done({ code: ExportResultCode.FAILED, error: Object.assign(new Error("bad"), { code: 400 }) }),
        shutdown: async () => {},
        forceFlush: async () => {},
      },
      logger: { outputs: [capture] },
    });
    // startTelemetry()'s exit listener is the last one added.
    const onExit = process
      .listeners("exit")
      .filter((listener) => !exits.includes(listener))
      .at(-1);
    telemetry.logger.info("tick");
    await telemetry.flush();
    expect(telemetry.stats()).toEqual({ delivered: 0, dropped: 1, pending: 0, lastError: "bad" });
    // What a process.exit() right now would run.
    onExit?.(0);
    const reports = capture.entries.filter((e) => e.event === EVENT_RECORDS_DROPPED);
    expect(reports).toEqual([
      expect.objectContaining({ level: "warn", count: 1, reason: "rejected", cause: "bad" }),
    ]);
  });

  it("keeps to shutdownTimeoutMs when a replaced log pipeline never finishes its shutdown", async () => {
    const capture = createLogCapture();
    const telemetry = start({
      shutdownTimeoutMs: 50,
      logRecordProcessor: { onEmit() {}, forceFlush: async () => {}, shutdown: () => new Promise(() => {}) },
      logger: { outputs: [capture] },
    });
    telemetry.logger.info("stopping");
    await telemetry.shutdown();
    expect(capture.entries.map((e) => e.event)).toEqual(["stopping"]);
  }, 10_000);

  it("honours OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES, OTEL_EXPORTER_OTLP_ENDPOINT and OTEL_EXPORTER_OTLP_HEADERS", async () => {
    const sink = await receiver();
    env({
      OTEL_SERVICE_NAME: "from-env",
      OTEL_RESOURCE_ATTRIBUTES: "team=ml,deployment.environment.name=prod",
      OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
      OTEL_EXPORTER_OTLP_HEADERS: "x-api-key=secret",
    });
    const telemetry = start({ logger: { outputs: [] } });
    telemetry.logger.info("hello");
    await telemetry.flush();
    expect(sink.logs[0]?.resource).toMatchObject({
      "service.name": "from-env",
      team: "ml",
      "deployment.environment.name": "prod",
    });
    expect(sink.requests[0]?.headers["x-api-key"]).toBe("secret");
  });

  it("honours OTEL_EXPORTER_OTLP_LOGS_ENDPOINT over the endpoint option, and http/json", async () => {
    const sink = await receiver();
    env({
      OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: `${sink.url}/custom/v1/logs`,
      OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json",
    });
    const telemetry = start({ endpoint: "http://127.0.0.1:9", logger: { outputs: [] } });
    telemetry.logger.warn("hello", { n: 1 });
    await telemetry.flush();
    expect(sink.requests[0]).toMatchObject({ path: "/custom/v1/logs", contentType: "application/json" });
    expect(sink.logs[0]).toMatchObject({ eventName: "hello", severityNumber: 13, attributes: { n: 1 } });
  });

  it("writes to the local outputs only, with trace ids, when no endpoint is configured", async () => {
    const capture = createLogCapture();
    const { logger, tracer, stats } = start({ logger: { outputs: [capture] } });
    tracer.startActiveSpan("work", (span) => {
      logger.info("local_only");
      span.end();
    });
    expect(capture.entries[0]).toMatchObject({
      event: "local_only",
      trace_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(stats()).toEqual({ delivered: 0, dropped: 0, pending: 0 });
  });

  it("exports nothing when OTEL_SDK_DISABLED is true", async () => {
    const sink = await receiver();
    env({ OTEL_SDK_DISABLED: "true" });
    const capture = createLogCapture();
    const telemetry = start({ endpoint: sink.url, logger: { outputs: [capture] } });
    telemetry.logger.info("hello");
    await telemetry.shutdown();
    expect(capture.entries).toHaveLength(1);
    expect(sink.requests).toEqual([]);
  });

  it("carries the trace across HTTP (traceparent), so both services log the same trace_id", async () => {
    const sink = await receiver();
    const capture = createLogCapture();
    const { logger, tracer, flush } = start({ endpoint: sink.url, logger: { outputs: [capture] } });
    // node:http was imported (as an ES module) before the start, as in most applications.
    const server = http.createServer((request, response) => {
      logger.info("request_received", { traceparent: request.headers.traceparent });
      response.end("ok");
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    cleanups.push(() => new Promise((resolve) => server.close(resolve)));
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}/predict`;
    const traceId = await tracer.startActiveSpan("call_ranker", async (span) => {
      // Through the default import and through a named import.
      await new Promise<void>((resolve, reject) => {
        http.get(url, (response) => response.resume().on("end", resolve)).on("error", reject);
      });
      await new Promise<void>((resolve, reject) => {
        request(url, (response) => response.resume().on("end", resolve))
          .on("error", reject)
          .end();
      });
      span.end();
      return span.spanContext().traceId;
    });
    const received = capture.entries.filter((e) => e.event === "request_received");
    expect(received).toHaveLength(2);
    for (const entry of received) {
      expect(entry.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
      expect(entry.trace_id).toBe(traceId);
    }
    await flush();
    const delivered = sink.logs.filter((r) => r.eventName === "request_received");
    expect(delivered.map((r) => r.traceId)).toEqual([traceId, traceId]);
  });

  it("rejects invalid options, naming them", () => {
    expect(() => startTelemetry({ endpoint: "localhost:4318" })).toThrow(/endpoint/);
    expect(() => startTelemetry({ serviceName: "" })).toThrow(/serviceName/);
    expect(() => startTelemetry({ shutdownTimeoutMs: -1 })).toThrow(/shutdownTimeoutMs/);
    expect(() => startTelemetry({ endpiont: "http://x" } as TelemetryOptions)).toThrow(
      /"endpiont".*endpoint/,
    );
    expect(() => startTelemetry({ logger: { level: "loud" as "info" } })).toThrow(/level/);
    expect(() =>
      startTelemetry({ delivery: { maxQueueSize: 0 }, logRecordExporter: new InMemoryLogRecordExporter() }),
    ).toThrow(/maxQueueSize/);
  });
});

describe("startTelemetry() as an OpenTelemetry citizen", () => {
  it("leaves alone at shutdown a provider the application registered after the start", async () => {
    const telemetry = start({ logger: { outputs: [] } });
    const appMeters = new MeterProvider();
    expect(metrics.setGlobalMeterProvider(appMeters)).toBe(true);
    const appLogs = new LoggerProvider();
    // Without an endpoint nothing of ours is registered for logs, so the application's goes in.
    expect(logs.setGlobalLoggerProvider(appLogs)).toBe(appLogs);
    await telemetry.shutdown();
    expect(metrics.getMeterProvider()).toBe(appMeters);
    expect(logs.getLoggerProvider()).toBe(appLogs);
    metrics.disable();
    logs.disable();
  });

  it("exports no span of its own exports, inside the application's spans or not", async () => {
    const sink = await receiver();
    const telemetry = start({ endpoint: sink.url, logger: { outputs: [] } });
    telemetry.tracer.startActiveSpan("predict", (span) => {
      for (let i = 0; i < 5000; i++) telemetry.logger.info("tick", { i });
      span.end();
    });
    for (let i = 0; i < 5000; i++) telemetry.logger.info("tick", { i });
    await telemetry.flush();
    await telemetry.shutdown();
    expect(sink.logs).toHaveLength(10_000);
    expect(sink.spans.map((s) => s.name)).toEqual(["predict"]);
  });

  for (const value of ["not a url", "htp://localhost:4318", "127.0.0.1:4318"]) {
    it(`fails at start on OTEL_EXPORTER_OTLP_ENDPOINT=${JSON.stringify(value)}, naming the variable`, () => {
      env({ OTEL_EXPORTER_OTLP_ENDPOINT: value });
      expect(() => startTelemetry({ handleSignals: false })).toThrow(
        `mlobs: invalid OTEL_EXPORTER_OTLP_ENDPOINT ${JSON.stringify(value)}: expected an http:// or https:// URL`,
      );
    });
  }

  it("takes what OpenTelemetry JS takes: host:port and unix: for grpc, and no check of a signal that is off", async () => {
    env({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc", OTEL_EXPORTER_OTLP_ENDPOINT: "127.0.0.1:4317" });
    await start({ logger: { outputs: [] } }).shutdown();
    env({ OTEL_EXPORTER_OTLP_ENDPOINT: "unix:///var/run/otel.sock" });
    await start({ logger: { outputs: [] } }).shutdown();
    env({
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318",
    });
    env({ OTEL_LOGS_EXPORTER: "none", OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: "localhost:4318" });
    await start({ logger: { outputs: [] } }).shutdown();
  });

  it("fails at start on an OTLP protocol it cannot send, naming the variable and the accepted values", () => {
    env({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/xml" });
    expect(() => startTelemetry({ handleSignals: false })).toThrow(
      'mlobs: invalid OTEL_EXPORTER_OTLP_LOGS_PROTOCOL "http/xml": expected one of http/protobuf, http/json, grpc',
    );
  });

  it("sends OTLP/JSON when OTEL_EXPORTER_OTLP_LOGS_PROTOCOL=http/json", async () => {
    const sink = await receiver();
    env({ OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: "http/json" });
    const telemetry = start({ endpoint: sink.url, logger: { outputs: [] } });
    telemetry.logger.info("tick", { i: 1 });
    await telemetry.flush();
    expect(sink.requests.find((r) => r.path === "/v1/logs")?.contentType).toBe("application/json");
    expect(sink.logs[0]).toMatchObject({ eventName: "tick", attributes: { i: 1 } });
  });
});

describe("startTelemetry() in an application that set up OpenTelemetry itself", () => {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const otelDist = pathToFileURL(join(here, "../../dist/otel.js")).href;

  function node(args: string[], options: { cwd?: string; env?: Record<string, string> } = {}) {
    return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        args,
        { cwd: options.cwd, env: { ...process.env, ...options.env } },
        (error, stdout, stderr) =>
          resolve({ code: error ? ((error.code as number) ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it("beside the application's own NodeSDK: exports each record and span once, and says so once", async () => {
    const sink = await receiver();
    const result = await node([join(here, "../../test/app-with-sdk.mjs")], {
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
        OTEL_METRICS_EXPORTER: "none",
        OTEL_BSP_SCHEDULE_DELAY: "10",
      },
    });
    expect(result.code).toBe(0);
    const traceId = /trace_id=([0-9a-f]{32})/.exec(result.stderr)?.[1];
    expect(sink.logs.filter((r) => r.eventName === "in_app_span").map((r) => r.traceId)).toEqual([traceId]);
    expect(sink.spans.filter((s) => s.name === "handle")).toHaveLength(1);
    expect(result.stderr.match(/OpenTelemetry is already set up in this process/g)).toHaveLength(1);
    const [line] = result.stdout.trim().split("\n");
    expect(JSON.parse(line as string)).toMatchObject({ event: "in_app_span", trace_id: traceId });
  });

  it("with the application's older @opentelemetry/api (1.8.0) and its own SDK: records carry its trace ids", async () => {
    // A real application folder from the registry: api 1.8.0, its own SDK, and @mlobs/core from
    // its packed tarball, whose peer dependency resolves to the application's api.
    const app = mkdtempSync(join(tmpdir(), "mlobs-api18-"));
    cleanups.push(() => rmSync(app, { recursive: true, force: true }));
    writeFileSync(
      join(app, "package.json"),
      JSON.stringify({ name: "api18-app", private: true, type: "module" }),
    );
    const exec = (command: string, args: string[], cwd: string) =>
      new Promise<string>((resolve, reject) =>
        execFile(command, args, { cwd }, (error, stdout) => (error ? reject(error) : resolve(stdout))),
      );
    // The pnpm that runs the tests (`pnpm test`), else the one on PATH: it turns `catalog:` into versions.
    const execPath = process.env.npm_execpath;
    const pnpm = !execPath?.includes("pnpm")
      ? ["pnpm"]
      : /\.[cm]?js$/.test(execPath)
        ? [process.execPath, execPath]
        : [execPath];
    await exec(pnpm[0] as string, [...pnpm.slice(1), "pack", "--pack-destination", app], join(here, "../.."));
    const tarball = readdirSync(app).find((file) => file.endsWith(".tgz")) as string;
    await exec(
      "npm",
      [
        "install",
        "--no-audit",
        "--no-fund",
        "--loglevel=error",
        "@opentelemetry/api@1.8.0",
        "@opentelemetry/sdk-trace-node@2.12.0",
        `./${tarball}`,
      ],
      app,
    );
    const script = (core: string) => `import { trace } from "@opentelemetry/api";
import { NodeTracerProvider } from "@opentelemetry/sdk-trace-node";
new NodeTracerProvider().register();
const { startTelemetry } = await import(${JSON.stringify(core)});
const { logger, shutdown } = startTelemetry({ handleSignals: false, logger: { format: "json" } });
trace.getTracer("app").startActiveSpan("handle", (span) => {
  logger.info("in_app_span");
  process.stderr.write("trace_id=" + span.spanContext().traceId + "\\n");
  span.end();
});
await shutdown();
`;
    writeFileSync(join(app, "app.mjs"), script("@mlobs/core/otel"));
    const result = await node(["app.mjs"], { cwd: app });
    expect(result.code).toBe(0);
    const version = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).version;
    expect(version(join(app, "node_modules/@opentelemetry/api"))).toBe("1.8.0");
    // One copy: the peer dependency, not a second api of our own.
    expect(existsSync(join(app, "node_modules/@mlobs/core/node_modules/@opentelemetry/api"))).toBe(false);
    const traceId = /trace_id=([0-9a-f]{32})/.exec(result.stderr)?.[1];
    expect(traceId).toBeDefined();
    const [line] = result.stdout.trim().split("\n");
    expect(JSON.parse(line as string)).toMatchObject({ event: "in_app_span", trace_id: traceId });

    // Two copies after all (the workspace build, with its newer api): said clearly, once.
    writeFileSync(join(app, "two-copies.mjs"), script(otelDist));
    const twoCopies = await node(["two-copies.mjs"], { cwd: app });
    expect(twoCopies.code).toBe(0);
    expect(twoCopies.stderr.match(/registered OpenTelemetry with @opentelemetry\/api 1\.8\.0/g)).toHaveLength(
      1,
    );
  }, 180_000);
});
