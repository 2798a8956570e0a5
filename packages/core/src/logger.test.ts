import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "./configure.js";
import { renderJson } from "./encode/json.js";
import { getDiagnostics } from "./internal/diagnostics.js";
import { addLogLevel } from "./processors/add-log-level.js";
import type { LogRecord, Output, Processor } from "./record.js";
import { createLogCapture } from "./testing.js";

function setup(level: "debug" | "info" = "debug") {
  const capture = createLogCapture();
  return { capture, log: createLogger({ outputs: [capture], level }) };
}

describe("Logger", () => {
  it("writes the tutorial's record: timestamp, level and event first, then the fields in call order", () => {
    const { capture, log } = setup();
    log.bind({ request_id: "abc-123", user_id: "u-42" }).info("prediction_complete", {
      prediction: 0.87,
      latency_ms: 142,
      model_version: "v2.1",
    });
    const entry = capture.entries[0]!;
    expect(Object.keys(entry)).toEqual([
      "timestamp",
      "level",
      "event",
      "request_id",
      "user_id",
      "prediction",
      "latency_ms",
      "model_version",
    ]);
    expect(entry).toMatchObject({
      level: "info",
      event: "prediction_complete",
      request_id: "abc-123",
      user_id: "u-42",
      prediction: 0.87,
      latency_ms: 142,
      model_version: "v2.1",
    });
    expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("has one method per level and writes each level's name", () => {
    const { capture, log } = setup();
    log.debug("d");
    log.info("i");
    log.warn("w");
    log.error("e");
    log.fatal("f");
    log.log("warn", "l");
    expect(capture.entries.map((e) => [e.level, e.event])).toEqual([
      ["debug", "d"],
      ["info", "i"],
      ["warn", "w"],
      ["error", "e"],
      ["fatal", "f"],
      ["warn", "l"],
    ]);
  });

  it("counts a record logged at a level that does not exist as dropped", () => {
    const { capture, log } = setup();
    const before = getDiagnostics().dropped;
    log.log("warning" as never, "structlog_name");
    expect(capture.entries).toEqual([]);
    expect(getDiagnostics().dropped - before).toBe(1);
  });

  it("checks the level before any work: processors do not run for disabled levels", () => {
    let runs = 0;
    const capture = createLogCapture();
    const log = createLogger({
      level: "warn",
      outputs: [capture],
      processors: [
        (r) => {
          runs++;
          return r;
        },
      ],
    });
    log.debug("no");
    log.info("no");
    log.warn("yes");
    expect(runs).toBe(1);
    expect(log.isLevelEnabled("info")).toBe(false);
    expect(log.isLevelEnabled("error")).toBe(true);
    expect(capture.entries.map((e) => e.event)).toEqual(["yes"]);
  });

  it("silent writes nothing", () => {
    const capture = createLogCapture();
    const log = createLogger({ level: "silent", outputs: [capture] });
    log.fatal("nothing");
    expect(capture.entries).toEqual([]);
  });

  it("bind() returns a new logger; unbind() and new() change only the new one", () => {
    const { capture, log } = setup();
    const a = log.bind({ request_id: "r", user_id: "u" });
    const b = a.unbind("user_id");
    const c = a.new({ only: 1 });
    log.info("plain");
    a.info("a");
    b.info("b");
    c.info("c");
    expect(capture.entries.map(({ request_id, user_id, only }) => ({ request_id, user_id, only }))).toEqual([
      { request_id: undefined, user_id: undefined, only: undefined },
      { request_id: "r", user_id: "u", only: undefined },
      { request_id: "r", user_id: undefined, only: undefined },
      { request_id: undefined, user_id: undefined, only: 1 },
    ]);
    expect(a.bindings).toEqual({ request_id: "r", user_id: "u" });
  });

  it("lets a call field override a bound field without writing the key twice", () => {
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture], processors: [] }).bind({ model: "a", keep: 1 });
    log.info("x", { model: "b" });
    expect(capture.entries[0]).toEqual({ event: "x", keep: 1, model: "b" });
    // Parsing hides duplicate keys: count them in the line itself.
    expect(renderJson(capture.records[0]!).match(/"model":/g)).toHaveLength(1);
  });

  it("writes the call's event even when a field named event is bound", () => {
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture], processors: [] }).bind({ event: "bound", model: "a" });
    log.info("prediction_complete");
    log.info("overridden", { model: "b" });
    expect(capture.entries).toEqual([
      { event: "prediction_complete", model: "a" },
      { event: "overridden", model: "b" },
    ]);
    for (const record of capture.records) expect(renderJson(record).match(/"event":/g)).toHaveLength(1);
  });

  it("writes the logger name once, over a field named logger, which an unnamed logger keeps", () => {
    const capture = createLogCapture();
    const named = createLogger({ name: "ml_model", outputs: [capture], processors: [] });
    named.info("called", { logger: "call" });
    named.bind({ logger: "bound" }).info("bound");
    named.bind({ logger: "bound", model: "a" }).info("both", { logger: "call", model: "b" });
    named.new({ logger: "bound" }).child("other").info("child");
    createLogger({ outputs: [capture], processors: [] })
      .bind({ logger: "bound" })
      .info("unnamed");
    expect(capture.entries).toEqual([
      { event: "called", logger: "ml_model" },
      { event: "bound", logger: "ml_model" },
      { event: "both", logger: "ml_model", model: "b" },
      { event: "child", logger: "other" },
      { event: "unnamed", logger: "bound" },
    ]);
    for (const record of capture.records) expect(renderJson(record).match(/"logger":/g)).toHaveLength(1);
  });

  it("writes the logger name and keeps it across bind() and child()", () => {
    const capture = createLogCapture();
    const log = createLogger({ name: "ml_model", outputs: [capture] });
    log.bind({ a: 1 }).info("x");
    log.child("other").info("y");
    expect(capture.entries.map((e) => e.logger)).toEqual(["ml_model", "other"]);
  });

  it("takes an Error as the fields and formats it", () => {
    const { capture, log } = setup();
    log.error("model_failed", new TypeError("input has NaN"));
    expect(capture.entries[0]).toMatchObject({
      error: "TypeError: input has NaN",
      exception: { type: "TypeError" },
    });
  });

  it("leaves out undefined fields and does not mutate the caller's object", () => {
    const { capture, log } = setup();
    const fields = { a: 1, b: undefined };
    log.info("x", fields);
    expect(fields).toEqual({ a: 1, b: undefined });
    expect("b" in capture.entries[0]!).toBe(false);
  });

  it("sends one record to every output, and an output that throws costs only itself", () => {
    const capture = createLogCapture();
    const broken: Output = {
      write() {
        throw new Error("disk on fire");
      },
      flush: async () => {},
      shutdown: async () => {},
    };
    const before = getDiagnostics();
    const log = createLogger({ outputs: [broken, capture] });
    log.info("still_written");
    expect(capture.entries.map((e) => e.event)).toEqual(["still_written"]);
    expect(getDiagnostics().outputErrors - before.outputErrors).toBe(1);
    expect(getDiagnostics().dropped - before.dropped).toBe(1);
  });

  it("writes the record when a processor throws, naming what failed", () => {
    const capture = createLogCapture();
    function explode(): never {
      throw new Error("bug");
    }
    const log = createLogger({ outputs: [capture], processors: [explode] });
    log.info("survives", { a: 1 });
    expect(capture.entries[0]).toMatchObject({
      event: "survives",
      a: 1,
      logging_error: "processor explode threw Error: bug",
    });
  });

  it("keeps the record when a processor returns nothing, naming what failed", () => {
    const capture = createLogCapture();
    const before = getDiagnostics().processorErrors;
    const forgetful = ((record: LogRecord) => {
      record.fields.added = true;
    }) as unknown as Processor;
    const log = createLogger({ outputs: [capture], processors: [forgetful, addLogLevel()] });
    expect(() => log.info("survives", { a: 1 })).not.toThrow();
    expect(capture.entries).toEqual([
      {
        event: "survives",
        a: 1,
        added: true,
        logging_error: "processor forgetful returned undefined; a processor returns a record or null",
        level: "info",
      },
    ]);
    expect(getDiagnostics().processorErrors - before).toBe(1);
  });

  it("drops a record when a processor returns null", () => {
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture], processors: [(r) => (r.event === "drop" ? null : r)] });
    log.info("drop");
    log.info("keep");
    expect(capture.entries.map((e) => e.event)).toEqual(["keep"]);
  });

  it("accepts odd arguments without throwing", () => {
    const { capture, log } = setup();
    log.info(42 as unknown as string, "text" as unknown as Record<string, unknown>);
    log.info("nulls", null as unknown as Record<string, unknown>);
    expect(capture.entries.map((e) => [e.event, e.value])).toEqual([
      ["42", "text"],
      ["nulls", undefined],
    ]);
  });

  it("never throws with a revoked Proxy as the fields, and says why the fields are missing", () => {
    const { capture, log } = setup();
    const { proxy, revoke } = Proxy.revocable({ a: 1 }, {});
    revoke();
    expect(() => log.info("x", proxy as never)).not.toThrow();
    expect(capture.entries[0]).toMatchObject({ event: "x" });
    expect(String(capture.entries[0]!.logging_error)).toContain("fields could not be read");
  });

  it("never throws on log(level) with a level that cannot become a string, counting the record as dropped", () => {
    const { capture, log } = setup();
    const before = getDiagnostics().dropped;
    const throwing = {
      toString() {
        throw new Error("no string");
      },
    };
    expect(() => log.log(Object.create(null) as never, "x")).not.toThrow();
    expect(() => log.log(throwing as never, "x")).not.toThrow();
    expect(() => log.isLevelEnabled(throwing as never)).not.toThrow();
    expect(capture.entries).toHaveLength(0);
    expect(getDiagnostics().dropped - before).toBe(2);
  });

  it("cuts a top-level key longer than maxStringLength, as it cuts a nested one", () => {
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture], limits: { maxStringLength: 100 } });
    const key = "k".repeat(5000);
    log.info("wide", { [key]: 1, nested: { [key]: 2 } });
    const [entry] = capture.entries as [Record<string, unknown>];
    const top = Object.keys(entry).find((k) => k.startsWith("kkk"))!;
    const inner = Object.keys(entry.nested as object)[0]!;
    expect(top.length).toBeLessThanOrEqual(100);
    expect(top).toBe(inner);
  });

  it("repairs a record a processor broke in place, as one it broke in a copy", () => {
    const capture = createLogCapture();
    const breaks: Processor = (r) => {
      (r as { event: unknown }).event = null;
      return r;
    };
    const log = createLogger({ outputs: [capture], processors: [breaks] });
    log.info("kept", { n: 1 });
    expect(capture.entries).toHaveLength(1);
    expect(capture.entries[0]).toMatchObject({ event: "kept", n: 1 });
    expect(capture.entries[0]!.logging_error).toMatch(/processor breaks returned/);
  });

  it("skips a processor that returns something that is not a record, counting it; the chain goes on", () => {
    const returnsFields: Processor = (record) => record.fields as never;
    const returnsEmpty: Processor = () => ({}) as never;
    const nullFields: Processor = (record) => ({ ...record, fields: null }) as never;
    const freezes: Processor = (record) => {
      Object.freeze(record.fields);
      return record;
    };
    const deletes: Processor = (record) => {
      delete (record as { fields?: unknown }).fields;
      return record;
    };
    const after: Processor = (record) => {
      record.fields.after = true;
      return record;
    };
    for (const broken of [returnsFields, returnsEmpty, nullFields, freezes, deletes]) {
      const capture = createLogCapture();
      const log = createLogger({ outputs: [capture], processors: [addLogLevel(), broken, after] });
      const before = getDiagnostics();
      expect(() => log.info("x", { kept: 1 })).not.toThrow();
      const diagnostics = getDiagnostics();
      expect(capture.entries).toHaveLength(1);
      expect(capture.entries[0]).toMatchObject({ event: "x", level: "info" });
      expect(diagnostics.outputErrors).toBe(before.outputErrors);
      expect(diagnostics.processorErrors - before.processorErrors).toBeGreaterThanOrEqual(1);
      // The last one, after the broken one, still ran (on a copy when the fields were frozen).
      expect(capture.entries[0]!.logging_error ?? capture.entries[0]!.after).toBeDefined();
    }
  });

  it("writes no key twice: an Error's own type and message, Map keys that stringify alike", () => {
    const { log } = setup();
    const lines: string[] = [];
    const output: Output = {
      write: (r) => void lines.push(renderJson(r)),
      flush: async () => {},
      shutdown: async () => {},
    };
    const logger = createLogger({ outputs: [output] });
    const error = Object.assign(new Error("m"), { type: "own", message: "own message" });
    logger.info("x", {
      failure: error,
      map: new Map<unknown, unknown>([
        [1, "a"],
        ["1", "b"],
      ]),
    });
    void log;
    const failure = lines[0]!.slice(lines[0]!.indexOf('"failure"'));
    expect(failure.match(/"type"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!).map).toEqual({ "1": "a", "1 [duplicate 2]": "b" });
  });

  it("bounds an object with a million keys by maxKeys", () => {
    const { capture, log } = setup();
    const wide: Record<string, number> = {};
    for (let i = 0; i < 1_000_000; i++) wide[`k${i}`] = i;
    log.info("x", { wide });
    const written = capture.entries[0]!.wide as Record<string, unknown>;
    expect(Object.keys(written)).toHaveLength(1_001);
    expect(written["..."]).toBe("[999000 more keys]");
  });

  it("counts truncation in getDiagnostics(), once per marker written", () => {
    const { capture, log } = setup();
    const before = getDiagnostics().truncated;
    log.info("x", { long: "a".repeat(200_000), list: Array.from({ length: 1_500 }, (_, i) => i) });
    const line = JSON.stringify(capture.entries[0]);
    expect(line).toContain("...[truncated ");
    expect(line).toContain("[500 more items]");
    expect(getDiagnostics().truncated - before).toBe(2);
  });

  it("flush() and shutdown() reach every output", async () => {
    const calls: string[] = [];
    const output = (name: string): Output => ({
      write() {},
      flush: async () => void calls.push(`${name}.flush`),
      shutdown: async () => void calls.push(`${name}.shutdown`),
    });
    const log = createLogger({ outputs: [output("a"), output("b")] });
    await log.flush();
    await log.shutdown();
    expect(calls).toEqual(["a.flush", "b.flush", "a.shutdown", "b.shutdown"]);
  });

  it("never throws and always writes one parsable line, whatever the fields (property)", () => {
    const { capture, log } = setup();
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(
          fc.string(),
          fc.anything({
            withBigInt: true,
            withMap: true,
            withSet: true,
            withDate: true,
            withTypedArray: true,
            withNullPrototype: true,
          }),
        ),
        (event, fields) => {
          capture.clear();
          log.info(event, fields);
          expect(capture.entries).toHaveLength(1);
          expect(capture.entries[0]!.event).toBe(event);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it("never throws on hostile values: cycles, throwing getters and toJSON, Proxies, huge strings", () => {
    const { capture, log } = setup();
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const hostile = {
      cyclic,
      get getter() {
        throw new Error("getter");
      },
      json: {
        toJSON() {
          throw new Error("toJSON");
        },
      },
      proxy: new Proxy(
        {},
        {
          get: () => {
            throw new Error("get trap");
          },
          ownKeys: () => ["x"],
          getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }),
        },
      ),
      huge: "x".repeat(1_000_000),
      deep: JSON.parse(`${"[".repeat(500)}${"]".repeat(500)}`),
      big: 1n,
      nan: Number.NaN,
    };
    expect(() => log.info("hostile", hostile)).not.toThrow();
    expect(() =>
      log.info(
        "proxy_fields",
        new Proxy(
          {},
          {
            ownKeys: () => {
              throw new Error("keys");
            },
          },
        ),
      ),
    ).not.toThrow();
    expect(() => log.info(Object.create(null))).not.toThrow();
    expect(() =>
      log.info({
        toString() {
          throw new Error("no string");
        },
      } as never),
    ).not.toThrow();
    const [first, second] = capture.entries;
    expect(first).toMatchObject({ cyclic: { self: "[Circular]" }, big: "1", nan: "NaN" });
    expect((first!.huge as string).length).toBeLessThan(200_000);
    expect(second).toMatchObject({
      event: "proxy_fields",
      logging_error: "fields could not be read: Error: keys",
    });
    expect(capture.entries.slice(2).map((e) => e.event)).toEqual([
      "[Unprintable event: TypeError: Cannot convert object to primitive value]",
      "[Unprintable event: Error: no string]",
    ]);
  });
});

describe("Logger inside a span", () => {
  const manager = new AsyncLocalStorageContextManager();
  beforeAll(() => {
    context.setGlobalContextManager(manager.enable());
  });
  afterAll(() => {
    context.disable();
  });

  it("adds the active span's trace_id, span_id and trace_flags", () => {
    const { capture, log } = setup();
    const tracer = new BasicTracerProvider().getTracer("test");
    const span = tracer.startSpan("predict");
    context.with(trace.setSpan(context.active(), span), () => log.info("inside"));
    log.info("outside");
    const { traceId, spanId } = span.spanContext();
    expect(capture.entries[0]).toMatchObject({ trace_id: traceId, span_id: spanId, trace_flags: "01" });
    expect(capture.entries[1]!.trace_id).toBeUndefined();
  });
});
