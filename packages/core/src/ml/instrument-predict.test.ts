import { setTimeout as sleep } from "node:timers/promises";
import {
  context,
  metrics,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  SpanStatusCode,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import type { MeterProvider } from "@opentelemetry/sdk-metrics";
import { SamplingDecision, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import { describe, expect, it } from "vitest";
import { createTestTelemetry } from "../../test/telemetry.js";
import { createLogger } from "../configure.js";
import type { Fields } from "../record.js";
import { bindContext, scoped } from "../scope.js";
import { createLogCapture } from "../testing.js";
import { type InstrumentPredictOptions, instrumentPredict } from "./instrument-predict.js";
import { InvalidFeatureError } from "./invalid-feature-error.js";
import { traceIdRatioSampled } from "./trace-id-ratio.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const FEATURES = { age: 35, balance: 20, campaign: 1 };

/** The tutorial's toy model: the sum of the features over 100, capped at 1. */
function toyModel(features: Record<string, number>): number {
  return Math.min(Object.values(features).reduce((a, b) => a + b, 0) / 100, 1);
}

/** Options as a test varies them; `batch` is a boolean here, not the literal each overload wants. */
type TestOptions = Partial<InstrumentPredictOptions<never, never>> & { batch?: boolean };

function setup(extra: TestOptions = {}) {
  const t = createTestTelemetry();
  const { logger, tracer, meter } = t;
  const options = {
    modelName: "churn",
    modelVersion: "v3.2",
    threshold: 0.65,
    logger,
    tracer,
    meter,
    ...extra,
  };
  // Typed as never so that either overload accepts it; each test's predict still types its input.
  return { ...t, options: options as never };
}

function events(entries: Fields[]) {
  return entries.map((e) => [e.event, e.level]);
}

function hasTwoDecimalsAtMost(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && Math.round(value * 100) / 100 === value;
}

describe("instrumentPredict(): events", () => {
  it("logs request_received then prediction_complete with the tutorial's fields, all bound to the call", () => {
    const { capture, spans, options } = setup();
    const predict = instrumentPredict((f: Record<string, number>) => toyModel(f) + 0.12, options);
    const result = predict(FEATURES, { userId: "user-001" });
    expect(result).toBeCloseTo(0.68);
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["prediction_complete", "info"],
    ]);
    const [received, complete] = capture.entries as [Fields, Fields];
    expect(received.feature_count).toBe(3);
    expect(received).not.toHaveProperty("feature_names");
    expect(received).not.toHaveProperty("features");
    expect(complete).toMatchObject({ low_confidence: false, confidence: 0.68, threshold: 0.65 });
    expect(complete.prediction).toBeCloseTo(0.68);
    expect(hasTwoDecimalsAtMost(complete.latency_ms)).toBe(true);
    for (const entry of capture.entries) {
      expect(entry).toMatchObject({ user_id: "user-001", model_name: "churn", model_version: "v3.2" });
      expect(entry.prediction_id).toMatch(UUID);
      expect(entry.prediction_id).toBe(received.prediction_id);
    }
    const [span] = spans.getFinishedSpans();
    expect(span?.name).toBe("predict churn");
    expect(span?.attributes).toMatchObject({
      "model.name": "churn",
      "model.version": "v3.2",
      "ml.prediction.id": received.prediction_id,
      "ml.prediction.low_confidence": false,
      "ml.prediction.confidence": 0.68,
    });
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
  });

  it("logs low_confidence_prediction at warn when the confidence is under the threshold", () => {
    const { capture, spans, options } = setup();
    const predict = instrumentPredict(toyModel, options);
    predict(FEATURES, { userId: "user-002" });
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["low_confidence_prediction", "warn"],
    ]);
    expect(capture.entries[1]).toMatchObject({
      prediction: 0.56,
      low_confidence: true,
      confidence: 0.56,
      threshold: 0.65,
      user_id: "user-002",
    });
    expect(spans.getFinishedSpans()[0]?.attributes["ml.prediction.low_confidence"]).toBe(true);
  });

  it("logs prediction_failed at error with error, exception and latency_ms, and rethrows the same error", () => {
    const { capture, spans, options } = setup();
    const boom = new RangeError("model not loaded");
    const predict = instrumentPredict((_: Record<string, number>): number => {
      throw boom;
    }, options);
    let thrown: unknown;
    try {
      predict(FEATURES, { userId: "user-003" });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBe(boom);
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["prediction_failed", "error"],
    ]);
    const failed = capture.entries[1]!;
    expect(failed.error).toBe("RangeError: model not loaded");
    expect(failed.exception).toMatchObject({ type: "RangeError", message: "model not loaded" });
    expect((failed.exception as Fields).stacktrace).toContain("model not loaded");
    expect(hasTwoDecimalsAtMost(failed.latency_ms)).toBe(true);
    expect(failed).toMatchObject({ user_id: "user-003", model_name: "churn" });
    const [span] = spans.getFinishedSpans();
    expect(span?.status).toEqual({ code: SpanStatusCode.ERROR, message: "model not loaded" });
    expect(span?.attributes["error.type"]).toBe("RangeError");
    expect(span?.events.map((e) => [e.name, e.attributes?.["exception.type"]])).toEqual([
      ["exception", "RangeError"],
    ]);
  });

  it("reports a thrown non-Error as an Error and rethrows the original value", () => {
    const { capture, options } = setup();
    const predict = instrumentPredict((): number => {
      throw "out of memory";
    }, options);
    expect(() => predict({})).toThrow("out of memory");
    expect(capture.entries[1]).toMatchObject({ error: "Error: out of memory", exception: { type: "Error" } });
  });

  it("keeps a sync predict sync: the result is returned as is, not as a promise", () => {
    const { options } = setup();
    const result = instrumentPredict(() => 0.9, options)({});
    expect(result).toBe(0.9);
  });

  it("awaits an async predict and logs after it settles, with the latency of the whole call", async () => {
    const { capture, spans, options } = setup();
    const predict = instrumentPredict(async (f: Record<string, number>) => {
      await sleep(20);
      return toyModel(f) + 0.3;
    }, options);
    const pending = predict(FEATURES, { userId: "user-004" });
    expect(pending).toBeInstanceOf(Promise);
    expect(events(capture.entries)).toEqual([["request_received", "info"]]);
    expect(spans.getFinishedSpans()).toHaveLength(0);
    expect(await pending).toBeCloseTo(0.86);
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["prediction_complete", "info"],
    ]);
    // The timer may fire a little early, never 10 ms early.
    expect(capture.entries[1]!.latency_ms as number).toBeGreaterThanOrEqual(10);
    expect(spans.getFinishedSpans()).toHaveLength(1);
  });

  it("logs prediction_failed and rejects with the same error when an async predict rejects", async () => {
    const { capture, spans, options } = setup();
    const boom = new Error("timeout calling feature store");
    const predict = instrumentPredict(async (_: Fields): Promise<number> => {
      await sleep(1);
      throw boom;
    }, options);
    await expect(predict({})).rejects.toBe(boom);
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["prediction_failed", "error"],
    ]);
    expect(capture.entries[1]?.error).toBe("Error: timeout calling feature store");
    expect(spans.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("binds user_id only when given, and takes a caller's prediction id and extra fields", () => {
    const { capture, options } = setup();
    const predict = instrumentPredict(() => 0.9, options);
    predict({}, { predictionId: "p-42", fields: { request_id: "r-1", prediction_id: "ignored" } });
    for (const entry of capture.entries) {
      expect(entry).not.toHaveProperty("user_id");
      expect(entry).toMatchObject({ prediction_id: "p-42", request_id: "r-1" });
    }
  });

  it("calls predict with the wrapper's this, so it can stand in for a method", () => {
    const { options } = setup();
    const model = {
      bias: 0.5,
      predict: instrumentPredict(function (this: { bias: number }, x: number[]) {
        return this.bias + x[0]!;
      }, options),
    };
    expect(model.predict([0.25])).toBe(0.75);
  });
});

describe("instrumentPredict(): trace correlation", () => {
  it("writes the span's trace_id and span_id on every record, the model's own records included", () => {
    const { capture, spans, logger, options } = setup();
    const predict = instrumentPredict((f: Record<string, number>) => {
      logger.debug("ignored_below_level");
      logger.info("features_scaled", { scale: 100 });
      return toyModel(f);
    }, options);
    predict(FEATURES, { userId: "user-001" });
    const span = spans.getFinishedSpans()[0]!;
    expect(capture.entries.map((e) => e.event)).toEqual([
      "request_received",
      "features_scaled",
      "low_confidence_prediction",
    ]);
    for (const entry of capture.entries) {
      expect(entry.trace_id).toBe(span.spanContext().traceId);
      expect(entry.span_id).toBe(span.spanContext().spanId);
      expect(entry.user_id).toBe("user-001");
    }
  });

  it("starts a child of the active span, and a new trace per call otherwise", () => {
    const { capture, spans, tracer, options } = setup();
    const predict = instrumentPredict(() => 0.9, options);
    tracer.startActiveSpan("POST /predict", (parent) => {
      predict({});
      parent.end();
    });
    predict({});
    predict({});
    const finished = spans.getFinishedSpans();
    const [child, parent, second, third] = finished;
    expect(child?.parentSpanContext?.spanId).toBe(parent?.spanContext().spanId);
    expect(child?.spanContext().traceId).toBe(parent?.spanContext().traceId);
    expect(second?.parentSpanContext).toBeUndefined();
    const traceIds = new Set(capture.entries.map((e) => e.trace_id));
    expect(traceIds.size).toBe(3);
    expect(new Set([child, second, third].map((s) => s?.spanContext().traceId))).toEqual(traceIds);
  });

  it("keeps 200 interleaved async calls apart: each record has its own call's user, prediction and trace", async () => {
    const { capture, logger, options } = setup();
    const predict = instrumentPredict(async (f: { n: number }) => {
      await sleep(f.n % 7);
      logger.info("inside_model");
      await sleep(f.n % 3);
      return (f.n % 10) / 10;
    }, options);
    await Promise.all(Array.from({ length: 200 }, (_, n) => predict({ n }, { userId: `user-${n}` })));
    expect(capture.entries).toHaveLength(600);
    const byUser = new Map<unknown, Fields[]>();
    for (const entry of capture.entries)
      byUser.set(entry.user_id, [...(byUser.get(entry.user_id) ?? []), entry]);
    expect(byUser.size).toBe(200);
    const traceIds = new Set<unknown>();
    for (const records of byUser.values()) {
      expect(records).toHaveLength(3);
      expect(new Set(records.map((r) => r.trace_id)).size).toBe(1);
      expect(new Set(records.map((r) => r.prediction_id)).size).toBe(1);
      traceIds.add(records[0]!.trace_id);
    }
    expect(traceIds.size).toBe(200);
  });
});

describe("instrumentPredict(): scopes without an OpenTelemetry SDK", () => {
  it("makes each call a scope: one trace_id per call (the request's inside one), and what the model binds stays in the call", async () => {
    const capture = createLogCapture();
    const logger = createLogger({ outputs: [capture] });
    // A no-op tracer, as without an SDK: its spans have no valid ids.
    const tracer = new ProxyTracerProvider().getTracer("none");
    const predict = instrumentPredict(
      async (f: { n: number }) => {
        bindContext({ model_step: `step-${f.n}` });
        await sleep(1);
        logger.info("inside_model");
        return 0.9;
      },
      { modelName: "churn", logger, tracer },
    );
    await Promise.all([predict({ n: 1 }), predict({ n: 2 })]);
    await scoped(async () => {
      logger.info("request_started");
      await predict({ n: 3 });
      logger.info("request_done");
    })();
    const byPrediction = new Map<unknown, Fields[]>();
    for (const entry of capture.entries.filter((e) => e.prediction_id !== undefined))
      byPrediction.set(entry.prediction_id, [...(byPrediction.get(entry.prediction_id) ?? []), entry]);
    expect(byPrediction.size).toBe(3);
    const ids = [...byPrediction.values()].map((records) => {
      expect(new Set(records.map((r) => r.trace_id)).size).toBe(1);
      expect(records[0]!.trace_id).toMatch(/^[0-9a-f]{32}$/);
      return records[0]!.trace_id;
    });
    expect(new Set(ids).size).toBe(3);
    const request = capture.entries.filter(
      (e) => e.event === "request_started" || e.event === "request_done",
    );
    expect(request.map((e) => [e.trace_id, e.model_step])).toEqual([
      [ids[2], undefined],
      [ids[2], undefined],
    ]);
  });
});

describe("instrumentPredict(): input validation", () => {
  it.each([
    [{ age: 35, balance: Number.NaN }, 'feature "balance" is NaN', "balance"],
    [{ age: Number.POSITIVE_INFINITY }, 'feature "age" is Infinity', "age"],
    [{ age: Number.NEGATIVE_INFINITY }, 'feature "age" is -Infinity', "age"],
    [{ balance: 20 }, 'missing required feature "age"', "age"],
    [{ age: null, balance: 20 }, 'missing required feature "age"', "age"],
  ])("rejects %j before calling the model: %s", (input, message, feature) => {
    const { capture, spans, options } = setup({ requiredFeatures: ["age"] });
    let calls = 0;
    const predict = instrumentPredict((_: Fields) => {
      calls++;
      return 0.9;
    }, options);
    let thrown: unknown;
    try {
      predict(input);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(InvalidFeatureError);
    expect((thrown as InvalidFeatureError).message).toBe(message);
    expect((thrown as InvalidFeatureError).feature).toBe(feature);
    expect(calls).toBe(0);
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["prediction_failed", "error"],
    ]);
    expect(capture.entries[1]).toMatchObject({
      error: `InvalidFeatureError: ${message}`,
      exception: { type: "InvalidFeatureError", message },
    });
    expect(spans.getFinishedSpans()[0]?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it("logs and fails a call whose input cannot be read (a revoked Proxy), without throwing from the helper", () => {
    const { capture, options } = setup();
    const { proxy, revoke } = Proxy.revocable({ age: 1 }, {});
    revoke();
    const predict = instrumentPredict((_: Fields) => 0.9, options);
    expect(() => predict(proxy)).toThrow(TypeError);
    expect(capture.entries.map((e) => e.event)).toEqual(["request_received", "prediction_failed"]);
    expect(capture.entries[0]?.logging_error).toMatch(/^features could not be read: TypeError/);
  });

  it("names the index of a NaN in an array input, and lets strings and booleans through", () => {
    const { options } = setup();
    const predict = instrumentPredict((_: ArrayLike<unknown>) => 0.9, options);
    expect(() => predict([1, "cat", true, Number.NaN])).toThrow("feature at index 3 is NaN");
    expect(() => predict(new Float32Array([1, Number.POSITIVE_INFINITY]))).toThrow(
      "feature at index 1 is Infinity",
    );
    expect(predict([1, "cat", true])).toBe(0.9);
  });
});

describe("instrumentPredict(): reading outputs", () => {
  function complete(extra: TestOptions, output: unknown): Fields {
    const { capture, options } = setup(extra);
    instrumentPredict(() => output, options)({});
    return capture.entries[1]!;
  }

  it("classification: class probabilities give the arg-max label and its probability", () => {
    expect(complete({ labels: ["stay", "churn", "pause"] }, [0.1, 0.7, 0.2])).toMatchObject({
      event: "prediction_complete",
      prediction: "churn",
      confidence: 0.7,
    });
    expect(complete({}, [0.5, 0.3, 0.2])).toMatchObject({
      event: "low_confidence_prediction",
      prediction: 0,
      confidence: 0.5,
    });
    expect(complete({}, { cat: 0.05, dog: 0.9, bird: 0.05 })).toMatchObject({
      prediction: "dog",
      confidence: 0.9,
    });
    expect(complete({}, new Float64Array([0.2, 0.8]))).toMatchObject({ prediction: 1, confidence: 0.8 });
  });

  it("classification: a binary probability p has confidence max(p, 1 - p)", () => {
    expect(complete({}, 0.1)).toMatchObject({
      event: "prediction_complete",
      prediction: 0.1,
      confidence: 0.9,
    });
    expect(complete({}, 0.4)).toMatchObject({ event: "low_confidence_prediction", confidence: 0.6 });
  });

  it("classification: an output it cannot read is logged as is, without confidence", () => {
    const entry = complete({}, "yes");
    expect(entry).toMatchObject({ event: "prediction_complete", prediction: "yes", low_confidence: false });
    expect(entry).not.toHaveProperty("confidence");
    expect(entry).not.toHaveProperty("threshold");
  });

  it("classification: an output that throws when read is returned and logged as is, not thrown", async () => {
    const { capture, options } = setup();
    const output = {
      get churn(): number {
        throw new Error("tensor disposed");
      },
    };
    expect(instrumentPredict(() => output, options)({})).toBe(output);
    await expect(instrumentPredict(async () => output, options)({})).resolves.toBe(output);
    const completions = capture.entries.filter((e) => e.event === "prediction_complete");
    expect(completions).toHaveLength(2);
    expect(completions[0]).toMatchObject({ low_confidence: false });
    expect(completions[0]).not.toHaveProperty("confidence");
  });

  it("regression: a number has no confidence and is never low confidence by itself", () => {
    const entry = complete({ task: "regression" }, 0.1);
    expect(entry).toMatchObject({ event: "prediction_complete", prediction: 0.1, low_confidence: false });
    expect(entry).not.toHaveProperty("confidence");
  });

  it("regression: the caller's confidence function decides", () => {
    const confidence = (price: number) => (price > 1000 ? 0.3 : 0.95);
    expect(complete({ task: "regression", confidence }, 1500)).toMatchObject({
      event: "low_confidence_prediction",
      prediction: 1500,
      confidence: 0.3,
      threshold: 0.65,
    });
  });

  it("regression: a prediction interval wider than maxIntervalWidth is low confidence", () => {
    const interval = (y: number): [number, number] => [y - 40, y + 40];
    expect(complete({ task: "regression", interval, maxIntervalWidth: 100 }, 250)).toMatchObject({
      event: "prediction_complete",
      interval: [210, 290],
      interval_width: 80,
      max_interval_width: 100,
    });
    expect(complete({ task: "regression", interval, maxIntervalWidth: 50 }, 250)).toMatchObject({
      event: "low_confidence_prediction",
      low_confidence: true,
      interval_width: 80,
    });
  });

  it("a throwing confidence function does not fail the prediction: it is reported beside it", () => {
    const confidence = () => {
      throw new Error("bad calibration table");
    };
    const entry = complete({ task: "regression", confidence }, 3);
    expect(entry).toMatchObject({
      event: "prediction_complete",
      confidence_error: "Error: bad calibration table",
    });
  });
});

describe("instrumentPredict(): batches", () => {
  it("logs one request_received and one completion per batch, counting low-confidence items", async () => {
    const { capture, spans, readMetrics, options } = setup({ batch: true, labels: ["no", "yes"] });
    const predict = instrumentPredict(
      async (rows: Record<string, number>[]) => rows.map((row) => [1 - toyModel(row), toyModel(row)]),
      options,
    );
    const rows = [FEATURES, { age: 80, balance: 10, campaign: 2 }, { age: 5, balance: 1, campaign: 0 }];
    await predict(rows, { userId: "batch-job" });
    expect(events(capture.entries)).toEqual([
      ["request_received", "info"],
      ["low_confidence_prediction", "warn"],
    ]);
    expect(capture.entries[0]).toMatchObject({ batch_size: 3, feature_count: 3 });
    const done = capture.entries[1]!;
    expect(done).toMatchObject({
      batch_size: 3,
      low_confidence: true,
      low_confidence_count: 1,
      low_confidence_indices: [0],
      confidence_min: 0.56,
      threshold: 0.65,
    });
    expect(done).not.toHaveProperty("prediction");
    expect(spans.getFinishedSpans()[0]?.attributes).toMatchObject({
      "ml.batch.size": 3,
      "ml.prediction.low_confidence_count": 1,
    });
    const points = await readMetrics();
    expect(points.find((p) => p.name === "ml.predictions")?.value).toBe(3);
    expect(points.find((p) => p.name === "ml.predictions.low_confidence")?.value).toBe(1);
    expect(points.find((p) => p.name === "ml.prediction.duration")?.value).toMatchObject({ count: 1 });
  });

  it("logs prediction_complete when no item is low confidence, without the indices", () => {
    const { capture, options } = setup({ batch: true });
    instrumentPredict((rows: number[][]) => rows.map(() => 0.99), options)([[1], [2]]);
    expect(capture.entries[1]).toMatchObject({ event: "prediction_complete", low_confidence_count: 0 });
    expect(capture.entries[1]).not.toHaveProperty("low_confidence_indices");
  });

  it("names the batch item and the feature when one item is invalid, and counts every item as failed", async () => {
    const { capture, readMetrics, options } = setup({ batch: true, requiredFeatures: ["age"] });
    const predict = instrumentPredict((rows: Fields[]) => rows.map(() => 0.9), options);
    expect(() => predict([{ age: 1 }, { age: 2 }, { balance: 3 }])).toThrow(
      'batch item 2: missing required feature "age"',
    );
    expect(capture.entries[1]).toMatchObject({ event: "prediction_failed", level: "error", batch_size: 3 });
    const points = await readMetrics();
    expect(points.find((p) => p.name === "ml.predictions.failed")?.value).toBe(3);
  });

  it("types the callbacks per item: confidence gets one output and one input row", () => {
    const { capture, logger, tracer } = createTestTelemetry();
    const predict = instrumentPredict((rows: { x: number }[]) => rows.map((row) => row.x * 2), {
      modelName: "doubler",
      task: "regression",
      batch: true,
      confidence: (y, row) => (y === row.x * 2 ? 1 : 0),
      logger,
      tracer,
    });
    const out: number[] = predict([{ x: 1 }, { x: 2 }]);
    expect(out).toEqual([2, 4]);
    expect(capture.entries[1]).toMatchObject({ low_confidence_count: 0, confidence_min: 1 });
  });

  it("rejects a batch input that is not an array", () => {
    const { capture, options } = setup({ batch: true });
    const predict = instrumentPredict((rows: number[]) => rows, options);
    expect(() => predict(42 as unknown as number[])).toThrow("batch input must be an array, got number");
    expect(capture.entries[1]?.event).toBe("prediction_failed");
  });

  it("says so when the output is not one prediction per item", () => {
    const { capture, options } = setup({ batch: true });
    instrumentPredict((_: number[]) => [0.9], options)([1, 2]);
    expect(capture.entries[1]).toMatchObject({ event: "prediction_complete", low_confidence_count: 0 });
    expect(capture.entries[1]?.output_mismatch).toMatch(/one prediction per item/);
  });
});

describe("instrumentPredict(): metrics", () => {
  it("counts 3 predictions, 1 low-confidence, 1 failure and records 3 latencies after 3 calls", async () => {
    const { readMetrics, options } = setup();
    const predict = instrumentPredict((f: { p: number }) => {
      if (f.p < 0) throw new TypeError("negative");
      return f.p;
    }, options);
    predict({ p: 0.9 });
    predict({ p: 0.5 });
    expect(() => predict({ p: -1 })).toThrow("negative");
    const points = await readMetrics();
    const model = { "model.name": "churn", "model.version": "v3.2" };
    const failed = { ...model, "error.type": "TypeError" };
    const sum = (name: string) =>
      points.filter((p) => p.name === name).reduce((n, p) => n + (p.value as number), 0);
    expect(sum("ml.predictions")).toBe(3);
    expect(sum("ml.predictions.low_confidence")).toBe(1);
    expect(sum("ml.predictions.failed")).toBe(1);
    const histograms = ["ml.prediction.duration", "ml.prediction.confidence"];
    expect(points.filter((p) => !histograms.includes(p.name))).toEqual([
      { name: "ml.predictions", attributes: model, value: 3 },
      { name: "ml.predictions.low_confidence", attributes: model, value: 1 },
      { name: "ml.predictions.failed", attributes: failed, value: 1 },
    ]);
    const durations = points.filter((p) => p.name === "ml.prediction.duration");
    expect(durations.map((p) => [p.attributes, (p.value as { count: number }).count])).toEqual([
      [model, 2],
      [failed, 1],
    ]);
  });

  it("records each item's confidence, and the named features by value or bounded category", async () => {
    const { readMetrics, options } = setup({
      featureMetrics: { features: ["age", "plan", "vip"], maxCategories: 2 },
    });
    const predict = instrumentPredict((f: { p: number; [feature: string]: unknown }) => f.p, options);
    predict({ p: 0.9, age: 30, plan: "basic", vip: true });
    predict({ p: 0.2, age: 50, plan: "pro", vip: false });
    predict({ p: 0.5, plan: "team" });
    predict({ p: 0.5, age: "unknown", plan: "enterprise" });
    const batch = instrumentPredict(
      (rows: { p: number }[]) => rows.map((r) => r.p),
      setup({ batch: true }).options,
    );
    batch([{ p: 0.95 }, { p: 0.7 }]);
    const points = await readMetrics();
    const model = { "model.name": "churn", "model.version": "v3.2" };
    expect(points.find((p) => p.name === "ml.prediction.confidence")).toEqual({
      name: "ml.prediction.confidence",
      attributes: model,
      // max(p, 1 - p) of 0.9, 0.2, 0.5, 0.5
      value: { count: 4, sum: 0.9 + 0.8 + 0.5 + 0.5 },
    });
    expect(points.find((p) => p.name === "ml.feature.value")).toEqual({
      name: "ml.feature.value",
      attributes: { ...model, "ml.feature.name": "age" },
      value: { count: 2, sum: 80 },
    });
    const categories = points
      .filter((p) => p.name === "ml.feature.category")
      .map((p) => [p.attributes["ml.feature.name"], p.attributes["ml.feature.category.value"], p.value]);
    expect(categories).toEqual([
      ["plan", "basic", 1],
      ["vip", "true", 1],
      ["plan", "pro", 1],
      ["vip", "false", 1],
      ["plan", "__other__", 2],
      // A string is a category, even of a feature that is otherwise numeric.
      ["age", "unknown", 1],
    ]);
    for (const p of points.filter((p) => p.name.startsWith("ml.feature."))) {
      expect(p.attributes).toMatchObject(model);
    }
  });

  it("records the confidence of every batch item", async () => {
    const { readMetrics, options } = setup({ batch: true });
    instrumentPredict((rows: number[]) => rows, options)([0.9, 0.3, 0.6]);
    const points = await readMetrics();
    const confidence = points.find((p) => p.name === "ml.prediction.confidence")?.value as { count: number };
    expect(confidence.count).toBe(3);
  });

  it("follows the global meter provider when none is given, even one registered after wrapping", async () => {
    const { logger, tracer } = setup();
    const predict = instrumentPredict(() => 0.9, { modelName: "late", logger, tracer });
    predict({});
    const { meterProvider, readMetrics } = createTestTelemetry();
    metrics.setGlobalMeterProvider(meterProvider as MeterProvider);
    try {
      predict({});
      predict({});
      const points = await readMetrics();
      expect(points.find((p) => p.name === "ml.predictions")).toEqual({
        name: "ml.predictions",
        attributes: { "model.name": "late" },
        value: 2,
      });
    } finally {
      metrics.disable();
    }
  });

  it("uses the global tracer when none is given", () => {
    const capture = createTestTelemetry().capture;
    const logger = createLogger({ outputs: [capture] });
    // No tracer provider is registered here: the API's no-op tracer yields no trace id, nothing fails.
    expect(trace.getTracerProvider()).toBeDefined();
    expect(instrumentPredict(() => 0.9, { modelName: "m", logger })({})).toBe(0.9);
    expect(capture.entries.map((e) => e.event)).toEqual(["request_received", "prediction_complete"]);
  });
});

describe("instrumentPredict(): feature payload policy", () => {
  const input = { age: 35, ssn: "123-45-6789", balance: 20 };

  it('"names" adds feature_names, never the values', () => {
    const { capture, options } = setup({ features: "names" });
    instrumentPredict(() => 0.9, options)(input);
    expect(capture.entries[0]).toMatchObject({ feature_count: 3, feature_names: ["age", "ssn", "balance"] });
    expect(capture.entries[0]).not.toHaveProperty("features");
  });

  it("values at sampleRate 1 are logged with the redacted keys replaced; the input is not changed", () => {
    const { capture, options } = setup({ features: { values: { sampleRate: 1, redact: ["ssn"] } } });
    instrumentPredict(() => 0.9, options)(input);
    expect(capture.entries[0]?.features).toEqual({ age: 35, ssn: "[REDACTED]", balance: 20 });
    expect(input.ssn).toBe("123-45-6789");
  });

  it("values at sampleRate 0 are never logged", () => {
    const { capture, options } = setup({ features: { values: { sampleRate: 0 } } });
    const predict = instrumentPredict(() => 0.9, options);
    for (let i = 0; i < 100; i++) predict(input);
    expect(capture.entries.filter((e) => "features" in e)).toHaveLength(0);
  });

  it("values at sampleRate 0.25 are logged for about a quarter of 2,000 calls", () => {
    const { capture, options } = setup({ features: { values: { sampleRate: 0.25, redact: ["ssn"] } } });
    const predict = instrumentPredict(() => 0.9, options);
    for (let i = 0; i < 2000; i++) predict(input);
    const sampled = capture.entries.filter((e) => e.event === "request_received" && "features" in e);
    // Binomial(2000, 0.25): mean 500, sd 19.4; the bounds are ten sd away.
    expect(sampled.length).toBeGreaterThan(306);
    expect(sampled.length).toBeLessThan(694);
    expect(sampled.every((e) => (e.features as Fields).ssn === "[REDACTED]")).toBe(true);
  });

  it("values of a batch are logged per item, array features redacted by index", () => {
    const { capture, options } = setup({
      batch: true,
      features: { values: { sampleRate: 1, redact: ["1"] } },
    });
    instrumentPredict(
      (rows: number[][]) => rows.map(() => 0.9),
      options,
    )([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(capture.entries[0]).toMatchObject({
      batch_size: 2,
      feature_count: 3,
      features: [
        [1, "[REDACTED]", 3],
        [4, "[REDACTED]", 6],
      ],
    });
  });
});

/** Deterministic trace ids (mulberry32 from a fixed seed): the same 10,000 on every run. */
function traceIds(count: number, seed = 0x5eed): string[] {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0).toString(16).padStart(8, "0");
  };
  return Array.from({ length: count }, () => next() + next() + next() + next());
}

/** Runs `fn` as a service does for a request whose traceparent names `traceId`. */
function inTrace<T>(traceId: string, fn: () => T): T {
  const parent = trace.setSpanContext(ROOT_CONTEXT, {
    traceId,
    spanId: "00f067aa0ba902b7",
    traceFlags: TraceFlags.SAMPLED,
    isRemote: true,
  });
  return context.with(parent, fn);
}

describe("instrumentPredict(): payload capture follows the trace", () => {
  const input = { age: 35, ssn: "123-45-6789", balance: 20 };
  const policy = { values: { sampleRate: 0.3, redact: ["ssn"] } };

  it("captures the same traces in two services of one trace, a 0.3 ± 0.02 share of 10,000, as a 0.3 trace sampler would", () => {
    const gateway = setup({ modelName: "fraud", features: policy });
    const ranker = setup({ modelName: "ranker", features: policy });
    const first = instrumentPredict(() => 0.9, gateway.options);
    const second = instrumentPredict(() => 0.9, ranker.options);
    const ids = traceIds(10_000);
    for (const id of ids) {
      inTrace(id, () => first(input));
      inTrace(id, () => second(input));
    }
    const captured = (entries: Fields[]) =>
      entries.filter((e) => e.event === "request_received" && "features" in e).map((e) => e.trace_id);
    const inGateway = captured(gateway.capture.entries);
    expect(captured(ranker.capture.entries)).toEqual(inGateway);
    expect(Math.abs(inGateway.length / ids.length - 0.3)).toBeLessThanOrEqual(0.02);
    const sampler = new TraceIdRatioBasedSampler(0.3);
    expect(inGateway).toEqual(
      ids.filter(
        (id) => sampler.shouldSample(ROOT_CONTEXT, id).decision === SamplingDecision.RECORD_AND_SAMPLED,
      ),
    );
    for (const e of gateway.capture.entries.filter((e) => "features" in e)) {
      expect(e).toMatchObject({ sample_rate: 0.3, features: { age: 35, ssn: "[REDACTED]", balance: 20 } });
    }
  });

  it("without a tracing SDK, decides from the scope's correlation id: the trace_id of the request's records", async () => {
    const capture = createTestTelemetry().capture;
    const logger = createLogger({ outputs: [capture] });
    const predict = instrumentPredict(() => 0.9, { modelName: "m", logger, features: policy });
    // No tracer: the API's no-op tracer gives no valid span.
    const handle = scoped(async () => {
      logger.info("request_started");
      predict(input);
      predict(input);
    });
    for (let i = 0; i < 400; i++) await handle();
    const byTrace = new Map<unknown, Fields[]>();
    for (const e of capture.entries) byTrace.set(e.trace_id, [...(byTrace.get(e.trace_id) ?? []), e]);
    expect(byTrace.size).toBe(400);
    let captured = 0;
    for (const [traceId, entries] of byTrace) {
      const received = entries.filter((e) => e.event === "request_received");
      const sampled = traceIdRatioSampled(traceId as string, 0.3);
      expect(received.map((e) => "features" in e)).toEqual([sampled, sampled]);
      if (sampled) captured++;
    }
    expect(captured).toBeGreaterThan(0);
    expect(captured).toBeLessThan(400);
  });

  it("always captures the redacted input of prediction_failed, with sample_rate 1, even at sampleRate 0", () => {
    const { capture, options } = setup({ features: { values: { sampleRate: 0, redact: ["ssn"] } } });
    const predict = instrumentPredict(() => {
      throw new Error("model not loaded");
    }, options);
    expect(() => predict(input)).toThrow("model not loaded");
    const [received, failed] = capture.entries as [Fields, Fields];
    expect(received).not.toHaveProperty("features");
    expect(failed).toMatchObject({
      event: "prediction_failed",
      features: { age: 35, ssn: "[REDACTED]", balance: 20 },
      sample_rate: 1,
    });
  });

  it("logs no input on prediction_failed without a values policy", () => {
    const { capture, options } = setup({ features: "names" });
    expect(() => instrumentPredict(() => Number.NaN, options)({ age: Number.NaN })).toThrow();
    expect(capture.entries[1]).not.toHaveProperty("features");
    expect(capture.entries[1]).not.toHaveProperty("sample_rate");
  });

  it("captures every item of a batch or none, by the batch's trace", () => {
    const { capture, options } = setup({ batch: true, features: { values: { sampleRate: 0.5 } } });
    const predict = instrumentPredict((rows: number[][]) => rows.map(() => 0.9), options);
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    for (const id of traceIds(200)) inTrace(id, () => predict(rows));
    const received = capture.entries.filter((e) => e.event === "request_received");
    const captured = received.filter((e) => "features" in e);
    expect(captured.length).toBeGreaterThan(0);
    expect(captured.length).toBeLessThan(received.length);
    for (const e of captured) expect(e).toMatchObject({ features: rows, sample_rate: 0.5, batch_size: 3 });
  });
});

describe("instrumentPredict(): options", () => {
  it.each([
    [{}, /modelName undefined: expected a non-empty string/],
    [{ modelName: "m", threshold: 1.5 }, /threshold 1.5: expected a number from 0 to 1/],
    [{ modelName: "m", task: "ranking" }, /task "ranking": expected one of classification, regression/],
    [{ modelName: "m", features: "all" }, /features "all": expected "count", "names" or/],
    [{ modelName: "m", features: { values: { sampleRate: 2 } } }, /features.values.sampleRate 2/],
    [
      { modelName: "m", features: { values: { sampleRate: 1, redact: "ssn" } } },
      /features.values.redact "ssn"/,
    ],
    [{ modelName: "m", featureMetrics: "age" }, /featureMetrics "age": expected an array of feature names/],
    [
      { modelName: "m", featureMetrics: { features: ["plan"], maxCategories: -1 } },
      /featureMetrics .*maxCategories\?: integer >= 0/,
    ],
    [{ modelName: "m", requiredFeatures: "age" }, /requiredFeatures "age": expected an array of strings/],
    [{ modelName: "m", interval: () => [0, 1] }, /maxIntervalWidth undefined: expected a number >= 0/],
    [
      { modelName: "m", modelVersoin: "v1" },
      /unknown option "modelVersoin": expected one of modelName, modelVersion/,
    ],
  ])("throws at creation on %j", (options, message) => {
    expect(() => instrumentPredict(() => 0, options as never)).toThrow(message);
  });

  it("throws at creation when predict is not a function", () => {
    expect(() => instrumentPredict(undefined as never, { modelName: "m" })).toThrow(
      /expects a predict function/,
    );
  });
});
