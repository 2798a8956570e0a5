import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { runExample } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));

describe("examples/express-requests", () => {
  it("gives each request's records its own fields and one trace_id, over two keep-alive connections", async () => {
    const { code, entries, stderr } = await runExample(DIR);
    expect(code, stderr).toBe(0);
    const stopped = entries.find((e) => e.event === "service_stopped");
    expect(stopped).toMatchObject({ requests: 8, connections: 2 });
    expect(stopped!.request_id).toBeUndefined();
    // Node 20 has no Map.groupBy.
    const requests = new Map<unknown, typeof entries>();
    for (const entry of entries.filter((e) => e.event !== "service_stopped")) {
      requests.set(entry.request_id, [...(requests.get(entry.request_id) ?? []), entry]);
    }
    expect(requests.size).toBe(8);
    const traceIds = new Set<unknown>();
    const users = new Set<unknown>();
    for (const records of requests.values()) {
      expect(records.map((e) => e.event).sort()).toEqual([
        "prediction_complete",
        "request_finished",
        "request_received",
      ]);
      const [first] = records;
      users.add(first!.user_id);
      traceIds.add(first!.trace_id);
      expect(first!.trace_id).toMatch(/^[0-9a-f]{32}$/);
      const inExperiment = ["user-001", "user-004", "user-007"].includes(first!.user_id as string);
      for (const record of records) {
        expect(record).toMatchObject({
          user_id: first!.user_id,
          trace_id: first!.trace_id,
          path: "/predict",
        });
        expect(record.experiment).toBe(inExperiment ? "threshold-v2" : undefined);
      }
    }
    expect(users.size).toBe(8);
    expect(traceIds.size).toBe(8);
  });
});
