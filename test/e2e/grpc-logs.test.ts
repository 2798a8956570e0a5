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
  const ways = [
    ["the endpoint option", (url: string) => ({ receiver: url, env: {} })],
    [
      "OTEL_EXPORTER_OTLP_ENDPOINT",
      (url: string) => ({ receiver: "", env: { OTEL_EXPORTER_OTLP_ENDPOINT: url } }),
    ],
  ] as const;

  for (const [way, configure] of ways) {
    it(`delivers the logs to the real collector's gRPC receiver, the endpoint given as ${way}`, async () => {
      const before = (await readRecords(collector.outputFile)).length;
      const { receiver, env } = configure(`http://${collector.otlpGrpcEndpoint}`);
      const run = runChild(receiver, "exit", 500, {
        OTEL_EXPORTER_OTLP_PROTOCOL: "grpc",
        CHILD_STDOUT: "1",
        ...env,
      });
      const [code] = await run.exited;
      expect(code).toBe(0);
      expect(run.lines().filter((line) => line.event === "telemetry_records_dropped")).toEqual([]);
      const ticks = await waitFor(async () => {
        const records = (await readRecords(collector.outputFile))
          .slice(before)
          .filter((r) => r.eventName === "tick");
        return records.length >= 500 ? records : undefined;
      });
      expect(new Set(ticks.map((r) => r.attributes.seq))).toHaveProperty("size", 500);
      expect(ticks[0]?.resource["service.name"]).toBe("shutdown-child");
    });
  }
});
