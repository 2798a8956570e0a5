import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);

// The OpenTelemetry JS 3.x packages declare Node.js >= 22.15; on older lines the example is not run.
describe.skipIf(major < 22 || (major === 22 && minor < 15))("examples/otel-sdk-3", () => {
  it("hands every record to the 3.x SDK's LoggerProvider with the trace id of the 3.x tracer's span", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    const lines = entries.filter((e) => e.event !== undefined);
    const exported = entries.flatMap((e) =>
      e.exported === undefined ? [] : [e.exported as Record<string, unknown>],
    );
    expect(lines.map((e) => e.event)).toEqual(["prediction_complete", "low_confidence_prediction"]);
    expect(exported.map((e) => e.eventName)).toEqual(["prediction_complete", "low_confidence_prediction"]);
    const traceId = lines[0]!.trace_id;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    for (const [i, line] of lines.entries()) {
      expect(line.trace_id).toBe(traceId);
      expect(exported[i]).toMatchObject({ trace_id: traceId, span_id: line.span_id });
    }
    expect(exported[0]).toMatchObject({
      severityText: "info",
      attributes: { model_version: "v2.1", prediction: 0.87, latency_ms: 142 },
    });
    expect(exported[1]).toMatchObject({
      severityText: "warn",
      attributes: { model_version: "v2.1", prediction: 0.56, threshold: 0.6 },
    });
  });
});
