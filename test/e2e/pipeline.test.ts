import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { startCollector, waitFor } from "./collector.js";
import { expectAll, received, startService } from "./services.js";

describe("SDK -> collector -> file", () => {
  it("takes 10,000 records from 4 concurrent services: every one in the file, none twice, each with its trace id", async () => {
    const collector = await startCollector();
    try {
      const services = ["svc-a", "svc-b", "svc-c", "svc-d"].map((name) =>
        startService(collector, name, 2_500, "burst"),
      );
      for (const { done } of services) {
        const { code, stderr } = await done;
        expect(code, stderr).toBe(0);
      }
      await collector.stop();
      const records = await collector.readRecords();
      const byService = received(records);
      expect([...byService.keys()].sort()).toEqual(["svc-a", "svc-b", "svc-c", "svc-d"]);
      for (const seqs of byService.values()) expectAll(seqs, 2_500);
      for (const record of records) {
        expect(record.traceId).toMatch(/^[0-9a-f]{32}$/);
        expect(record.spanId).toMatch(/^[0-9a-f]{16}$/);
        expect(record.attributes.service).toBe(record.resource["service.name"]);
      }
    } finally {
      await collector.stop();
    }
  }, 120_000);

  it("loses nothing when the collector restarts in the middle of a stream (the SDK retries)", async () => {
    const collector = await startCollector();
    try {
      const service = startService(collector, "svc-stream", 3_000, "stream");
      await service.printed("streaming");
      // Stop once the first batch has arrived (the debug exporter prints it at once).
      await waitFor(() => collector.stdout().includes("LogRecord #"), 20_000);
      // Down for two seconds while the service keeps logging: its exports fail and are retried.
      await collector.stop();
      const downAt = (await collector.readRecords()).length;
      await sleep(2_000);
      await collector.restart();
      const { code, stderr } = await service.done;
      expect(code, stderr).toBe(0);
      await collector.stop();
      const records = await collector.readRecords();
      expect(downAt).toBeGreaterThan(0);
      expect(downAt).toBeLessThan(3_000);
      expectAll(received(records).get("svc-stream"), 3_000);
    } finally {
      await collector.stop();
    }
  }, 120_000);

  it("delivers every record logged before a SIGTERM that comes right after a burst", async () => {
    const collector = await startCollector();
    try {
      const service = startService(collector, "svc-sigterm", 20_000, "sigterm");
      await service.printed("logged");
      service.child.kill("SIGTERM");
      const { signal, stderr } = await service.done;
      // startTelemetry()'s handler delivers, then lets the signal end the process as Node would.
      expect(signal, stderr).toBe("SIGTERM");
      await collector.stop();
      expectAll(received(await collector.readRecords()).get("svc-sigterm"), 20_000);
    } finally {
      await collector.stop();
    }
  }, 120_000);
});
