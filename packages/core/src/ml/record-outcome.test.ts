import { describe, expect, it } from "vitest";
import { createTestTelemetry, type MetricPoint } from "../../test/telemetry.js";
import type { Fields } from "../record.js";
import { instrumentPredict } from "./instrument-predict.js";
import { recordOutcome } from "./record-outcome.js";

function outcomes(entries: Fields[]): Fields[] {
  return entries.filter((e) => e.event === "prediction_outcome");
}

function point(points: MetricPoint[], name: string, attributes: Record<string, unknown> = {}) {
  return points.find(
    (p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v),
  );
}

describe("recordOutcome()", () => {
  it("joins classification outcomes to the predictions held in this process: accuracy 2 of 3", async () => {
    const { capture, logger, tracer, meter, readMetrics } = createTestTelemetry();
    const predict = instrumentPredict((x: { p: number }) => x.p, {
      modelName: "churn",
      modelVersion: "v3",
      logger,
      tracer,
      meter,
    });
    predict({ p: 0.9 }, { predictionId: "a" }); // predicts 1
    predict({ p: 0.2 }, { predictionId: "b" }); // predicts 0
    predict({ p: 0.3 }, { predictionId: "c" }); // predicts 0
    recordOutcome({ predictionId: "a", actual: 1 });
    recordOutcome({ predictionId: "b", actual: true });
    recordOutcome({ predictionId: "c", actual: 0 });

    const records = outcomes(capture.entries);
    expect(records.map((r) => [r.prediction_id, r.actual, r.prediction, r.correct, r.level])).toEqual([
      ["a", 1, 0.9, true, "info"],
      ["b", true, 0.2, false, "info"],
      ["c", 0, 0.3, true, "info"],
    ]);
    for (const r of records) {
      expect(r).toMatchObject({ model_name: "churn", model_version: "v3" });
      expect(r.outcome_delay_ms as number).toBeGreaterThanOrEqual(0);
      expect(r).not.toHaveProperty("abs_error");
    }
    const points = await readMetrics();
    const model = { "model.name": "churn", "model.version": "v3" };
    expect(point(points, "ml.outcomes", { ...model, "ml.outcome.joined": true })?.value).toBe(3);
    expect(point(points, "ml.outcomes.correct", model)?.value).toBe(2);
    expect(point(points, "ml.outcomes", { "ml.outcome.joined": false })).toBeUndefined();
  });

  it("compares class labels of class-probability outputs, the label index as a string too", () => {
    const { capture, logger, tracer, meter } = createTestTelemetry();
    const predict = instrumentPredict((x: number[]) => x, {
      modelName: "intent",
      labels: ["buy", "browse", "leave"],
      logger,
      tracer,
      meter,
    });
    const unlabeled = instrumentPredict((x: number[]) => x, { modelName: "raw", logger, tracer, meter });
    predict([0.1, 0.8, 0.1], { predictionId: "p1" });
    predict([0.7, 0.2, 0.1], { predictionId: "p2" });
    unlabeled([0.1, 0.1, 0.8], { predictionId: "p3" });
    recordOutcome({ predictionId: "p1", actual: "browse" });
    recordOutcome({ predictionId: "p2", actual: "leave" });
    recordOutcome({ predictionId: "p3", actual: "2" });
    expect(outcomes(capture.entries).map((r) => [r.prediction, r.correct])).toEqual([
      ["browse", true],
      ["buy", false],
      [2, true],
    ]);
  });

  it("records the absolute error of regression outcomes: known values 1.5, 0 and 4", async () => {
    const { capture, logger, tracer, meter, readMetrics } = createTestTelemetry();
    const predict = instrumentPredict((x: number) => x, {
      modelName: "price",
      modelVersion: "r1",
      task: "regression",
      logger,
      tracer,
      meter,
    });
    predict(10, { predictionId: "r-a" });
    predict(20, { predictionId: "r-b" });
    predict(30, { predictionId: "r-c" });
    recordOutcome({ predictionId: "r-a", actual: 11.5 });
    recordOutcome({ predictionId: "r-b", actual: 20 });
    recordOutcome({ predictionId: "r-c", actual: 26 });
    expect(outcomes(capture.entries).map((r) => [r.prediction, r.actual, r.abs_error])).toEqual([
      [10, 11.5, 1.5],
      [20, 20, 0],
      [30, 26, 4],
    ]);
    expect(outcomes(capture.entries).every((r) => !("correct" in r))).toBe(true);
    const points = await readMetrics();
    expect(
      point(points, "ml.prediction.abs_error", { "model.name": "price", "model.version": "r1" })?.value,
    ).toEqual({ count: 3, sum: 5.5 });
    expect(point(points, "ml.outcomes.correct")).toBeUndefined();
  });

  it("writes only the given fields for a prediction not held here, and counts it as not joined", () => {
    const { capture, logger } = createTestTelemetry();
    recordOutcome({ predictionId: "elsewhere", actual: 1, modelName: "churn", modelVersion: "v3", logger });
    const [record] = outcomes(capture.entries);
    expect(record).toMatchObject({
      event: "prediction_outcome",
      level: "info",
      prediction_id: "elsewhere",
      actual: 1,
      model_name: "churn",
      model_version: "v3",
    });
    for (const key of ["prediction", "correct", "abs_error", "outcome_delay_ms"]) {
      expect(record).not.toHaveProperty(key);
    }
  });

  it("joins one outcome per prediction, and holds at most recentPredictions of them", () => {
    const { capture, logger, tracer, meter } = createTestTelemetry();
    const predict = instrumentPredict((x: number) => x, {
      modelName: "lru",
      recentPredictions: 2,
      logger,
      tracer,
      meter,
    });
    predict(0.9, { predictionId: "l1" });
    predict(0.9, { predictionId: "l2" });
    predict(0.9, { predictionId: "l3" }); // evicts l1
    for (const id of ["l1", "l2", "l3", "l3"]) recordOutcome({ predictionId: id, actual: 1, logger });
    expect(outcomes(capture.entries).map((r) => [r.prediction_id, r.correct])).toEqual([
      ["l1", undefined],
      ["l2", true],
      ["l3", true],
      ["l3", undefined],
    ]);
  });

  it.each([
    [{ actual: 1 }, /invalid predictionId undefined/],
    [{ predictionId: "x" }, /invalid actual undefined/],
    [{ predictionId: "x", actual: 1, model: "m" }, /unknown option "model"/],
  ])("throws on %j, naming the option", (options, message) => {
    expect(() => recordOutcome(options as never)).toThrow(message);
  });
});
