/**
 * A service for the shutdown tests, run as its own process: it starts telemetry against
 * RECEIVER_URL and logs `tick` records with a sequence number in bursts of 1000, telling the
 * parent how many it has logged. CHILD_END says how it ends: `signal` (waits for the parent's
 * signal), `signal-exit` (as `signal`, with the application's own SIGTERM listener logging one
 * more record and calling `process.exit(0)`), `throw` (an uncaught exception after RECORDS
 * records), `exit` (the event loop empties) or `process-exit` (`process.exit(0)` right after
 * logging) or `shutdown` (main awaits `shutdown()`, with a span and a metric point to export, and returns). With CHILD_STDOUT=1 the logger also writes JSON lines to stdout. SHUTDOWN_TIMEOUT_MS
 * sets the deadline (default 20 s).
 */
import { startTelemetry } from "../src/otel/start-telemetry.js";

const records = Number(process.env.RECORDS ?? 100_000);
const end = process.env.CHILD_END ?? "signal";
const telemetry = startTelemetry({
  serviceName: "shutdown-child",
  endpoint: process.env.RECEIVER_URL || undefined,
  shutdownTimeoutMs: Number(process.env.SHUTDOWN_TIMEOUT_MS ?? 20_000),
  logger: process.env.CHILD_STDOUT === "1" ? { format: "json" } : { outputs: [] },
});

let seq = 0;
async function burst(): Promise<void> {
  while (seq < records) {
    for (let i = 0; i < 1000 && seq < records; i++) telemetry.logger.info("tick", { seq: seq++ });
    process.send?.({ logged: seq });
    await new Promise((resolve) => setImmediate(resolve));
  }
  if (end === "throw") throw new Error("model file is corrupt");
  if (end === "process-exit") process.exit(0);
  // A span and a metric point too, so their final exports are part of the shutdown.
  if (end === "shutdown") {
    telemetry.tracer.startActiveSpan("last", (span) => span.end());
    telemetry.meter.createCounter("ticks").add(seq);
    await telemetry.shutdown();
  }
  // Its last record is still queued at the exit, however fast the earlier ones were delivered.
  if (end === "signal-exit")
    process.on("SIGTERM", () => {
      telemetry.logger.info("tick", { seq: seq++ });
      process.exit(0);
    });
  if (end === "signal" || end === "signal-exit") setInterval(() => {}, 1000);
  // The IPC channel must not keep the process alive once the work is done.
  process.channel?.unref();
}

void burst().catch((error: unknown) => {
  // Rethrown outside the promise chain: an uncaught exception, not an unhandled rejection.
  setImmediate(() => {
    throw error;
  });
});
