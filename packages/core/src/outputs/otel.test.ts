import { context, ROOT_CONTEXT, TraceFlags, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { getDiagnostics } from "../internal/diagnostics.js";
import { createLogCapture } from "../testing.js";
import { otelOutput } from "./otel.js";

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
const SPAN = {
  traceId: "0af7651916cd43dd8448eb211c80319c",
  spanId: "b7ad6b7169203331",
  traceFlags: TraceFlags.SAMPLED,
};
const manager = new AsyncLocalStorageContextManager();

beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});
beforeEach(() => exporter.reset());

function setup(name?: string) {
  const capture = createLogCapture();
  const log = createLogger({
    name,
    level: "debug",
    outputs: [capture, otelOutput({ loggerProvider: provider })],
  });
  return { log, capture };
}

function exported(): ReadableLogRecord[] {
  return exporter.getFinishedLogRecords();
}

function inSpan<T>(fn: () => T): T {
  return context.with(trace.setSpanContext(ROOT_CONTEXT, SPAN), fn);
}

describe("otelOutput(): the OTLP mapping", () => {
  it("sets timestamp and observedTimestamp to the time of the call", () => {
    const { log, capture } = setup();
    log.info("model_loaded");
    const [record] = exported();
    const time = capture.records[0]?.time;
    expect(hrTimeToMilliseconds(record!.hrTime)).toBe(time);
    expect(hrTimeToMilliseconds(record!.hrTimeObserved)).toBe(time);
  });

  it("maps each level to its severity number and text", () => {
    const { log } = setup();
    for (const level of ["debug", "info", "warn", "error", "fatal"] as const) log.log(level, "tick");
    expect(exported().map((r) => [r.severityNumber, r.severityText])).toEqual([
      [5, "debug"],
      [9, "info"],
      [13, "warn"],
      [17, "error"],
      [21, "fatal"],
    ]);
  });

  it("writes the event as eventName and body, and the logger name as the instrumentation scope", () => {
    const { log } = setup("ml_model");
    log.info("prediction_complete", { prediction: 0.87 });
    const [record] = exported();
    expect(record?.eventName).toBe("prediction_complete");
    expect(record?.body).toBe("prediction_complete");
    expect(record?.instrumentationScope.name).toBe("ml_model");
  });

  it("carries the trace context of the call in the record's context, not in attributes", () => {
    const { log, capture } = setup();
    inSpan(() => log.info("prediction_complete", { prediction: 0.87 }));
    const [record] = exported();
    expect(record?.spanContext).toMatchObject(SPAN);
    expect(capture.entries[0]).toMatchObject({
      trace_id: SPAN.traceId,
      span_id: SPAN.spanId,
      trace_flags: "01",
    });
    expect(Object.keys(record?.attributes ?? {})).toEqual(["prediction"]);
  });

  it("keeps the context captured at the call when the record is emitted later", () => {
    const provider2 = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const output = otelOutput({ loggerProvider: provider2 });
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture] });
    inSpan(() => log.info("queued"));
    // Outside the span now: a deferred writer must still correlate.
    output.write(capture.records[0]!);
    expect(exported()[0]?.spanContext?.traceId).toBe(SPAN.traceId);
  });

  it("maps the exception to exception.type, exception.message and exception.stacktrace, with its causes", () => {
    const { log } = setup();
    const cause = new RangeError("feature out of range");
    log.error("prediction_failed", { err: new TypeError("bad input", { cause }), latency_ms: 12 });
    const attributes = exported()[0]?.attributes ?? {};
    expect(attributes["exception.type"]).toBe("TypeError");
    expect(attributes["exception.message"]).toBe("bad input");
    expect(attributes["exception.stacktrace"]).toMatch(/^TypeError: bad input\n\s+at /);
    expect(attributes["exception.stacktrace"]).toContain("Caused by: RangeError: feature out of range");
    expect(attributes).not.toHaveProperty("exception");
    expect(attributes).not.toHaveProperty("error");
    expect(attributes.latency_ms).toBe(12);
  });

  it("maps an Error even without formatException() in the chain", () => {
    const capture = createLogCapture();
    const log = createLogger({
      processors: [],
      outputs: [capture, otelOutput({ loggerProvider: provider })],
    });
    log.error("prediction_failed", new Error("model unavailable"));
    const attributes = exported()[0]?.attributes ?? {};
    expect(attributes["exception.type"]).toBe("Error");
    expect(attributes["exception.message"]).toBe("model unavailable");
    expect(attributes).not.toHaveProperty("err");
  });

  it("keeps an `error` string that is not an exception's summary", () => {
    const { log } = setup();
    log.warn("retrying", { error: "timeout" });
    expect(exported()[0]?.attributes).toEqual({ error: "timeout" });
  });

  it("writes bound and call fields as attributes, nested objects as maps, call fields winning", () => {
    const { log } = setup();
    log.bind({ request_id: "r-1", model_version: "v2" }).info("prediction_complete", {
      model_version: "v3",
      features: { age: 42, tags: ["a", "b"] },
      ok: true,
    });
    expect(exported()[0]?.attributes).toEqual({
      request_id: "r-1",
      model_version: "v3",
      features: { age: 42, tags: ["a", "b"] },
      ok: true,
    });
  });

  it("converts values OTLP cannot carry without throwing", () => {
    const { log } = setup();
    const cyclic: Record<string, unknown> = { name: "loop" };
    cyclic.self = cyclic;
    const hostile = {
      get boom() {
        throw new Error("getter");
      },
    };
    const fields = {
      big: 12345678901234567890n,
      map: new Map<unknown, unknown>([
        ["a", 1],
        [2, new Set(["x"])],
      ]),
      fn: function score() {},
      sym: Symbol("s"),
      cyclic,
      hostile,
      bytes: Buffer.from("hi"),
      when: new Date(0),
      nothing: undefined,
      empty: null,
    };
    expect(() => log.info("odd_values", fields)).not.toThrow();
    const attributes = exported()[0]?.attributes ?? {};
    expect(attributes).toMatchObject({
      big: "12345678901234567890",
      map: { a: 1, "2": ["x"] },
      fn: "[Function: score]",
      sym: "Symbol(s)",
      cyclic: { name: "loop", self: "[Circular]" },
      hostile: { boom: "[Unserializable: Error: getter]" },
      when: "1970-01-01T00:00:00.000Z",
      empty: null,
    });
    // The same description as in the JSON line: one walker for every output.
    expect(attributes.bytes).toEqual({ type: "Buffer", base64: Buffer.from("hi").toString("base64") });
    expect(attributes).not.toHaveProperty("nothing");
  });

  it("keeps the record when an `error` map looks like an exception with a null cause", () => {
    const { log } = setup();
    log.error("failed", { error: { type: "ValidationError", message: "bad input", cause: null } });
    expect(exported()).toHaveLength(1);
    expect(exported()[0]!.attributes.error).toEqual({
      type: "ValidationError",
      message: "bad input",
      cause: null,
    });
  });

  it("keeps a nested map with a key named constructor, renamed and counted (the SDK would drop the map)", () => {
    const { log, capture } = setup();
    const before = getDiagnostics().unencodable;
    log.info("x", { meta: { constructor: "Model", version: 3 } });
    expect(exported()[0]!.attributes.meta).toEqual({ "[constructor]": "Model", version: 3 });
    expect(getDiagnostics().unencodable - before).toBe(1);
    expect(capture.entries[0]!.meta).toEqual({ constructor: "Model", version: 3 });
  });

  it("bounds a cause's typed array by the limits, as in the JSON line", () => {
    const { log, capture } = setup();
    const cause = Object.assign(new Error("inner"), { tensor: new Float32Array(50_000_000) });
    log.error("failed", new Error("outer", { cause }));
    expect(exported()).toHaveLength(1);
    expect(JSON.stringify(capture.entries[0]).length).toBeLessThan(200_000);
    expect(exported()[0]!.attributes["exception.stacktrace"]).toContain("Caused by: Error: inner");
  });

  it("writes NaN and Infinity as the JSON output does, bound or called, so one value cannot fail a batch", () => {
    const { log, capture } = setup();
    log.bind({ baseline: Number.NaN }).info("drift_checked", { score: Number.POSITIVE_INFINITY, psi: 0.2 });
    expect(exported()[0]?.attributes).toEqual({ baseline: "NaN", score: "Infinity", psi: 0.2 });
    expect(capture.entries[0]).toMatchObject({ baseline: "NaN", score: "Infinity", psi: 0.2 });
  });

  it("counts records written after shutdown as dropped", async () => {
    const output = otelOutput({ loggerProvider: provider });
    const log = createLogger({ outputs: [output] });
    await output.shutdown();
    const before = getDiagnostics().dropped;
    log.info("too_late");
    expect(getDiagnostics().dropped).toBe(before + 1);
    expect(exported()).toHaveLength(0);
  });

  it("rejects a loggerProvider without getLogger()", () => {
    expect(() => otelOutput({ loggerProvider: {} as never })).toThrow(/loggerProvider/);
  });
});
