import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));

describe("examples/correlation-ids", () => {
  it("gives every record of one request the same trace_id in both services, and each request its own", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    const users = ["user-001", "user-002", "user-003"];
    const traceIds = users.map((user) => {
      const records = entries.filter((e) => e.user_id === user);
      const gateway = records.filter((e) => e.service === "gateway").map((e) => e.event);
      const model = records.filter((e) => e.service === "model-service").map((e) => e.event);
      expect(gateway[0]).toBe("score_request_received");
      expect(model[0]).toBe("request_received");
      expect(gateway).toHaveLength(2);
      expect(model).toHaveLength(2);
      const ids = new Set(records.map((e) => e.trace_id));
      expect(ids.size, `${user}: ${JSON.stringify(records)}`).toBe(1);
      const [id] = ids;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      // Each service logs from its own span: the model service's are children of the gateway's.
      expect(new Set(records.map((e) => e.span_id)).size).toBeGreaterThan(1);
      return id;
    });
    expect(new Set(traceIds).size).toBe(3);

    const byEvent = (user: string, event: string) =>
      entries.find((e) => e.user_id === user && e.event === event);
    expect(byEvent("user-001", "low_confidence_prediction")).toMatchObject({
      level: "warn",
      prediction: 0.56,
    });
    expect(byEvent("user-001", "score_response_sent")).toMatchObject({ level: "info", prediction: 0.56 });
    expect(byEvent("user-002", "prediction_complete")).toMatchObject({ level: "info", prediction: 0.68 });
    expect(byEvent("user-003", "prediction_failed")).toMatchObject({
      level: "error",
      error: 'InvalidFeatureError: missing required feature "campaign"',
    });
    expect(byEvent("user-003", "model_service_rejected")).toMatchObject({
      level: "warn",
      status: 422,
      reason: 'missing required feature "campaign"',
    });
    for (const service of ["gateway", "model-service"]) {
      expect(entries.filter((e) => e.service === service).map((e) => e.event)).toContain("service_stopped");
    }
  }, 60_000);
});
