import { writeSync } from "node:fs";
import { inspect } from "node:util";
import { endSinks } from "../internal/sink.js";
import { warn } from "../internal/warn.js";
import type { Logger } from "../logger.js";

/** What `installShutdownHooks()` needs: the logger for the fatal record, and the flush-and-close. */
export interface ShutdownHookOptions {
  logger: Logger;
  /** Flushes and closes everything within its own deadline; never rejects. */
  shutdown: () => Promise<void>;
  /** Flushes everything without closing; never rejects. */
  flush: () => Promise<void>;
  /**
   * How long `shutdown()` may take. A repeated signal within it (plus a second of margin) does not
   * cut the shutdown short; a later one ends the process at once. Default: 5000 ms.
   */
  timeoutMs?: number;
  /** Reports what is still undelivered, synchronously, when a late repeated signal ends the process. */
  reportUndelivered?: () => void;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;
/** Past the deadline, what a shutdown may still need: its last synchronous writes. */
const MARGIN_MS = 1000;

/**
 * Delivers what is buffered before the process ends: on SIGTERM and SIGINT it shuts down, then
 * lets the signal take its default course (or only flushes when the application listens for it
 * too); on `beforeExit` it shuts down; on an uncaught exception it logs it as `fatal`, shuts down, prints
 * it as Node does and exits with 1 (or only flushes when the application handles it itself).
 * A repeated signal during the shutdown (what `timeout`, process managers and an impatient Ctrl-C
 * send) does not cut it short; one after the deadline ends the process at once, after a
 * synchronous report of what is undelivered. Returns the uninstaller.
 */
export function installShutdownHooks(options: ShutdownHookOptions): () => void {
  const timeoutMs = options.timeoutMs ?? 5000;
  let stopping: { signal: NodeJS.Signals; deadline: number } | undefined;

  const die = (signal: NodeJS.Signals) => {
    removeSignalListeners();
    if (process.listenerCount(signal) > 0) return;
    // The signal ends the process without an `exit` event: what the sinks still hold (a line a
    // slow reader took half of) is written now, or counted and reported.
    endSinks();
    process.kill(process.pid, signal);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      if (Date.now() < stopping.deadline) {
        warn(
          `mlobs: ${signal} again during the shutdown; delivering what is buffered first (at most ${Math.max(0, stopping.deadline - Date.now())} ms)`,
        );
        return;
      }
      options.reportUndelivered?.();
      die(signal);
      return;
    }
    // The application listens too, so it decides how the process ends and may still log: deliver
    // what is buffered and leave the shutdown to beforeExit, `shutdown()` or the exit report.
    if (process.listenerCount(signal) > 1) {
      void options.flush();
      return;
    }
    stopping = { signal, deadline: Date.now() + timeoutMs + MARGIN_MS };
    // The signal listeners stay, to hold off repeated signals; the others go.
    removeOtherListeners();
    void options.shutdown().finally(() => die(signal));
  };
  const onBeforeExit = () => {
    uninstall();
    void options.shutdown().finally(() => {
      // The event loop was empty when the shutdown began: whatever still holds it now is an export
      // the deadline gave up on (a hanging collector), which must not keep the process past it.
      setTimeout(() => process.exit(), 0).unref();
    });
  };
  const onUncaught = (error: unknown, origin: NodeJS.UncaughtExceptionOrigin) => {
    // Alone, this listener stands in for Node's default: report, deliver, then die as Node would.
    const alone = process.listenerCount("uncaughtException") === 1;
    try {
      const event = origin === "unhandledRejection" ? "unhandled_rejection" : "uncaught_exception";
      options.logger.fatal(event, error instanceof Error ? error : { error: String(error) });
    } catch {
      // The logger never throws; this guards a broken custom output only.
    }
    if (!alone) {
      void options.flush();
      return;
    }
    uninstall();
    void options.shutdown().finally(() => {
      try {
        writeSync(2, `${inspect(error)}\n\nNode.js ${process.version}\n`);
      } finally {
        process.exit(1);
      }
    });
  };

  for (const signal of SIGNALS) process.on(signal, onSignal);
  process.on("beforeExit", onBeforeExit);
  process.on("uncaughtException", onUncaught);
  let installed = true;

  function removeSignalListeners(): void {
    for (const signal of SIGNALS) process.off(signal, onSignal);
  }
  function removeOtherListeners(): void {
    process.off("beforeExit", onBeforeExit);
    process.off("uncaughtException", onUncaught);
  }
  function uninstall(): void {
    if (!installed) return;
    installed = false;
    removeSignalListeners();
    removeOtherListeners();
  }
  return uninstall;
}
