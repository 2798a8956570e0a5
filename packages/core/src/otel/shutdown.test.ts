import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { type ReceiverAnswer, startTestReceiver, type TestReceiver } from "../../test/otlp-receiver.js";
import { buildChild, type RunningChild, runChild, until } from "../../test/run-child.js";

beforeAll(buildChild);

const receivers: TestReceiver[] = [];
afterEach(async () => {
  for (const receiver of receivers.splice(0)) await receiver.stop();
});

async function receiver(answer: ReceiverAnswer | "down" = "accept"): Promise<TestReceiver> {
  const started = await startTestReceiver({ listen: answer !== "down" });
  if (answer !== "down") started.answer(answer);
  receivers.push(started);
  return started;
}

/** The distinct sequence numbers the receiver got. */
function delivered(sink: TestReceiver): Set<number> {
  return new Set(sink.logs.filter((r) => r.eventName === "tick").map((r) => r.attributes.seq as number));
}

/** The drop reports the child wrote on stdout. */
function reports(run: RunningChild): Record<string, unknown>[] {
  return run.lines().filter((line) => line.event === "telemetry_records_dropped");
}

function reportedCount(run: RunningChild): number {
  return reports(run).reduce((sum, report) => sum + (report.count as number), 0);
}

const BURST = 20_000;

describe("the shutdown of startTelemetry(), in a real process", () => {
  it("survives a second SIGTERM 50 ms into the flush: every record of a 20,000-record burst is delivered", async () => {
    const sink = await receiver();
    const run = runChild(sink.url, "signal", BURST, { CHILD_STDOUT: "1" });
    await until(() => run.logged() >= BURST, run.child);
    run.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill("SIGTERM");
    const [code, signal] = await run.exited;
    expect({ code, signal }).toEqual({ code: null, signal: "SIGTERM" });
    expect(delivered(sink).size + reportedCount(run)).toBe(BURST);
    expect(delivered(sink).size).toBe(BURST);
  });

  it("with the collector down, two SIGTERMs 50 ms apart: every record reported with its count and cause before exit", async () => {
    const sink = await receiver("down");
    const run = runChild(sink.url, "signal", BURST, { CHILD_STDOUT: "1", SHUTDOWN_TIMEOUT_MS: "1500" });
    await until(() => run.logged() >= BURST, run.child);
    run.child.kill("SIGTERM");
    await new Promise((resolve) => setTimeout(resolve, 50));
    run.child.kill("SIGTERM");
    const [, signal] = await run.exited;
    expect(signal).toBe("SIGTERM");
    expect(reportedCount(run)).toBe(BURST);
    for (const report of reports(run)) expect(report.cause).toMatch(/ECONNREFUSED/);
    expect(run.stderr()).toContain("SIGTERM again during the shutdown");
  });
});

const DEADLINE_MS = 1500;

describe("a deadline that holds, whatever the collector does", () => {
  // The bound itself is the promise under test (the process ends within its shutdown deadline plus
  // 1 s); a child's start and a slow CI machine are outside the measured span, which begins when the
  // child says it logged its last record (main returns) or when the signal is sent.
  const cases: [string, ReceiverAnswer | "down", RegExp][] = [
    ["answers 500", { status: 500, body: "internal error: disk quota" }, /HTTP 500.*disk quota/],
    [
      "answers 429 with Retry-After: 30",
      { status: 429, headers: { "retry-after": "30" } },
      /HTTP 429.*Retry-After 30 s/,
    ],
    ["answers 400", { status: 400, body: "bad request: unknown field" }, /HTTP 400.*unknown field/],
    ["never answers", "hang", /no answer from/],
    ["is down", "down", /ECONNREFUSED/],
  ];

  /** A child that logs 2,000 records and ends as `end` says, and how long after its last record it exited. */
  async function exitAfterLastRecord(answer: ReceiverAnswer | "down", end: "exit" | "shutdown") {
    const sink = await receiver(answer);
    const run = runChild(sink.url, end, 2000, {
      CHILD_STDOUT: "1",
      SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
      // One request per attempt cannot outlast the deadline either.
      OTEL_EXPORTER_OTLP_TIMEOUT: "10000",
    });
    const [code] = await run.exited;
    expect(code).toBe(0);
    return { run, took: Date.now() - (run.doneAt() ?? Date.now()) };
  }

  for (const [what, answer, cause] of cases) {
    it(`when the collector ${what}: the drop report names the cause, and main's return exits within the deadline + 1 s`, async () => {
      const { run, took } = await exitAfterLastRecord(answer, "exit");
      expect(took).toBeLessThan(DEADLINE_MS + 1000);
      expect(reportedCount(run)).toBe(2000);
      for (const report of reports(run)) expect(report.cause).toMatch(cause);
      console.log(`collector ${what}: exit ${took} ms after main returned (deadline ${DEADLINE_MS} ms)`);
    });
  }

  it("when the collector never answers and SIGTERM comes: exits within the deadline + 1 s", async () => {
    const sink = await receiver("hang");
    const run = runChild(sink.url, "signal", 2000, {
      CHILD_STDOUT: "1",
      SHUTDOWN_TIMEOUT_MS: String(DEADLINE_MS),
    });
    await until(() => run.logged() >= 2000, run.child);
    const sent = Date.now();
    run.child.kill("SIGTERM");
    const [, signal] = await run.exited;
    const took = Date.now() - sent;
    expect(signal).toBe("SIGTERM");
    expect(took).toBeLessThan(DEADLINE_MS + 1000);
    expect(reportedCount(run)).toBe(2000);
    console.log(`collector hangs, SIGTERM: exit ${took} ms after the signal (deadline ${DEADLINE_MS} ms)`);
  });

  // shutdown() resolves within the deadline; the final span and metric exports it started, each
  // capped at the deadline too, may hold the event loop for one more deadline.
  it("when the collector never answers and main awaits shutdown(): the process ends within twice the deadline + 1 s", async () => {
    const { run, took } = await exitAfterLastRecord("hang", "shutdown");
    expect(took).toBeLessThan(2 * DEADLINE_MS + 1000);
    expect(reportedCount(run)).toBe(2000);
    console.log(
      `collector hangs, await shutdown(): exit ${took} ms after main's last record (deadline ${DEADLINE_MS} ms)`,
    );
  });

  it("retries after the collector's Retry-After, inside the retry window, and then delivers", async () => {
    const sink = await receiver();
    sink.answer({ status: 429, headers: { "retry-after": "2" } });
    const run = runChild(sink.url, "signal", 100, { CHILD_STDOUT: "1" });
    await until(() => sink.requests.some((r) => r.path === "/v1/logs"), run.child);
    const refusedAt = Date.now();
    sink.answer("accept");
    await until(() => delivered(sink).size === 100, run.child);
    const waited = Date.now() - refusedAt;
    run.child.kill("SIGTERM");
    await run.exited;
    // Our backoff alone would have come back after 100 ms.
    expect(waited).toBeGreaterThanOrEqual(1500);
    console.log(`Retry-After 2: came back after ${waited} ms`);
  });
});
