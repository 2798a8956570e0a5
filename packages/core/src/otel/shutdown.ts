import { metrics, trace } from "@opentelemetry/api";
import type { LoggerProvider } from "@opentelemetry/sdk-logs";
import { diagnostics } from "../internal/diagnostics.js";
import { endSinks } from "../internal/sink.js";
import type { Output } from "../record.js";
import type { BoundedBatchProcessor, DropReason } from "./bounded-batch-processor.js";

/** What one shutdown closes, in order. */
export interface ShutdownParts {
  /** Our log pipeline, when we built one. */
  provider: LoggerProvider | undefined;
  processor: BoundedBatchProcessor | undefined;
  /** The NodeSDK we started (spans, metrics), when we started one. */
  sdk: { shutdown(): Promise<void> } | undefined;
  /** The OTLP output, closed after the provider. */
  otel: Output | undefined;
  /** The local outputs (stdout, files): closed last, after the drop reports are written to them. */
  localOutputs: readonly Output[];
  timeoutMs: number;
  /** Writes a drop report on the local outputs, synchronously. */
  report: (count: number, reason: DropReason, cause: string | undefined) => void;
  /** Unregisters the OpenTelemetry globals this start registered. */
  release: () => void;
}

/** The flush, the shutdown and the synchronous last report of a started telemetry. */
export interface Shutdown {
  flush(): Promise<void>;
  /** Resolves within `timeoutMs` (plus the local outputs' synchronous close); never rejects. */
  shutdown(): Promise<void>;
  /**
   * Counts and reports, synchronously, what is still undelivered, for a process that ends now
   * (`process.exit()`, a signal after the deadline): it is never lost silently.
   */
  reportUndelivered(): void;
}

/**
 * Orchestrates the end: logs first (their processor has its own, shorter deadline and reports its
 * drops, also as a metric), then spans and metrics, so the last drop count is exported too; then
 * the local outputs, which hold the reports. An `exit` listener reports what a `process.exit()` cut short.
 */
export function createShutdown(parts: ShutdownParts): Shutdown {
  const { provider, processor, sdk, otel, localOutputs, timeoutMs } = parts;

  async function flush(): Promise<void> {
    await settle([
      provider?.forceFlush(),
      sdk === undefined ? undefined : flushSdk(),
      ...localOutputs.map((o) => o.flush()),
    ]);
  }

  function reportUndelivered(): void {
    if (processor !== undefined) {
      const { pending, lastError } = processor.stats;
      if (pending > 0) {
        diagnostics.dropped += pending;
        parts.report(pending, "process_exit", lastError);
      }
      // Drops of the last second are still waiting for their report.
      processor.reportDrops();
    }
    for (const output of localOutputs) void output.flush().catch(() => {});
    // The process ends after this, with no later turn: the buffered outputs (stdout, files) write
    // the reports now, waiting briefly for a reader whose pipe is full, as the exit hook does.
    endSinks();
  }
  process.on("exit", reportUndelivered);

  let shutdownPromise: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    shutdownPromise ??= (async () => {
      await withDeadline(
        (async () => {
          await settle([provider?.shutdown()]);
          await settle([sdk?.shutdown()]);
        })(),
        timeoutMs,
      );
      // The OTLP output closes at once (later records are counted as dropped); its flush is the
      // provider's shutdown above, which the deadline may have cut short: not waited for again.
      otel?.shutdown().catch(() => {});
      // Whatever the deadline cut short in the processor it has already dropped and reported.
      await settle(localOutputs.map((output) => output.shutdown()));
      // Only now: a process.exit() during the shutdown (an application's own signal listener) must
      // still report what it cut short.
      process.off("exit", reportUndelivered);
      parts.release();
    })();
    return shutdownPromise;
  }

  return { flush, shutdown, reportUndelivered };
}

async function flushSdk(): Promise<void> {
  // NodeSDK has no forceFlush; its providers are the global ones it registered.
  const providers = [trace.getTracerProvider(), metrics.getMeterProvider()] as unknown[];
  await settle(
    providers.map((provider) => {
      const target = (provider as { getDelegate?: () => unknown }).getDelegate?.() ?? provider;
      const forceFlush = (target as { forceFlush?: () => Promise<unknown> }).forceFlush;
      return typeof forceFlush === "function" ? forceFlush.call(target) : undefined;
    }),
  );
}

async function settle(work: (Promise<unknown> | undefined)[]): Promise<void> {
  await Promise.allSettled(work);
}

/** Resolves when `work` does or after `ms`; the timer keeps the process alive meanwhile. */
async function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}
