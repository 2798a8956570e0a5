import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import {
  COLLECTOR_CONFIGS,
  type FlatRecord,
  type RunningCollector,
  SHIPPED_CONFIG,
  startCollector,
  waitFor,
} from "./collector.js";
import { expectAll, received, startService } from "./services.js";

const SERVICES = ["svc-a", "svc-b", "svc-c", "svc-d"];
const PER_SERVICE = 2_500;
const TRACES_PER_SERVICE = 250;

/** Records both gateways hold so far, each tagged with the gateway that wrote it. */
async function readBoth(gateways: RunningCollector[]): Promise<(FlatRecord & { gateway: number })[]> {
  const files = await Promise.all(gateways.map((g) => g.readRecords()));
  return files.flatMap((records, gateway) => records.map((r) => ({ ...r, gateway })));
}

describe("agent -> two gateways (collector/agent.yaml, collector/gateway.yaml)", () => {
  it("routes 10,000 records of 1,000 traces from 4 services, each trace to one gateway, none lost or doubled while a gateway restarts", async () => {
    const gateways = await Promise.all(
      [1, 2].map(() => startCollector({ configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.gateway] })),
    );
    const agent = await startCollector({
      configs: [COLLECTOR_CONFIGS.agent],
      env: { MLOBS_GATEWAYS: `[${gateways.map((g) => g.otlpGrpcEndpoint).join(", ")}]` },
    });
    try {
      const started = Date.now();
      const services = SERVICES.map((name) =>
        startService(agent, name, PER_SERVICE, "stream", { TRACES: String(TRACES_PER_SERVICE) }),
      );
      await Promise.all(services.map((s) => s.printed("streaming")));
      // Mid-stream: once the second gateway has written something, stop it (SIGTERM) for a second.
      const [, second] = gateways as [RunningCollector, RunningCollector];
      await waitFor(async () => (await second.readRecords()).length > 0, 20_000, 20);
      await second.stop("SIGTERM");
      const atStop = (await readBoth(gateways)).length;
      expect(atStop).toBeLessThan(SERVICES.length * PER_SERVICE); // the services are still sending
      await sleep(1_000);
      await second.restart();

      for (const service of services) {
        const { code, stdout, stderr } = await service.done;
        expect(code, stderr).toBe(0);
        expect(JSON.parse(stdout.trim().split("\n").at(-1) ?? "{}")).toMatchObject({
          delivered: PER_SERVICE,
          dropped: 0,
        });
      }
      const total = SERVICES.length * PER_SERVICE;
      await waitFor(async () => (await readBoth(gateways)).length >= total, 30_000, 100);
      await Promise.all([agent.stop(), ...gateways.map((g) => g.stop())]);
      const wallMs = Date.now() - started;

      const records = await readBoth(gateways);
      const byService = received(records); // fails on a record that arrived twice
      expect([...byService.keys()].sort()).toEqual(SERVICES);
      for (const seqs of byService.values()) expectAll(seqs, PER_SERVICE);
      expect(records).toHaveLength(total);

      const traces = new Map<string, { gateways: Set<number>; records: number }>();
      for (const r of records) {
        const trace = traces.get(r.traceId) ?? { gateways: new Set(), records: 0 };
        trace.gateways.add(r.gateway);
        trace.records++;
        traces.set(r.traceId, trace);
      }
      expect(traces.size).toBe(SERVICES.length * TRACES_PER_SERVICE);
      const split = [...traces].filter(([, t]) => t.gateways.size !== 1).map(([id]) => id);
      expect(split).toEqual([]);
      expect(new Set([...traces.values()].map((t) => t.records))).toEqual(
        new Set([PER_SERVICE / TRACES_PER_SERVICE]),
      );

      const perGateway = [0, 1].map((g) => records.filter((r) => r.gateway === g).length);
      const tracesPerGateway = [0, 1].map(
        (g) => [...traces.values()].filter((t) => t.gateways.has(g)).length,
      );
      console.log(
        `topology: ${total} records, ${traces.size} traces, 4 services -> 1 agent -> 2 gateways in ${wallMs} ms; ` +
          `records per gateway ${perGateway.join(" / ")}, traces per gateway ${tracesPerGateway.join(" / ")}; ` +
          `gateway 2 stopped (SIGTERM) for 1 s with ${atStop} records written; lost 0, duplicated 0, traces split 0`,
      );
      // Both gateways got a share: the ring spreads trace ids.
      for (const n of perGateway) expect(n).toBeGreaterThan(0);
    } finally {
      await Promise.all([agent.stop(), ...gateways.map((g) => g.stop())]);
    }
  }, 120_000);
});
