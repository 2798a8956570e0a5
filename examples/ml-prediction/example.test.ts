import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { type FlatMetricPoint, startCollector } from "../../test/e2e/collector.js";
import { sampledByOtel } from "../../test/otel-ratio-sampler.js";
import { type Entry, runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));

function byUser(entries: Entry[], userId: string): Entry[] {
  return entries.filter((e) => e.user_id === userId);
}

/** Whether payloads of this trace are captured at sampleRate 0.5: OpenTelemetry's own sampler decides. */
function captured(traceId: unknown): boolean {
  return sampledByOtel(traceId as string, 0.5);
}

/** The last (cumulative) value of a series in the collector's metrics file. */
function last(points: FlatMetricPoint[], name: string, attributes: Record<string, unknown> = {}) {
  return points
    .filter((p) => p.name === name && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v))
    .at(-1)?.value;
}

describe("examples/ml-prediction", () => {
  it("logs each request's events with the tutorial's fields and levels, one trace id per request, and exits cleanly", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    const users = ["user-001", "user-002", "user-003"];
    expect(users.map((user) => byUser(entries, user).map((e) => [e.event, e.level]))).toEqual([
      [
        ["request_received", "info"],
        // The low-confidence request's debug lines, held until its prediction was known, in order.
        ["request_parsed", "debug"],
        ["features_normalized", "debug"],
        ["model_scored", "debug"],
        ["low_confidence_prediction", "warn"],
      ],
      // The confident request's debug lines were discarded with its scope.
      [
        ["request_received", "info"],
        ["prediction_complete", "info"],
      ],
      [
        ["request_received", "info"],
        ["request_parsed", "debug"],
        ["prediction_failed", "error"],
      ],
    ]);
    const predictions = entries.filter((e) => e.model_name === "churn" && e.event !== "prediction_outcome");
    for (const entry of predictions) {
      expect(entry).toMatchObject({ logger: "ml_model", model_version: "churn-v3.2" });
      expect(entry.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(entry.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(entry.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(entry.prediction_id).toBe(`pred-${entry.user_id}`);
    }
    // Held records keep their own timestamps: request_parsed was logged before request_received.
    const [received, parsed] = byUser(entries, "user-001") as [Entry, Entry];
    expect(Date.parse(parsed.timestamp as string)).toBeLessThanOrEqual(
      Date.parse(received.timestamp as string),
    );

    const low = byUser(entries, "user-001").at(-1)!;
    expect(received.feature_count).toBe(4);
    expect(low).toMatchObject({ prediction: 0.56, low_confidence: true, confidence: 0.56, threshold: 0.65 });
    // The toy model sleeps 50 ms; timers may fire a millisecond early.
    expect(low.latency_ms as number).toBeGreaterThanOrEqual(45);
    expect(Math.round((low.latency_ms as number) * 100) / 100).toBe(low.latency_ms);

    const complete = byUser(entries, "user-002")[1]!;
    expect(complete).toMatchObject({
      prediction: 0.68,
      low_confidence: false,
      confidence: 0.68,
      threshold: 0.65,
    });

    const failed = byUser(entries, "user-003").at(-1)!;
    expect(failed.error).toBe('InvalidFeatureError: feature "balance" is NaN');
    expect(failed.exception).toMatchObject({
      type: "InvalidFeatureError",
      message: 'feature "balance" is NaN',
    });
    expect(typeof failed.latency_ms).toBe("number");
    // A failure always carries its redacted input.
    expect(failed).toMatchObject({
      features: { age: 41, balance: "[REDACTED]", campaign: 2, plan: "basic" },
      sample_rate: 1,
    });

    const traceIds = users.map((user) => {
      const ids = new Set(byUser(entries, user).map((e) => e.trace_id));
      expect(ids.size).toBe(1);
      return [...ids][0];
    });
    expect(new Set(traceIds).size).toBe(3);
    // Feature values of half of the traces, decided from the trace id as OpenTelemetry's sampler decides.
    for (const user of users) {
      const request = byUser(entries, user)[0]!;
      expect("features" in request, user).toBe(captured(request.trace_id));
      if ("features" in request)
        expect(request).toMatchObject({ sample_rate: 0.5, features: { balance: "[REDACTED]" } });
    }

    const outcomes = entries.filter((e) => e.event === "prediction_outcome");
    expect(outcomes.map((e) => [e.prediction_id, e.actual, e.prediction, e.correct])).toEqual([
      ["pred-user-001", 1, 0.56, true],
      ["pred-user-002", 0, 0.68, false],
    ]);
  }, 60_000);

  it("sends the same records, with the same trace ids, and the ML metrics to the real collector", async () => {
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
      ).toEqual(sent.map((e) => [e.event, e.level, e.trace_id ?? "", e.span_id ?? "", e.prediction_id]));
      // Flushed debug records keep their timestamps over OTLP too.
      received.forEach((record, i) => {
        expect(Number(BigInt(record.timeUnixNano) / 1_000_000n)).toBe(
          Date.parse(sent[i]!.timestamp as string),
        );
      });
      // The ML fields arrive as attributes, with their JSON values.
      const ml = [
        "user_id",
        "model_version",
        "prediction",
        "latency_ms",
        "low_confidence",
        "feature_count",
        "correct",
      ];
      received.forEach((record, i) => {
        for (const key of ml) expect(record.attributes[key], key).toEqual(sent[i]![key]);
      });
      // The debug exporter shows every record on the collector's stdout, with its trace id.
      const stdout = collector.stdout();
      for (const e of sent) {
        expect(stdout).toContain(`EventName: ${e.event}`);
        if (e.trace_id !== undefined) expect(stdout).toContain(`Trace ID: ${e.trace_id}`);
      }
      expect(received[0]?.resource).toMatchObject({
        "service.name": "churn-model",
        "service.version": "churn-v3.2",
      });

      // Metric values after the known sequence: two predictions (0.56, 0.68), one failure, two outcomes.
      const points = await collector.readMetricPoints();
      const model = { "model.name": "churn", "model.version": "churn-v3.2" };
      expect(last(points, "ml.predictions", model)).toBe(3);
      expect(last(points, "ml.predictions.low_confidence", model)).toBe(1);
      const confidence = last(points, "ml.prediction.confidence", model) as { count: number; sum: number };
      expect(confidence.count).toBe(2);
      expect(confidence.sum).toBeCloseTo(1.24, 10);
      // user-003's input was refused before the model ran: only two inputs are counted.
      expect(last(points, "ml.feature.value", { ...model, "ml.feature.name": "age" })).toMatchObject({
        count: 2,
        sum: 90,
      });
      const plan = (value: string) =>
        last(points, "ml.feature.category", {
          ...model,
          "ml.feature.name": "plan",
          "ml.feature.category.value": value,
        });
      expect([plan("basic"), plan("premium")]).toEqual([1, 1]);
      expect(last(points, "ml.outcomes", { ...model, "ml.outcome.joined": true })).toBe(2);
      expect(last(points, "ml.outcomes.correct", model)).toBe(1);
    } finally {
      await collector.stop();
    }
  }, 90_000);
});
