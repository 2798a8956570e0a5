import { writeSync } from "node:fs";
import { inspect } from "node:util";
import type { Logger } from "../logger.js";

/** What `installShutdownHooks()` needs: the logger for the fatal record, and the flush-and-close. */
export interface ShutdownHookOptions {
  logger: Logger;
  /** Flushes and closes everything within its own deadline; never rejects. */
  shutdown: () => Promise<void>;
  /** Flushes everything without closing; never rejects. */
  flush: () => Promise<void>;
}

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

/**
 * Delivers what is buffered before the process ends: on SIGTERM and SIGINT it shuts down, then
 * lets the signal take its default course (or only flushes when the application listens for it
 * too); on `beforeExit` it shuts down; on an uncaught exception it logs it as `fatal`, shuts down, prints
 * it as Node does and exits with 1 (or only flushes when the application handles it itself).
 * A second signal during the shutdown ends the process at once. Returns the uninstaller.
 */
export function installShutdownHooks(options: ShutdownHookOptions): () => void {
  const onSignal = (signal: NodeJS.Signals) => {
    // The application listens too, so it decides how the process ends and may still log: deliver
    // what is buffered and leave the shutdown to beforeExit, `shutdown()` or the exit report.
    if (process.listenerCount(signal) > 1) {
      void options.flush();
      return;
    }
    uninstall();
    void options.shutdown().finally(() => {
      if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
    });
  };
  const onBeforeExit = () => {
    uninstall();
    void options.shutdown();
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

  function uninstall(): void {
    if (!installed) return;
    installed = false;
    for (const signal of SIGNALS) process.off(signal, onSignal);
    process.off("beforeExit", onBeforeExit);
    process.off("uncaughtException", onUncaught);
  }
  return uninstall;
}
