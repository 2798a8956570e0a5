import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestReceiver, type TestReceiver } from "../../test/otlp-receiver.js";
import { buildChild, type ChildEnd, runChild as run, until } from "../../test/run-child.js";
import { createLogger } from "../configure.js";
import { createLogCapture } from "../testing.js";
import { installShutdownHooks } from "./install-shutdown-hooks.js";

beforeAll(buildChild);

let sink: TestReceiver;
beforeAll(async () => {
  sink = await startTestReceiver();
});
afterAll(() => sink.stop());

function runChild(end: ChildEnd, records: number, stdout = false) {
  sink.logs.length = 0;
  return run(sink.url, end, records, { CHILD_STDOUT: stdout ? "1" : "0" });
}

function sequences(): number[] {
  return sink.logs
    .filter((r) => r.eventName === "tick")
    .map((r) => r.attributes.seq as number)
    .sort((a, b) => a - b);
}

describe("installShutdownHooks() through startTelemetry()", () => {
  it("delivers every record logged before SIGTERM, then dies by the signal", async () => {
    const run = runChild("signal", 60_000);
    await until(() => run.logged() >= 20_000, run.child);
    const atSignal = run.logged();
    run.child.kill("SIGTERM");
    const [code, signal] = await run.exited;
    expect({ code, signal }).toEqual({ code: null, signal: "SIGTERM" });
    const delivered = sequences();
    expect(delivered.length).toBeGreaterThanOrEqual(atSignal);
    // A contiguous prefix: nothing lost in between, nothing twice.
    expect(delivered).toEqual(Array.from({ length: delivered.length }, (_, i) => i));
  });

  it("delivers the records and the uncaught exception as a fatal record, then exits with 1", async () => {
    const run = runChild("throw", 5000);
    const [code] = await run.exited;
    expect(code).toBe(1);
    expect(run.stderr()).toContain("Error: model file is corrupt");
    expect(sequences()).toEqual(Array.from({ length: 5000 }, (_, i) => i));
    const fatal = sink.logs.find((r) => r.eventName === "uncaught_exception");
    expect(fatal).toMatchObject({
      severityNumber: 21,
      attributes: { "exception.type": "Error", "exception.message": "model file is corrupt" },
    });
  });

  it("reports what process.exit() cut short on the local output, so nothing is lost silently", async () => {
    const run = runChild("process-exit", 20_000, true);
    const [code] = await run.exited;
    expect(code).toBe(0);
    const lines = run.lines();
    expect(lines.filter((l) => l.event === "tick")).toHaveLength(20_000);
    const report = lines.find((l) => l.event === "telemetry_records_dropped");
    // Records in flight at the exit may still have arrived: every record is delivered or reported.
    // On a slow machine the whole burst can be delivered before the exit, leaving nothing to report.
    if (report === undefined) expect(new Set(sequences()).size).toBe(20_000);
    else {
      expect(report).toMatchObject({ level: "warn", reason: "process_exit" });
      expect(new Set(sequences()).size + (report.count as number)).toBeGreaterThanOrEqual(20_000);
    }
  });

  it("reports what an application's process.exit() in its own SIGTERM listener cut short", async () => {
    const run = runChild("signal-exit", 20_000, true);
    await until(() => run.logged() >= 20_000, run.child);
    run.child.kill("SIGTERM");
    const [code] = await run.exited;
    expect(code).toBe(0);
    const lines = run.lines();
    // The listener's own record makes 20,001; it is still queued at the exit, so there is always a report.
    expect(lines.filter((l) => l.event === "tick")).toHaveLength(20_001);
    const reports = lines.filter((l) => l.event === "telemetry_records_dropped");
    expect(reports).not.toHaveLength(0);
    for (const report of reports) expect(report).toMatchObject({ level: "warn", reason: "process_exit" });
    const reported = reports.reduce((sum, report) => sum + (report.count as number), 0);
    expect(new Set(sequences()).size + reported).toBeGreaterThanOrEqual(20_001);
  });

  it("delivers everything when the event loop empties (beforeExit), exiting with 0", async () => {
    const run = runChild("exit", 5000);
    const [code] = await run.exited;
    expect(code).toBe(0);
    expect(sequences()).toEqual(Array.from({ length: 5000 }, (_, i) => i));
  });
});

describe("installShutdownHooks() in process", () => {
  function hooks() {
    const capture = createLogCapture();
    const calls: string[] = [];
    const uninstall = installShutdownHooks({
      logger: createLogger({ outputs: [capture] }),
      shutdown: async () => {
        calls.push("shutdown");
      },
      flush: async () => {
        calls.push("flush");
      },
    });
    return { capture, calls, uninstall };
  }

  it("only flushes on SIGTERM when the application listens for it too, and stays installed", async () => {
    const own = () => {};
    process.on("SIGTERM", own);
    const before = process.listenerCount("SIGTERM");
    const beforeExit = process.listenerCount("beforeExit");
    const { calls, uninstall } = hooks();
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    process.emit("SIGTERM", "SIGTERM");
    await Promise.resolve();
    // The application is in charge of the end: its records after the signal must still be delivered.
    expect(calls).toEqual(["flush"]);
    expect(process.listenerCount("SIGTERM")).toBe(before + 1);
    expect(process.listenerCount("beforeExit")).toBe(beforeExit + 1);
    uninstall();
    expect(process.listenerCount("SIGTERM")).toBe(before);
    process.off("SIGTERM", own);
  });

  it("shuts down when the event loop empties (beforeExit), then ends what the deadline gave up on", async () => {
    const exit = vi.spyOn(process, "exit").mockImplementation((() => {}) as () => never);
    try {
      const { calls } = hooks();
      process.emit("beforeExit", 0);
      await Promise.resolve();
      expect(calls).toEqual(["shutdown"]);
      // An export still hanging after the shutdown must not hold the process past its deadline.
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(exit).toHaveBeenCalledOnce();
    } finally {
      exit.mockRestore();
    }
  });

  it("logs an uncaught exception as fatal and only flushes when the application handles it too", async () => {
    const { calls, capture, uninstall } = hooks();
    // The test runner's own uncaughtException listener plays the application's.
    expect(process.listenerCount("uncaughtException")).toBeGreaterThan(1);
    process.emit("uncaughtException", new RangeError("bad shape"));
    await Promise.resolve();
    expect(calls).toEqual(["flush"]);
    expect(capture.entries[0]).toMatchObject({
      event: "uncaught_exception",
      level: "fatal",
      exception: { type: "RangeError", message: "bad shape" },
    });
    uninstall();
  });

  it("holds off a repeated signal during the shutdown, and past the deadline reports synchronously and lets it end the process", async () => {
    expect(process.listenerCount("SIGTERM")).toBe(0);
    let reported = 0;
    const uninstall = installShutdownHooks({
      logger: createLogger({ outputs: [] }),
      // A shutdown that never ends: only the repeated signal past the deadline can end the process.
      shutdown: () => new Promise(() => {}),
      flush: async () => {},
      timeoutMs: 0,
      reportUndelivered: () => {
        reported++;
      },
    });
    process.emit("SIGTERM", "SIGTERM");
    // Stands in for the default action, which would end the test runner: it is what re-raising meets.
    const stand = () => {};
    process.on("SIGTERM", stand);
    process.emit("SIGTERM", "SIGTERM");
    expect(reported).toBe(0);
    expect(process.listenerCount("SIGTERM")).toBe(2);
    // Past the deadline (0 ms) and its 1 s margin.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    process.emit("SIGTERM", "SIGTERM");
    expect(reported).toBe(1);
    expect(process.listeners("SIGTERM")).toEqual([stand]);
    process.off("SIGTERM", stand);
    uninstall();
  });

  it("removes every listener it added when uninstalled", () => {
    const events = ["SIGTERM", "SIGINT", "beforeExit", "uncaughtException"] as const;
    const before = events.map((e) => process.listenerCount(e));
    const { uninstall } = hooks();
    uninstall();
    uninstall();
    expect(events.map((e) => process.listenerCount(e))).toEqual(before);
  });
});
