import { once } from "node:events";
import { getDiagnostics, withContext } from "@mlobs/core";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { describe, expect, it, vi } from "vitest";
import winston from "winston";
import { OpenTelemetryTransport } from "./open-telemetry-transport.js";
import { endLogger, inSpan, memoryLogs } from "./test-setup.js";

const { format } = winston;

function setup(options: winston.LoggerOptions = {}, transportOptions = {}) {
  const logs = memoryLogs();
  const transport = new OpenTelemetryTransport({ loggerProvider: logs.provider, ...transportOptions });
  // A pass-through logger format: winston's default json() itself throws on getters that throw.
  const logger = winston.createLogger({
    level: "silly",
    format: format((info) => info)(),
    ...options,
    transports: [transport],
  });
  return { ...logs, transport, logger };
}

async function settle(logger: winston.Logger): Promise<void> {
  await endLogger(logger);
}

describe("OpenTelemetryTransport: record mapping", () => {
  it("sends message as body, the level as severity, meta as attributes", async () => {
    const { logger, records } = setup();
    logger.info("prediction_complete", {
      prediction: 0.87,
      latency_ms: 142,
      model: { name: "churn", version: 3 },
    });
    await settle(logger);
    const [record] = records();
    expect(record?.body).toBe("prediction_complete");
    expect(record?.severityNumber).toBe(SeverityNumber.INFO);
    expect(record?.severityText).toBe("info");
    expect(record?.attributes).toEqual({
      prediction: 0.87,
      latency_ms: 142,
      model: { name: "churn", version: 3 },
    });
    expect(record?.instrumentationScope.name).toBe("@mlobs/winston-bridge");
  });

  it("reads the level from the LEVEL symbol, not the colorized string", async () => {
    const { logger, records } = setup({
      levels: winston.config.syslog.levels,
      level: "debug",
      format: format.colorize({ all: true }),
    });
    logger.log("warning", "disk almost full");
    logger.log("notice", "rotated");
    await settle(logger);
    expect(records().map((r) => [r.severityText, r.severityNumber])).toEqual([
      ["warning", SeverityNumber.WARN],
      ["notice", SeverityNumber.INFO2],
    ]);
  });

  it("strips colorize()'s ANSI codes from a level given only as info.level", async () => {
    const { transport, records } = setup();
    transport.log({ level: "\u001b[33mwarn\u001b[39m", message: "direct, no LEVEL symbol" });
    expect(records().map((r) => [r.severityText, r.severityNumber])).toEqual([["warn", SeverityNumber.WARN]]);
  });

  it("uses the severityMapping option for custom levels", async () => {
    const { logger, records } = setup(
      { levels: { alarm: 0, audit: 1, info: 2 }, level: "info" },
      { severityMapping: { alarm: SeverityNumber.FATAL2 } },
    );
    logger.log("alarm", "a");
    logger.log("audit", "b");
    logger.log("info", "c");
    await settle(logger);
    expect(records().map((r) => r.severityNumber)).toEqual([
      SeverityNumber.FATAL2,
      SeverityNumber.FATAL2,
      SeverityNumber.INFO,
    ]);
  });

  it("turns an Error logged as the message into exception attributes", async () => {
    const { logger, records } = setup();
    const error = new TypeError("bad input");
    logger.error(error);
    await settle(logger);
    const [record] = records();
    expect(record?.body).toBe("bad input");
    expect(record?.severityNumber).toBe(SeverityNumber.ERROR);
    expect(record?.attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.message": "bad input",
      "exception.stacktrace": error.stack,
    });
  });

  it("takes the Error from err or error in the meta, with its cause, and leaves the key out", async () => {
    const { logger, records } = setup();
    const cause = new RangeError("feature out of range");
    logger.error("prediction_failed", { err: new Error("model failed", { cause }), latency_ms: 3 });
    logger.warn("retrying", { error: new SyntaxError("bad json") });
    await settle(logger);
    const [first, second] = records();
    expect(first?.attributes).toMatchObject({
      latency_ms: 3,
      "exception.type": "Error",
      "exception.message": "model failed",
      "exception.stacktrace": expect.stringContaining("Caused by: RangeError: feature out of range"),
    });
    expect(first?.attributes).not.toHaveProperty("err");
    expect(second?.attributes).toMatchObject({
      "exception.type": "SyntaxError",
      "exception.message": "bad json",
    });
    expect(second?.attributes).not.toHaveProperty("error");
  });

  it("takes the Error from the splat arguments, keeping its type", async () => {
    const { logger, records } = setup();
    const error = new TypeError("boom");
    logger.error("request failed", error);
    await settle(logger);
    const [record] = records();
    expect(record?.attributes).toMatchObject({
      "exception.type": "TypeError",
      "exception.stacktrace": error.stack,
    });
    expect(record?.attributes).not.toHaveProperty("stack");
  });

  it("reads the stack format.errors() leaves on the record", async () => {
    const { logger, records } = setup({ format: format.errors({ stack: true }) });
    const error = new RangeError("too big");
    logger.error(error);
    await settle(logger);
    const [record] = records();
    expect(record?.attributes).toMatchObject({
      "exception.type": "RangeError",
      "exception.message": "too big",
      "exception.stacktrace": error.stack,
    });
    expect(record?.attributes).not.toHaveProperty("stack");
  });

  it("takes an Error given as message in a record object", async () => {
    const { logger, records } = setup();
    logger.log({ level: "error", message: new Error("as message") as unknown as string });
    await settle(logger);
    expect(records()[0]?.body).toBe("as message");
    expect(records()[0]?.attributes["exception.message"]).toBe("as message");
  });

  it("adds plain objects among the splat arguments as attributes, without overriding", async () => {
    const { logger, records } = setup();
    logger.info("two metas", { a: 1, shared: "first" }, { b: 2, shared: "second" });
    logger.info("tokens %s and %d", "x", 5, { c: 3 });
    await settle(logger);
    expect(records()[0]?.attributes).toEqual({ a: 1, b: 2, shared: "first" });
    expect(records()[1]?.attributes).toEqual({ c: 3 });
  });

  it("promotes a string event field to eventName", async () => {
    const { logger, records } = setup();
    logger.info("model loaded", { event: "model_loaded", model: "churn-v3" });
    await settle(logger);
    expect(records()[0]?.eventName).toBe("model_loaded");
    expect(records()[0]?.attributes).toEqual({ model: "churn-v3" });
  });

  it("never throws on circular meta, BigInt, Symbols, functions or throwing getters", async () => {
    const { logger, records, transport } = setup();
    const warnings: unknown[] = [];
    transport.on("warn", (error) => warnings.push(error));
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const nested = {
      get secret(): string {
        throw new Error("no access");
      },
    };
    expect(() =>
      logger.info("bad meta", {
        circular,
        big: 10n ** 30n,
        sym: Symbol("s"),
        fn: function predict() {},
        nested,
        nan: Number.NaN,
        when: new Date(0),
        tags: new Set(["a"]),
        byKey: new Map([["k", 1]]),
      }),
    ).not.toThrow();
    await settle(logger);
    expect(warnings).toEqual([]);
    expect(records()[0]?.attributes).toEqual({
      circular: { name: "loop", self: "[Circular]" },
      big: "1000000000000000000000000000000",
      sym: "Symbol(s)",
      fn: "[Function: predict]",
      nested: { secret: "[Unserializable: Error: no access]" },
      nan: "NaN",
      when: "1970-01-01T00:00:00.000Z",
      tags: ["a"],
      byKey: { k: 1 },
    });
  });

  it("keeps trace ids out of the attributes: the record's context carries them", async () => {
    const { logger, records } = setup({
      format: format((info) => Object.assign(info, { trace_id: "x", span_id: "y" }))(),
    });
    const { traceId } = await inSpan("request", () => logger.info("inside"));
    await settle(logger);
    expect(records()[0]?.spanContext?.traceId).toBe(traceId);
    expect(records()[0]?.attributes).toEqual({});
  });

  it("adds the fields bound with withContext(), the call's meta winning", async () => {
    const { logger, records } = setup();
    withContext({ request_id: "r-1", user_id: "u-1" }, () => logger.info("bound", { user_id: "u-2" }));
    await settle(logger);
    expect(records()[0]?.attributes).toEqual({ request_id: "r-1", user_id: "u-2" });
  });

  it("stamps the time of the call, not of the export", async () => {
    const { logger, records } = setup();
    logger.cork();
    const before = Date.now();
    logger.info("timed");
    const after = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 40));
    logger.uncork();
    await settle(logger);
    const [seconds, nanos] = records()[0]!.hrTime;
    const ms = seconds * 1000 + nanos / 1e6;
    expect(ms).toBeGreaterThanOrEqual(before);
    expect(ms).toBeLessThanOrEqual(after);
  });
});

describe("OpenTelemetryTransport: winston's transport contract", () => {
  it("calls the log callback and emits 'logged' for each record", async () => {
    const { transport } = setup();
    const logged: unknown[] = [];
    transport.on("logged", (info) => logged.push(info));
    let called = 0;
    transport.log({ level: "info", message: "direct", [Symbol.for("level")]: "info" }, () => called++);
    expect(called).toBe(1);
    expect(logged).toHaveLength(1);
  });

  it("honours the transport's level and silent options", async () => {
    const logs = memoryLogs();
    const warnOnly = new OpenTelemetryTransport({ loggerProvider: logs.provider, level: "warn" });
    const silent = new OpenTelemetryTransport({ loggerProvider: logs.provider, silent: true });
    const logger = winston.createLogger({ level: "debug", transports: [warnOnly, silent] });
    logger.info("dropped by level");
    logger.warn("kept");
    logger.error("kept too");
    await endLogger(logger);
    expect(logs.records().map((r) => r.body)).toEqual(["kept", "kept too"]);
  });

  it("applies its own format, and a format returning false drops the record", async () => {
    const onlyImportant = format((info) => (info.important ? { ...info, tagged: true } : false));
    const { logger, records } = setup({}, { format: onlyImportant() });
    logger.info("skip");
    logger.info("keep", { important: true });
    await settle(logger);
    expect(records().map((r) => [r.body, r.attributes.tagged])).toEqual([["keep", true]]);
  });

  it("reports an error inside the transport as a 'warn' event and never throws", async () => {
    const broken = {
      getLogger: () => ({
        emit: () => {
          throw new Error("exporter exploded");
        },
        enabled: () => true,
      }),
    };
    const transport = new OpenTelemetryTransport({ loggerProvider: broken });
    const logger = winston.createLogger({ transports: [transport] });
    const warnings: unknown[] = [];
    logger.on("warn", (error) => warnings.push(error));
    const before = getDiagnostics();
    expect(() => logger.info("lost")).not.toThrow();
    await endLogger(logger);
    expect(warnings).toHaveLength(1);
    expect(String(warnings[0])).toContain("exporter exploded");
    // The lost record is counted with mlobs's other losses.
    expect(getDiagnostics().dropped - before.dropped).toBe(1);
    expect(getDiagnostics().outputErrors - before.outputErrors).toBe(1);
  });

  it("flushes the LoggerProvider before 'finish' on logger.end(): nothing is lost", async () => {
    const logs = memoryLogs("batch");
    const logger = winston.createLogger({
      transports: [new OpenTelemetryTransport({ loggerProvider: logs.provider })],
    });
    for (let i = 0; i < 5000; i++) logger.info("record", { i });
    expect(logs.records()).toHaveLength(0);
    await endLogger(logger);
    expect(logs.records().map((r) => r.attributes.i)).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });

  it("flushes on close() when removed from the logger", async () => {
    const logs = memoryLogs("batch");
    const transport = new OpenTelemetryTransport({ loggerProvider: logs.provider });
    const logger = winston.createLogger({ transports: [transport] });
    logger.info("before close");
    await new Promise((resolve) => setImmediate(resolve));
    logger.close();
    // The batch processor would export on its own only after 60 s: close() must flush it.
    await vi.waitFor(() => expect(logs.records().map((r) => r.body)).toEqual(["before close"]), 5_000);
  });

  it("with handleExceptions, sends an uncaught exception and emits 'finish' once flushed", async () => {
    const logs = memoryLogs("batch");
    const transport = new OpenTelemetryTransport({ loggerProvider: logs.provider, handleExceptions: true });
    const logger = winston.createLogger({ exitOnError: false, transports: [transport] });
    const finished = once(transport, "finish");
    const error = new Error("uncaught in handler");
    (logger.exceptions as unknown as { _uncaughtException(error: Error): void })._uncaughtException(error);
    await finished;
    logger.exceptions.unhandle();
    const [record] = logs.records();
    expect(record?.severityNumber).toBe(SeverityNumber.ERROR);
    expect(record?.attributes).toMatchObject({
      exception: true,
      "exception.type": "Error",
      "exception.message": "uncaught in handler",
      "exception.stacktrace": error.stack,
    });
  });

  it("without handleExceptions, leaves uncaught exceptions to other transports", async () => {
    const logs = memoryLogs();
    const other = new winston.transports.Stream({
      stream: new (await import("node:stream")).PassThrough(),
      handleExceptions: true,
    });
    const transport = new OpenTelemetryTransport({ loggerProvider: logs.provider });
    const logger = winston.createLogger({ exitOnError: false, transports: [transport, other] });
    (logger.exceptions as unknown as { _uncaughtException(error: Error): void })._uncaughtException(
      new Error("x"),
    );
    await new Promise((resolve) => setImmediate(resolve));
    logger.exceptions.unhandle();
    expect(logs.records()).toHaveLength(0);
  });

  it("with handleRejections, sends an unhandled rejection", async () => {
    const logs = memoryLogs();
    const transport = new OpenTelemetryTransport({ loggerProvider: logs.provider, handleRejections: true });
    const logger = winston.createLogger({ exitOnError: false, transports: [transport] });
    const finished = once(transport, "finish");
    (logger.rejections as unknown as { _unhandledRejection(error: Error): void })._unhandledRejection(
      new Error("rejected"),
    );
    await finished;
    logger.rejections.unhandle();
    expect(logs.records()[0]?.attributes).toMatchObject({ rejection: true, "exception.message": "rejected" });
  });
});
