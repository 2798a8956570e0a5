import { ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { afterEach, describe, expect, it, vi } from "vitest";
import { configure, createLogger, defaultProcessors, getLogger, resetConfiguration } from "./configure.js";
import { renderJson } from "./encode/json.js";
import { createBindings } from "./logger.js";
import type { LogRecord } from "./record.js";
import { withContext } from "./scope.js";
import { createLogCapture } from "./testing.js";

afterEach(() => {
  vi.unstubAllEnvs();
  resetConfiguration();
});

describe("createLogger()", () => {
  it("rejects an unknown option, naming it and the accepted ones", () => {
    expect(() => createLogger({ levle: "info" } as never)).toThrow(
      'mlobs: createLogger(): unknown option "levle": expected one of name, level, format, processors, outputs, fields, limits',
    );
  });

  it("rejects a bad level, naming the accepted levels", () => {
    expect(() => createLogger({ level: "verbose" as never })).toThrow(
      'mlobs: invalid option level "verbose": expected one of debug, info, warn, error, fatal, silent',
    );
  });

  it("rejects a bad format, bad processors and bad outputs", () => {
    expect(() => createLogger({ format: "xml" as never })).toThrow(
      'invalid option format "xml": expected one of json, console',
    );
    expect(() => createLogger({ processors: [42 as never] })).toThrow(
      "invalid option processors[0]: expected a function",
    );
    expect(() => createLogger({ outputs: [{} as never] })).toThrow(
      "invalid option outputs[0]: expected an output",
    );
    expect(() => createLogger({ outputs: "stdout" as never })).toThrow(
      "invalid option outputs: expected an array",
    );
    expect(() => createLogger({ name: 5 as never })).toThrow("invalid option name: expected a string");
    expect(() => createLogger(null as never)).toThrow("options must be an object");
    expect(() => createLogger({ limits: { maxDepth: 0 } })).toThrow("invalid option limits.maxDepth 0");
    expect(() => createLogger({ limits: { depth: 3 } as never })).toThrow(
      'createLogger({ limits }): unknown option "depth": expected one of maxStringLength, maxDepth, maxItems, maxKeys',
    );
    expect(() => createLogger({ limits: { toString: 3 } as never })).toThrow('unknown option "toString"');
    expect(() => createLogger({ limits: { maxStringLength: 10 } })).toThrow(
      "invalid option limits.maxStringLength 10: expected an integer >= 64",
    );
  });

  it("reads LOG_LEVEL, and rejects a bad one naming the variable", () => {
    const capture = createLogCapture();
    vi.stubEnv("LOG_LEVEL", "error");
    const log = createLogger({ outputs: [capture] });
    log.warn("hidden");
    log.error("shown");
    expect(capture.entries.map((e) => e.event)).toEqual(["shown"]);
    vi.stubEnv("LOG_LEVEL", "loud");
    expect(() => createLogger()).toThrow('mlobs: invalid LOG_LEVEL "loud": expected one of debug');
  });

  it("reads LOG_LEVEL and the level option in any case, as deployments write them", () => {
    const capture = createLogCapture();
    vi.stubEnv("LOG_LEVEL", "WARN");
    const fromEnv = createLogger({ outputs: [capture] });
    fromEnv.info("hidden");
    fromEnv.warn("shown");
    vi.stubEnv("LOG_LEVEL", "");
    createLogger({ outputs: [capture], level: "Error" as never }).warn("hidden_too");
    expect(capture.entries.map((e) => e.event)).toEqual(["shown"]);
  });

  it("lets the level option win over LOG_LEVEL", () => {
    const capture = createLogCapture();
    vi.stubEnv("LOG_LEVEL", "error");
    createLogger({ outputs: [capture], level: "debug" }).debug("shown");
    expect(capture.entries).toHaveLength(1);
  });

  it("rejects a bad LOG_FORMAT naming the variable", () => {
    vi.stubEnv("LOG_FORMAT", "yaml");
    expect(() => createLogger()).toThrow('mlobs: invalid LOG_FORMAT "yaml": expected one of json, console');
  });

  it("binds the fields option from the start", () => {
    const capture = createLogCapture();
    createLogger({ outputs: [capture], fields: { service: "api" } }).info("x");
    expect(capture.entries[0]!.service).toBe("api");
  });

  it("sets encoding limits per logger: another logger keeps its own", () => {
    const capture = createLogCapture();
    const small = createLogger({ outputs: [capture], limits: { maxStringLength: 64, maxItems: 2 } });
    const large = createLogger({ outputs: [capture] });
    const s = "a".repeat(100);
    small.info("x", { s, list: [1, 2, 3] });
    large.info("x", { s, list: [1, 2, 3] });
    small.bind({ bound: s }).info("y");
    expect(capture.entries[0]).toMatchObject({
      s: `${"a".repeat(40)}...[truncated 60 chars]`,
      list: [1, 2, "[1 more items]"],
    });
    expect(capture.entries[1]).toMatchObject({ s, list: [1, 2, 3] });
    expect(capture.entries[2]!.bound).toBe(`${"a".repeat(40)}...[truncated 60 chars]`);
  });
});

describe("configure() and getLogger()", () => {
  it("applies to loggers obtained before and after, like structlog.configure", () => {
    const early = getLogger("early");
    const capture = createLogCapture();
    configure({ outputs: [capture], level: "debug" });
    early.debug("from_early");
    getLogger("late", { service: "api" }).info("from_late");
    expect(capture.entries).toMatchObject([
      { event: "from_early", logger: "early", level: "debug" },
      { event: "from_late", logger: "late", service: "api" },
    ]);
  });

  it("lets the first configure() win over a bad LOG_LEVEL, as createLogger() does", async () => {
    vi.stubEnv("LOG_LEVEL", "verbose");
    vi.resetModules();
    const fresh = await import("./configure.js");
    const capture = createLogCapture();
    expect(() => fresh.configure({ level: "debug", outputs: [capture] })).not.toThrow();
    fresh.getLogger().debug("configured");
    expect(capture.entries.map((e) => e.event)).toEqual(["configured"]);
  });

  it("takes no name or fields (they belong to loggers)", () => {
    expect(() => configure({ name: "x" })).toThrow("configure() takes no name or fields");
  });

  it("the default chain adds context, level, timestamp, trace context and exceptions", () => {
    const span = trace.wrapSpanContext({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
      traceFlags: 1,
    });
    let record: LogRecord | null = {
      time: Date.UTC(2026, 0, 15, 14, 32, 1, 5),
      level: "error",
      event: "prediction_failed",
      logger: undefined,
      context: trace.setSpan(ROOT_CONTEXT, span),
      bindings: createBindings({}),
      fields: { err: new TypeError("input has NaN") },
    };
    withContext({ request_id: "r-1" }, () => {
      for (const processor of defaultProcessors()) record = processor(record!);
    });
    expect(JSON.parse(renderJson(record!))).toMatchObject({
      timestamp: "2026-01-15T14:32:01.005Z",
      level: "error",
      event: "prediction_failed",
      request_id: "r-1",
      trace_id: "0af7651916cd43dd8448eb211c80319c",
      span_id: "b7ad6b7169203331",
      trace_flags: "01",
      error: "TypeError: input has NaN",
      exception: { type: "TypeError", message: "input has NaN" },
    });
  });
});
