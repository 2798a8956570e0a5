import { afterEach, describe, expect, it } from "vitest";
import { createLogCapture } from "../testing.js";
import { startTelemetry, type Telemetry } from "./start-telemetry.js";
import { startTestReceiver, type TestReceiver } from "./test-receiver.js";

let running: Telemetry | undefined;
let receiver: TestReceiver | undefined;

afterEach(async () => {
  await running?.shutdown();
  await receiver?.stop();
  running = undefined;
  receiver = undefined;
});

describe("startTelemetry()", () => {
  it("delivers logs over OTLP/HTTP protobuf with the resource and the span's trace context", async () => {
    receiver = await startTestReceiver();
    const capture = createLogCapture();
    running = startTelemetry({
      serviceName: "ranker",
      serviceVersion: "1.4.0",
      environment: "staging",
      endpoint: receiver.url,
      handleSignals: false,
      logger: { outputs: [capture], name: "ml_model" },
    });
    const { logger, tracer } = running;
    const traceId = tracer.startActiveSpan("predict", (span) => {
      logger.info("prediction_complete", { prediction: 0.87, model: { name: "churn", version: 3 } });
      span.end();
      return span.spanContext().traceId;
    });
    await running.flush();
    await receiver.waitFor(() => receiver!.logs.length === 1);
    const [log] = receiver.logs;
    expect(log).toMatchObject({
      eventName: "prediction_complete",
      body: "prediction_complete",
      severityNumber: 9,
      severityText: "info",
      traceId,
      scope: { name: "ml_model" },
      attributes: { prediction: 0.87, model: { name: "churn", version: 3 } },
      resource: {
        "service.name": "ranker",
        "service.version": "1.4.0",
        "deployment.environment.name": "staging",
      },
    });
    expect(receiver.requests.find((r) => r.path === "/v1/logs")?.contentType).toBe("application/x-protobuf");
    expect(capture.entries[0]).toMatchObject({ event: "prediction_complete", trace_id: traceId });
    await running.shutdown();
    expect(receiver.spans.map((s) => s.name)).toContain("predict");
  });
});
