import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type FlatMetricPoint, startCollector } from "../../test/e2e/collector.js";
import { type Entry, runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));

function outcomes(entries: Entry[]): Entry[] {
  return entries
    .filter((e) => e.event === "prediction_outcome")
    .sort((a, b) => String(a.prediction_id).localeCompare(String(b.prediction_id)));
}

/** The last (cumulative) value of a series: the final one the process exported. */
function last(points: FlatMetricPoint[], name: string, attributes: Record<string, unknown>) {
  return points
    .filter((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    .at(-1)?.value;
}

describe("examples/ml-outcomes", () => {
  it("joins the labels the second process sends back (2 of 3 correct) and logs the one it records itself", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    expect(
      outcomes(entries).map((e) => [e.logger, e.prediction_id, e.actual, e.prediction, e.correct]),
    ).toEqual([
      ["ml_model", "pred-user-001", 1, 0.9, true],
      ["ml_model", "pred-user-002", 0, 0.2, true],
      ["ml_model", "pred-user-003", 0, 0.7, false],
      // Recorded by the labeler, which never held the prediction: joined by prediction_id in queries.
      ["labeler", "pred-user-004", 0, undefined, undefined],
    ]);
    for (const e of outcomes(entries)) {
      expect(e).toMatchObject({ level: "info", model_name: "churn", model_version: "churn-v3.2" });
    }
    for (const e of outcomes(entries).slice(0, 3)) expect(e.outcome_delay_ms).toBeGreaterThanOrEqual(0);
    expect(outcomes(entries)[3]).not.toHaveProperty("outcome_delay_ms");
  });

  it("exports ml.outcomes and ml.outcomes.correct by model version to the real collector", async () => {
    const collector = await startCollector();
    try {
      const { code, stderr } = await runExample(DIR, { OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl });
      expect(code, stderr).toBe(0);
      await collector.stop();
      const points = await collector.readMetricPoints();
      const model = { "model.name": "churn", "model.version": "churn-v3.2" };
      expect(last(points, "ml.outcomes", { ...model, "ml.outcome.joined": true })).toBe(3);
      expect(last(points, "ml.outcomes.correct", model)).toBe(2);
      expect(last(points, "ml.outcomes", { ...model, "ml.outcome.joined": false })).toBe(1);
      expect(
        points.find((p) => p.name === "ml.outcomes" && p.attributes["ml.outcome.joined"] === false)?.service,
      ).toBe("churn-labeler");
      const records = (await collector.readRecords()).filter((r) => r.eventName === "prediction_outcome");
      expect(records).toHaveLength(4);
    } finally {
      await collector.stop();
    }
  }, 90_000);
});
