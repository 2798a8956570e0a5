import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildChild, runChild } from "../../packages/core/test/run-child.js";
import { type RunningCollector, readRecords, startCollector, waitFor } from "./collector.js";

let collector: RunningCollector;
beforeAll(async () => {
  await buildChild();
  collector = await startCollector();
});
afterAll(() => collector?.stop());

describe("OTEL_EXPORTER_OTLP_PROTOCOL=grpc", () => {
  it("delivers the logs to the real collector's gRPC receiver", async () => {
    const run = runChild("", "exit", 500, {
      OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://${collector.otlpGrpcEndpoint}`,
      CHILD_STDOUT: "1",
    });
    const [code] = await run.exited;
    expect(code).toBe(0);
    expect(run.lines().filter((line) => line.event === "telemetry_records_dropped")).toEqual([]);
    const ticks = await waitFor(async () => {
      const records = (await readRecords(collector.outputFile)).filter((r) => r.eventName === "tick");
      return records.length >= 500 ? records : undefined;
    });
    expect(new Set(ticks.map((r) => r.attributes.seq))).toHaveProperty("size", 500);
    expect(ticks[0]?.resource["service.name"]).toBe("shutdown-child");
  });
});
