import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { hrTimeToMilliseconds } from "@opentelemetry/core";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { describe, expect, it } from "vitest";
import { createTestTelemetry } from "../../test/telemetry.js";
import { createLogger } from "../configure.js";
import { instrumentPredict } from "../ml/instrument-predict.js";
import { fileOutput } from "../outputs/file.js";
import { otelOutput } from "../outputs/otel.js";
import type { Fields } from "../record.js";
import { bindContext, scoped, withContext } from "../scope.js";
import { createLogCapture } from "../testing.js";
import { bufferedBytes } from "./debug-buffer.js";

function setup(buffer: Record<string, unknown> = {}, level: "info" | "debug" | "warn" = "info") {
  const capture = createLogCapture();
  const log = createLogger({ level, outputs: [capture], buffer });
  return { capture, log };
}

const events = (entries: Fields[]) => entries.map((e) => e.event);

describe("logger option buffer", () => {
  it("writes held records under the logger's own limits when flushBuffer() is called", async () => {
    const capture = createLogCapture();
    const log = createLogger({
      outputs: [capture],
      buffer: { maxBytes: 1_000_000 },
      limits: { maxStringLength: 200_000 },
    });
    const big = "x".repeat(150_000);
    await scoped(async () => {
      log.debug("held", { big });
      log.info("direct", { big });
      log.flushBuffer();
    })();
    expect(capture.entries.map((e) => [e.event, (e.big as string).length])).toEqual([
      ["direct", 150_000],
      ["held", 150_000],
    ]);
  });

  it("holds nothing for a scope that has ended (a timer it left behind)", async () => {
    const { log } = setup();
    let later: (() => void) | undefined;
    await scoped(async () => {
      later = () => log.debug("after_the_end", { n: 1 });
    })();
    const before = bufferedBytes();
    later!();
    expect(bufferedBytes()).toBe(before);
  });

  it("holds a scope's debug records below the logger's level and writes them before its first error, keeping their timestamps", async () => {
    const { capture, log } = setup();
    await scoped(async () => {
      log.debug("loading_features", { step: 1 });
      await sleep(5);
      log.info("request_started");
      log.debug("features_loaded", { step: 2 });
      expect(events(capture.entries)).toEqual(["request_started"]);
      log.error("model_failed");
      log.debug("after_the_flush");
    })();
    expect(events(capture.entries)).toEqual([
      "request_started",
      "loading_features",
      "features_loaded",
      "model_failed",
    ]);
    const [started, loading, loaded, failed] = capture.entries as [Fields, Fields, Fields, Fields];
    expect(loading).toMatchObject({ level: "debug", step: 1 });
    expect(loaded).toMatchObject({ level: "debug", step: 2 });
    expect(Date.parse(loading.timestamp as string)).toBeLessThan(Date.parse(started.timestamp as string));
    expect(Date.parse(loaded.timestamp as string)).toBeLessThanOrEqual(
      Date.parse(failed.timestamp as string),
    );
  });

  it("discards what a scope held when it ends without a trigger, and holds nothing outside a scope", async () => {
    const { capture, log } = setup();
    await scoped(async () => {
      log.debug("detail");
      log.info("done");
    })();
    log.debug("outside_a_scope");
    log.error("outside_error");
    expect(events(capture.entries)).toEqual(["done", "outside_error"]);
    expect(bufferedBytes()).toBe(0);
  });

  it("flushes on low_confidence_prediction from instrumentPredict, with the model's own debug lines", async () => {
    const { capture, log } = setup();
    const { tracer, meter } = createTestTelemetry();
    const predict = instrumentPredict(
      async (x: { p: number }) => {
        log.debug("model_input", { p: x.p });
        return x.p;
      },
      { modelName: "churn", logger: log, tracer, meter, threshold: 0.65 },
    );
    const handle = scoped(async (p: number) => {
      bindContext({ request_id: `req-${p}` });
      log.debug("handler_start");
      await predict({ p });
    });
    await handle(0.6); // confidence 0.6 < 0.65: low
    await handle(0.9);
    expect(capture.entries.map((e) => [e.request_id, e.event])).toEqual([
      ["req-0.6", "request_received"],
      ["req-0.6", "handler_start"],
      ["req-0.6", "model_input"],
      ["req-0.6", "low_confidence_prediction"],
      ["req-0.9", "request_received"],
      ["req-0.9", "prediction_complete"],
    ]);
  });

  it("flushes on a flushOn(record) predicate and on logger.flushBuffer()", async () => {
    const { capture, log } = setup({ flushOn: (r: { fields: Fields }) => r.fields.status === 503 });
    await scoped(async () => {
      log.debug("a");
      log.info("upstream", { status: 503 });
      log.debug("b");
      log.flushBuffer();
      log.debug("c");
    })();
    expect(events(capture.entries)).toEqual(["a", "upstream", "b"]);
  });

  it("holds records up to buffer.level, also at the logger's own level, and writes the rest at once", async () => {
    const { capture, log } = setup({ level: "info" }, "debug");
    await scoped(async () => {
      log.debug("d");
      log.info("i");
      log.warn("w");
    })();
    expect(events(capture.entries)).toEqual(["w"]);
  });

  it("evicts the oldest records past maxBytes and announces them with one buffer_evicted when it flushes", async () => {
    const { capture, log } = setup({ maxBytes: 1_000 });
    await scoped(async () => {
      for (let i = 0; i < 50; i++) log.debug("step", { i, padding: "x".repeat(40) });
      log.error("failed");
    })();
    const evicted = capture.entries.filter((e) => e.event === "buffer_evicted");
    expect(evicted).toHaveLength(1);
    const kept = capture.entries.filter((e) => e.event === "step");
    expect(kept.length).toBeGreaterThan(0);
    expect(evicted[0]?.evicted_count).toBe(50 - kept.length);
    expect(kept.map((e) => e.i)).toEqual(Array.from({ length: kept.length }, (_, k) => 50 - kept.length + k));
    const bytes = kept.reduce((n, e) => n + Buffer.byteLength(`${JSON.stringify(e)}\n`), 0);
    expect(bytes).toBeLessThanOrEqual(1_000);
    expect(events(capture.entries)[0]).toBe("buffer_evicted");
    expect(events(capture.entries).at(-1)).toBe("failed");
  });

  it("keeps one buffer per request, shared by the nested withContext() scopes of a prediction", async () => {
    const { capture, log } = setup();
    await scoped(async () => {
      log.debug("outer");
      await withContext({ step: "inner" }, async () => log.debug("inner"));
      log.error("failed");
    })();
    expect(events(capture.entries)).toEqual(["outer", "inner", "failed"]);
    expect(capture.entries[1]).toMatchObject({ step: "inner" });
  });

  it("changes nothing without the option: debug below the level is dropped, no scope needed", async () => {
    const capture = createLogCapture();
    const log = createLogger({ level: "info", outputs: [capture] });
    await scoped(async () => {
      log.debug("d");
      log.error("e");
    })();
    expect(events(capture.entries)).toEqual(["e"]);
  });

  it("1,000 concurrent requests: exactly the triggering requests' debug lines appear, in order, each with its own fields; memory stays within maxBytes per live scope", async () => {
    const maxBytes = 2_048;
    const { capture, log } = setup({ maxBytes });
    const { tracer, meter } = createTestTelemetry();
    const predict = instrumentPredict(
      async (x: { p: number; fail: boolean }) => {
        log.debug("model_step", { p: x.p });
        await sleep(x.p * 10);
        if (x.fail) throw new Error("model crashed");
        return x.p;
      },
      { modelName: "churn", logger: log, tracer, meter, threshold: 0.65 },
    );
    let live = 0;
    let worst = 0;
    const handle = scoped(async (i: number) => {
      bindContext({ request_id: i });
      for (let step = 0; step < 3; step++) {
        log.debug("handler_step", { step, note: "x".repeat(200) });
        worst = Math.max(worst, bufferedBytes() / live);
        await sleep(i % 5);
      }
      // Every 7th is a low-confidence prediction, every 11th fails; the rest are confident.
      const p = i % 7 === 0 ? 0.6 : 0.9;
      await predict({ p, fail: i % 11 === 0 }).catch(() => undefined);
      log.debug("after_prediction");
    });
    const requests = Array.from({ length: 1_000 }, (_, i) => i);
    await Promise.all(
      requests.map((i) => {
        live++;
        // Registered after scoped()'s own end hook: the scope has ended when this runs.
        return handle(i).then(() => live--);
      }),
    );
    expect(worst).toBeGreaterThan(0);
    expect(worst).toBeLessThanOrEqual(maxBytes);
    expect(bufferedBytes()).toBe(0);

    const triggering = new Set(requests.filter((i) => i % 7 === 0 || i % 11 === 0));
    const debug = capture.entries.filter((e) => e.level === "debug");
    expect(new Set(debug.map((e) => e.request_id))).toEqual(triggering);
    for (const i of triggering) {
      const lines = debug.filter((e) => e.request_id === i);
      // Each triggering request's held lines, in order; the one after the trigger was discarded.
      expect(lines.map((e) => [e.event, e.step])).toEqual([
        ["handler_step", 0],
        ["handler_step", 1],
        ["handler_step", 2],
        ["model_step", undefined],
      ]);
      expect(lines.every((e) => e.model_name === (e.event === "model_step" ? "churn" : undefined))).toBe(
        true,
      );
      const trigger = capture.entries.find(
        (e) =>
          e.request_id === i && (e.event === "low_confidence_prediction" || e.event === "prediction_failed"),
      );
      expect(trigger?.event).toBe(i % 11 === 0 ? "prediction_failed" : "low_confidence_prediction");
      expect(capture.entries.indexOf(lines.at(-1) as Fields)).toBeLessThan(
        capture.entries.indexOf(trigger as Fields),
      );
      // One trace per request: its held lines and its trigger share the trigger's trace id.
      expect(lines.at(-1)?.trace_id).toBe(trigger?.trace_id);
    }
    expect(capture.entries.filter((e) => e.event === "buffer_evicted")).toEqual([]);
  });

  it("writes flushed records to every output (a file, OTLP) as if logged at once: order, fields, timestamps, trace", async () => {
    const dir = await mkdtemp(join(tmpdir(), "mlobs-buffer-"));
    const file = fileOutput({ path: join(dir, "app.log") });
    const exporter = new InMemoryLogRecordExporter();
    const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
    const { tracer } = createTestTelemetry();
    const log = createLogger({ outputs: [file, otelOutput({ loggerProvider: provider })], buffer: {} });
    try {
      await scoped(async () => {
        await tracer.startActiveSpan("request", async (span) => {
          log.debug("first", { n: 1 });
          await sleep(3);
          log.debug("second", { n: 2 });
          log.error("failed");
          span.end();
        });
      })();
      await log.flush();
      const text = await readFile(join(dir, "app.log"), "utf8");
      const lines = text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Fields);
      expect(lines.map((e) => [e.event, e.n])).toEqual([
        ["first", 1],
        ["second", 2],
        ["failed", undefined],
      ]);
      const otlp = exporter.getFinishedLogRecords();
      expect(otlp.map((r) => [r.eventName, r.severityText, r.attributes.n])).toEqual([
        ["first", "debug", 1],
        ["second", "debug", 2],
        ["failed", "error", undefined],
      ]);
      otlp.forEach((r, i) => {
        expect(r.spanContext?.traceId).toBe(lines[i]?.trace_id);
        expect(hrTimeToMilliseconds(r.hrTime)).toBe(Date.parse(lines[i]?.timestamp as string));
      });
      expect(Date.parse(lines[0]?.timestamp as string)).toBeLessThan(
        Date.parse(lines[1]?.timestamp as string),
      );
    } finally {
      await log.shutdown();
      await provider.shutdown();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it.each([
    [{ level: "trace" }, /buffer.level "trace": expected one of debug, info, warn, error, fatal/],
    [{ maxBytes: 0 }, /buffer.maxBytes 0: expected an integer >= 1/],
    [{ flushOn: true }, /buffer.flushOn: expected a function/],
    [{ size: 1 }, /buffer.size: unknown, expected one of level, maxBytes, flushOn/],
  ])("throws at creation on buffer %j", (buffer, message) => {
    expect(() => createLogger({ buffer: buffer as never })).toThrow(message);
  });
});
