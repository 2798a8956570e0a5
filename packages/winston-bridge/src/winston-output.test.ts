import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { createLogger, defaultProcessors, getDiagnostics, type Processor, withContext } from "@mlobs/core";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { correlate } from "./correlate.js";
import { instrument } from "./instrument.js";
import { OpenTelemetryTransport } from "./open-telemetry-transport.js";
import { captureConsole, inSpan, memoryLogs } from "./test-setup.js";
import { winstonLevelFor, winstonOutput } from "./winston-output.js";

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

function tempFile(): string {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-winston-output-"));
  return path.join(dir, "predictions.log");
}

function readJsonLines(file: string): Record<string, unknown>[] {
  return fs
    .readFileSync(file, "utf8")
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe("winstonLevelFor()", () => {
  it("keeps mlobs's level names where winston has them and maps by severity elsewhere", () => {
    const { npm, syslog, cli } = winston.config;
    const levels = ["debug", "info", "warn", "error", "fatal"] as const;
    expect(levels.map((level) => winstonLevelFor(level, npm.levels))).toEqual([
      "debug",
      "info",
      "warn",
      "error",
      "error",
    ]);
    expect(levels.map((level) => winstonLevelFor(level, syslog.levels))).toEqual([
      "debug",
      "info",
      "warning",
      "error",
      "crit",
    ]);
    expect(levels.map((level) => winstonLevelFor(level, cli.levels))).toEqual([
      "debug",
      "info",
      "warn",
      "error",
      "error",
    ]);
  });
});

describe("winstonOutput()", () => {
  it("writes mlobs records to winston's Console and File at once: event as message, fields intact", async () => {
    const file = tempFile();
    const captured = captureConsole();
    const winstonLogger = winston.createLogger({
      level: "debug",
      format: winston.format.json(),
      transports: [new winston.transports.Console(), new winston.transports.File({ filename: file })],
    });
    const log = createLogger({ name: "ml_model", outputs: [winstonOutput(winstonLogger)] }).bind({
      model_version: "churn-v3",
    });
    try {
      log.info("service_started", { port: 8080 });
      log.warn("high_latency_detected", { latency_ms: 850, threshold_ms: 500, tags: new Set(["p99"]) });
      await log.shutdown();
    } finally {
      captured.restore();
    }
    const expected = [
      {
        level: "info",
        message: "service_started",
        event: "service_started",
        logger: "ml_model",
        model_version: "churn-v3",
        port: 8080,
      },
      {
        level: "warn",
        message: "high_latency_detected",
        event: "high_latency_detected",
        logger: "ml_model",
        model_version: "churn-v3",
        latency_ms: 850,
        threshold_ms: 500,
        tags: ["p99"],
      },
    ];
    for (const entries of [captured.parsed(), readJsonLines(file)]) {
      expect(entries).toHaveLength(2);
      entries.forEach((entry, i) => {
        expect(entry).toMatchObject(expected[i]!);
        expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      });
    }
  });

  it("maps levels onto the logger's level set (syslog)", async () => {
    const file = tempFile();
    const winstonLogger = winston.createLogger({
      levels: winston.config.syslog.levels,
      level: "debug",
      transports: [new winston.transports.File({ filename: file })],
    });
    const log = createLogger({ level: "debug", outputs: [winstonOutput(winstonLogger)] });
    for (const level of ["debug", "info", "warn", "error", "fatal"] as const) log.log(level, `at_${level}`);
    await log.shutdown();
    expect(readJsonLines(file).map((entry) => entry.level)).toEqual([
      "debug",
      "info",
      "warning",
      "error",
      "crit",
    ]);
  });

  it("shutdown() ends the winston logger and waits for 'finish': nothing lost", async () => {
    const file = tempFile();
    const winstonLogger = winston.createLogger({
      transports: [new winston.transports.File({ filename: file })],
    });
    const log = createLogger({ outputs: [winstonOutput(winstonLogger)] });
    for (let i = 0; i < 3000; i++) log.info("record", { i });
    await log.shutdown();
    expect(readJsonLines(file).map((entry) => entry.i)).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it("flush() resolves once winston's transports have written what they were given", async () => {
    const file = tempFile();
    const winstonLogger = winston.createLogger({
      transports: [new winston.transports.File({ filename: file })],
    });
    const log = createLogger({ outputs: [winstonOutput(winstonLogger)] });
    for (let i = 0; i < 500; i++) log.info("record", { i });
    await log.flush();
    expect(readJsonLines(file)).toHaveLength(500);
    await log.shutdown();
  });

  it("counts records written after shutdown as dropped, without throwing", async () => {
    const winstonLogger = winston.createLogger({
      transports: [new winston.transports.Console({ silent: true })],
    });
    const log = createLogger({ outputs: [winstonOutput(winstonLogger)] });
    await log.shutdown();
    const before = getDiagnostics().dropped;
    expect(() => log.info("too_late")).not.toThrow();
    expect(getDiagnostics().dropped).toBe(before + 1);
  });

  it("hands bad values to winston already safe: circular, BigInt, throwing getters", async () => {
    const file = tempFile();
    const winstonLogger = winston.createLogger({
      transports: [new winston.transports.File({ filename: file })],
    });
    const log = createLogger({ outputs: [winstonOutput(winstonLogger)] });
    const circular: Record<string, unknown> = { name: "loop" };
    circular.self = circular;
    const getter = {
      get boom(): string {
        throw new Error("no");
      },
    };
    expect(() => log.info("bad_values", { circular, big: 2n ** 70n, getter })).not.toThrow();
    await log.shutdown();
    expect(readJsonLines(file)[0]).toMatchObject({
      circular: { name: "loop", self: "[Circular]" },
      big: "1180591620717411303424",
      getter: { boom: "[Unserializable: Error: no]" },
    });
  });

  it("carries the call's trace context to OpenTelemetryTransport, and does not re-add redacted context fields", async () => {
    const otel = memoryLogs();
    const file = tempFile();
    const winstonLogger = instrument(
      winston.createLogger({
        format: winston.format.combine(correlate(), winston.format.json()),
        transports: [
          new winston.transports.File({ filename: file }),
          new OpenTelemetryTransport({ loggerProvider: otel.provider }),
        ],
      }),
    );
    const dropEmail: Processor = (record) => {
      delete record.fields.user_email;
      return record;
    };
    const log = createLogger({
      processors: [...defaultProcessors(), dropEmail],
      outputs: [winstonOutput(winstonLogger)],
    });
    winstonLogger.cork();
    const { traceId } = await inSpan("predict", () =>
      withContext({ request_id: "r-1", user_email: "a@example.com" }, () =>
        log.info("prediction_complete", { prediction: 0.87 }),
      ),
    );
    winstonLogger.uncork();
    await log.shutdown();
    const [line] = readJsonLines(file);
    expect(line).toMatchObject({ message: "prediction_complete", request_id: "r-1", trace_id: traceId });
    expect(line).not.toHaveProperty("user_email");
    const [record] = otel.records();
    expect(record?.spanContext?.traceId).toBe(traceId);
    expect(record?.eventName).toBe("prediction_complete");
    expect(record?.attributes).toMatchObject({ request_id: "r-1", prediction: 0.87 });
    expect(record?.attributes).not.toHaveProperty("user_email");
    expect(record?.attributes).not.toHaveProperty("trace_id");
  });

  it("rejects what is not a winston logger, naming what it expects", () => {
    expect(() => winstonOutput({} as never)).toThrow(/expected a winston logger/);
  });
});
