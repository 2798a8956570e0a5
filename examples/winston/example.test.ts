import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { startCollector } from "../../test/e2e/collector.js";
import { type Entry, parseLines, runExample as runShared } from "../../test/run-example.js";

const DIR = fileURLToPath(new URL(".", import.meta.url));
const USERS = 20;

let tmp: string | undefined;
afterEach(() => {
  if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  tmp = undefined;
});

/** Runs `node index.js` as a user would; parses its stdout and its log file, one JSON record per line. */
async function runExample(env: Record<string, string> = {}): Promise<{
  code: number | null;
  stdout: Entry[];
  file: Entry[];
  stderr: string;
}> {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-winston-example-"));
  const logFile = path.join(tmp, "predictions.log");
  const { code, entries, stderr } = await runShared(DIR, { LOG_FILE: logFile, ...env });
  return { code, stdout: entries, file: parseLines(fs.readFileSync(logFile, "utf8")), stderr };
}

describe("examples/winston", () => {
  it("every record of a request carries that request's trace id, on stdout and in the log file alike", async () => {
    const { code, stdout, file, stderr } = await runExample();
    expect(code, stderr).toBe(0);
    expect(stdout).toHaveLength(1 + 2 * USERS);
    expect(file).toEqual(stdout);
    const [started, ...requests] = stdout;
    expect(started).toMatchObject({ level: "info", message: "service_started", service: "churn-scoring" });
    const traceIds = new Set<unknown>();
    for (let i = 0; i < USERS; i++) {
      const user = `user-${String(i).padStart(3, "0")}`;
      const records = requests.filter((entry) => entry.user_id === user);
      expect(records.map((entry) => entry.message)).toEqual([
        "request_received",
        i % 7 === 6
          ? "prediction_failed"
          : expect.stringMatching(/^(prediction_complete|low_confidence_prediction)$/),
      ]);
      const [received, outcome] = records as [Entry, Entry];
      expect(received.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(received.span_id).toMatch(/^[0-9a-f]{16}$/);
      expect(received.trace_flags).toBe("01");
      expect(outcome.trace_id).toBe(received.trace_id);
      traceIds.add(received.trace_id);
      if (outcome.message === "prediction_failed") {
        expect(outcome).toMatchObject({ level: "error", error: 'feature "balance" is not a number' });
      } else if (outcome.message === "low_confidence_prediction") {
        expect(outcome.level).toBe("warn");
        expect(outcome.prediction as number).toBeLessThan(0.65);
      } else {
        expect(outcome.level).toBe("info");
        expect(outcome.prediction as number).toBeGreaterThanOrEqual(0.65);
      }
    }
    expect(traceIds.size).toBe(USERS);
  });

  it("sends the same records, once each, with the same trace ids, to the real collector", async () => {
    const collector = await startCollector();
    let run: Awaited<ReturnType<typeof runExample>>;
    try {
      run = await runExample({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.otlpHttpUrl });
    } finally {
      await collector.stop();
    }
    expect(run.code, run.stderr).toBe(0);
    const received = (await collector.readRecords()).filter(
      (record) => record.scope === "@mlobs/winston-bridge",
    );
    expect(received).toHaveLength(run.stdout.length);
    const severity: Record<string, number> = { info: 9, warn: 13, error: 17 };
    for (const entry of run.stdout) {
      const matches = received.filter(
        (record) => record.body === entry.message && record.attributes.user_id === entry.user_id,
      );
      expect(matches, JSON.stringify(entry)).toHaveLength(1);
      const [record] = matches;
      expect(record?.traceId).toBe(entry.trace_id ?? "");
      expect(record?.spanId).toBe(entry.span_id ?? "");
      expect(record?.severityText).toBe(entry.level);
      expect(record?.severityNumber).toBe(severity[entry.level as string]);
      expect(record?.resource["service.name"]).toBe("churn-scoring");
      expect(record?.attributes).not.toHaveProperty("trace_id");
      if (entry.message === "prediction_failed") {
        expect(record?.attributes).toMatchObject({
          error: entry.error,
          "exception.type": "TypeError",
          "exception.message": 'feature "balance" is not a number',
        });
        expect(record?.attributes["exception.stacktrace"]).toContain("predict");
      }
    }
  });
});
