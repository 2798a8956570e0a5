import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));

async function start(): Promise<Record<string, unknown>[]> {
  const env = { ...process.env };
  for (const key of ["LOG_FORMAT", "LOG_LEVEL", "NODE_ENV"]) delete env[key];
  const { stdout } = await run(process.execPath, ["index.js"], { cwd: here, env });
  return stdout
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("examples/json-output", () => {
  it("prints one JSON object per line with the tutorial's fields, from the ml_model logger", async () => {
    const records = await start();
    expect(records).toHaveLength(6);
    const [complete, failed] = records;
    expect(complete).toEqual({
      timestamp: expect.stringMatching(ISO),
      level: "info",
      event: "prediction_complete",
      logger: "ml_model",
      prediction: 0.87,
      latency_ms: 142,
      model_version: "v2.1",
    });
    expect(failed).toEqual({
      timestamp: expect.stringMatching(ISO),
      level: "error",
      event: "model_failed",
      logger: "ml_model",
      error: "ValueError: input has NaN",
      model_version: "v2.1",
    });
  });

  it("gives every record of a request its own request_id, and none to records outside a request", async () => {
    const records = await start();
    expect(records.slice(0, 2).every((r) => !("request_id" in r))).toBe(true);
    const requests = records.slice(2);
    expect(requests.map((r) => r.event)).toEqual([
      "request_received",
      "prediction_complete",
      "request_received",
      "request_failed",
    ]);
    const [first, second] = [requests[0]!.request_id, requests[2]!.request_id];
    expect(first).toMatch(UUID);
    expect(second).toMatch(UUID);
    expect(first).not.toBe(second);
    expect(requests.map((r) => r.request_id)).toEqual([first, first, second, second]);
    expect(requests[0]).toMatchObject({ payload_keys: ["feature_1", "feature_2"] });
    expect(requests[1]).toMatchObject({ level: "info", prediction: 0.73, model: "churn-v3" });
    expect(requests[2]).toMatchObject({ payload_keys: ["feature_2"] });
    expect(requests[3]).toMatchObject({
      level: "error",
      error: "Error: Missing required feature: feature_1",
      exception: {
        type: "Error",
        message: "Missing required feature: feature_1",
        stacktrace: expect.stringContaining("at handleRequest"),
      },
    });
  });
});
