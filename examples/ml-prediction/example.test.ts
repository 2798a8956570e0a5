import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { startCollector } from "../../test/e2e/collector.js";
import { type Entry, runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function byUser(entries: Entry[], userId: string): Entry[] {
  return entries.filter((e) => e.user_id === userId);
}

describe("examples/ml-prediction", () => {
  it("logs each request's events with the tutorial's fields and levels, one trace id per request, and exits cleanly", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    const predictions = entries.filter((e) => e.model_name === "churn");
    expect(predictions.map((e) => [e.user_id, e.event, e.level])).toEqual([
      ["user-001", "request_received", "info"],
      ["user-001", "low_confidence_prediction", "warn"],
      ["user-002", "request_received", "info"],
      ["user-002", "prediction_complete", "info"],
      ["user-003", "request_received", "info"],
      ["user-003", "prediction_failed", "error"],
    ]);
    for (const entry of predictions) {
      expect(entry).toMatchObject({ logger: "ml_model", model_version: "churn-v3.2" });
      expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(entry.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(entry.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(entry.prediction_id).toMatch(UUID);
    }

    const [received, low] = byUser(predictions, "user-001") as [Entry, Entry];
    expect(received.feature_count).toBe(3);
    expect(received).not.toHaveProperty("features");
    expect(low).toMatchObject({ prediction: 0.56, low_confidence: true, confidence: 0.56, threshold: 0.65 });
    // The toy model sleeps 50 ms; timers may fire a millisecond early.
    expect(low.latency_ms as number).toBeGreaterThanOrEqual(45);
    expect(Math.round((low.latency_ms as number) * 100) / 100).toBe(low.latency_ms);

    const complete = byUser(predictions, "user-002")[1]!;
    expect(complete).toMatchObject({
      prediction: 0.68,
      low_confidence: false,
      confidence: 0.68,
      threshold: 0.65,
    });

    const failed = byUser(predictions, "user-003")[1]!;
    expect(failed.error).toBe('InvalidFeatureError: feature "balance" is NaN');
    expect(failed.exception).toMatchObject({
      type: "InvalidFeatureError",
      message: 'feature "balance" is NaN',
    });
    expect(typeof failed.latency_ms).toBe("number");

    const traceIds = ["user-001", "user-002", "user-003"].map((user) => {
      const ids = new Set(byUser(predictions, user).map((e) => e.trace_id));
      expect(ids.size).toBe(1);
      const predictionIds = new Set(byUser(predictions, user).map((e) => e.prediction_id));
      expect(predictionIds.size).toBe(1);
      return [...ids][0];
    });
    expect(new Set(traceIds).size).toBe(3);
  }, 60_000);

  it("sends the same records, with the same trace ids, to the real collector when OTEL_EXPORTER_OTLP_ENDPOINT is set", async () => {
    const collector = await startCollector();
    try {
      const { code, entries, stderr } = await runExample(DIR, {
        OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl,
      });
      expect(code, stderr).toBe(0);
      await collector.stop();
      const received = (await collector.readRecords()).filter((r) => r.attributes.model_name === "churn");
      const sent = entries.filter((e) => e.model_name === "churn");
      expect(
        received.map((r) => [r.eventName, r.severityText, r.traceId, r.spanId, r.attributes.prediction_id]),
      ).toEqual(sent.map((e) => [e.event, e.level, e.trace_id, e.span_id, e.prediction_id]));
      // The ML fields arrive as attributes, with their JSON values.
      const ml = ["user_id", "model_version", "prediction", "latency_ms", "low_confidence", "feature_count"];
      received.forEach((record, i) => {
        for (const key of ml) expect(record.attributes[key], key).toEqual(sent[i]![key]);
      });
      // The debug exporter shows every record on the collector's stdout, with its trace id.
      const stdout = collector.stdout();
      for (const e of sent) {
        expect(stdout).toContain(`EventName: ${e.event}`);
        expect(stdout).toContain(`Trace ID: ${e.trace_id}`);
      }
      expect(stdout.match(/^LogRecord #/gm)).toHaveLength(received.length);
      expect(received[0]?.resource).toMatchObject({
        "service.name": "churn-model",
        "service.version": "churn-v3.2",
      });
    } finally {
      await collector.stop();
    }
  }, 90_000);
});
