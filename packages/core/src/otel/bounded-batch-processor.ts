import { context } from "@opentelemetry/api";
import { type ExportResult, ExportResultCode, suppressTracing } from "@opentelemetry/core";
import type { LogRecordExporter, LogRecordProcessor, SdkLogRecord } from "@opentelemetry/sdk-logs";
import { diagnostics } from "../internal/diagnostics.js";

/** Why records were dropped. */
export type DropReason =
  | "queue_full"
  | "export_failed"
  | "rejected"
  | "shutdown_timeout"
  | "after_shutdown"
  | "process_exit";

/** Options of `BoundedBatchProcessor`. */
export interface BoundedBatchProcessorOptions {
  /** Records waiting for export; past it new records are dropped and counted. Default: 262144. */
  maxQueueSize?: number;
  /** Records per export request. Default: 2048. */
  maxExportBatchSize?: number;
  /** Export requests in flight at once. Default: 2. */
  maxConcurrentExports?: number;
  /** How long a partial batch waits for more records. Default: 1000 ms. */
  scheduledDelayMillis?: number;
  /** How long one export call may take before it counts as failed (and is retried). Default: 30000 ms. */
  exportTimeoutMillis?: number;
  /**
   * How long a failing batch is retried before it is dropped: with backoff, or after the delay the
   * collector asked for (`Retry-After`). This is the only retry policy: the OTLP/HTTP log exporter
   * of `startTelemetry()` sends each request once. Default: 60000 ms.
   */
  retryWindowMillis?: number;
  /** The longest wait between retries. Default: 5000 ms. */
  maxBackoffMillis?: number;
  /** How long `shutdown()` may take; what is still undelivered then is dropped and counted. Default: 10000 ms. */
  shutdownTimeoutMillis?: number;
  /**
   * Told about drops, at most once per reason and second (and once more at shutdown or
   * `reportDrops()`), with the number dropped since the last call and the last export error
   * (`ECONNREFUSED`, `HTTP 500: ...`, a timeout) when there was one. `diagnostics.dropped` counts
   * them at once either way; records emitted after the shutdown are only counted there.
   */
  onDrop?: (count: number, reason: DropReason, cause: string | undefined) => void;
}

/** What a `BoundedBatchProcessor` has done so far. */
export interface DeliveryStats {
  /** Records the exporter reported delivered. */
  delivered: number;
  /** Records dropped, whatever the reason. */
  dropped: number;
  /** Records waiting or in flight. */
  pending: number;
  /** The last export error, e.g. `ECONNREFUSED` or `HTTP 503: overloaded`; undefined until one happens. */
  lastError?: string;
}

interface Batch {
  records: SdkLogRecord[];
  /** Sequence number of the batch's first record. */
  first: number;
}

const REPORT_INTERVAL_MS = 1000;
const INITIAL_BACKOFF_MS = 100;

function positive(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isFinite(value) || value < 1) {
    throw new TypeError(`mlobs: invalid ${name} ${JSON.stringify(value)}: expected a number >= 1`);
  }
  return Math.floor(value);
}

/**
 * A LogRecordProcessor that loses nothing silently: a bounded queue sized for bursts, batches
 * exported with a concurrency limit, failed exports retried with backoff within a window, and
 * every record it must give up on (queue full, retries exhausted, shutdown deadline) counted in
 * `diagnostics.dropped` and reported through `onDrop`. Memory is bounded by `maxQueueSize` plus
 * the batches in flight.
 * @example
 * new LoggerProvider({ processors: [new BoundedBatchProcessor(new OTLPLogExporter(), { onDrop })] });
 */
export class BoundedBatchProcessor implements LogRecordProcessor {
  readonly #exporter: LogRecordExporter;
  readonly #maxQueueSize: number;
  readonly #batchSize: number;
  readonly #concurrency: number;
  readonly #delay: number;
  readonly #exportTimeout: number;
  readonly #retryWindow: number;
  readonly #maxBackoff: number;
  readonly #shutdownTimeout: number;
  readonly #onDrop: ((count: number, reason: DropReason, cause: string | undefined) => void) | undefined;

  #queue: SdkLogRecord[] = [];
  /** Sequence number of the next record enqueued. */
  #next = 0;
  readonly #inFlight = new Set<Batch>();
  #delivered = 0;
  #dropped = 0;
  #timer: NodeJS.Timeout | undefined;
  #pumpScheduled = false;
  /** While > 0, partial batches are exported at once. */
  #flushing = 0;
  #waiters: { target: number; resolve: () => void }[] = [];
  #closed = false;
  #shutdownPromise: Promise<void> | undefined;
  #giveUp = false;
  readonly #unreported = new Map<DropReason, number>();
  #lastError: string | undefined;
  #reportTimer: NodeJS.Timeout | undefined;

  constructor(exporter: LogRecordExporter, options: BoundedBatchProcessorOptions = {}) {
    if (typeof exporter?.export !== "function") {
      throw new TypeError(
        "mlobs: BoundedBatchProcessor(exporter): expected a LogRecordExporter with export()",
      );
    }
    this.#exporter = exporter;
    this.#maxQueueSize = positive("maxQueueSize", options.maxQueueSize, 262_144);
    this.#batchSize = Math.min(
      positive("maxExportBatchSize", options.maxExportBatchSize, 2048),
      this.#maxQueueSize,
    );
    this.#concurrency = positive("maxConcurrentExports", options.maxConcurrentExports, 2);
    this.#delay = positive("scheduledDelayMillis", options.scheduledDelayMillis, 1000);
    this.#exportTimeout = positive("exportTimeoutMillis", options.exportTimeoutMillis, 30_000);
    this.#retryWindow = positive("retryWindowMillis", options.retryWindowMillis, 60_000);
    this.#maxBackoff = positive("maxBackoffMillis", options.maxBackoffMillis, 5000);
    this.#shutdownTimeout = positive("shutdownTimeoutMillis", options.shutdownTimeoutMillis, 10_000);
    this.#onDrop = options.onDrop;
  }

  /** Delivered, dropped and pending record counts. */
  get stats(): DeliveryStats {
    let pending = this.#queue.length;
    for (const batch of this.#inFlight) pending += batch.records.length;
    const stats: DeliveryStats = { delivered: this.#delivered, dropped: this.#dropped, pending };
    if (this.#lastError !== undefined) stats.lastError = this.#lastError;
    return stats;
  }

  onEmit(record: SdkLogRecord): void {
    if (this.#closed) {
      this.#drop(1, "after_shutdown");
      return;
    }
    if (this.#queue.length >= this.#maxQueueSize) {
      this.#drop(1, "queue_full");
      return;
    }
    this.#queue.push(record);
    this.#next++;
    if (this.#queue.length >= this.#batchSize) this.#schedulePump();
    else this.#arm();
  }

  /** Starts the timer that exports a partial batch after `scheduledDelayMillis`. */
  #arm(): void {
    if (this.#timer !== undefined || this.#queue.length === 0 || this.#closed) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#pump(true);
    }, this.#delay);
    this.#timer.unref();
  }

  /** Exports everything emitted so far; resolves once it is delivered or dropped. */
  async forceFlush(): Promise<void> {
    const target = this.#next;
    if (this.#oldestUnsettled() >= target) return;
    this.#flushing++;
    try {
      await new Promise<void>((resolve) => {
        this.#waiters.push({ target, resolve });
        this.#pump(true);
      });
    } finally {
      this.#flushing--;
    }
  }

  /**
   * Delivers everything, including records logged meanwhile, within `shutdownTimeoutMillis`; then
   * drops and counts what is left, reports drops not yet reported and shuts the exporter down.
   * Later records are dropped and counted.
   */
  shutdown(): Promise<void> {
    this.#shutdownPromise ??= this.#shutdown();
    return this.#shutdownPromise;
  }

  async #shutdown(): Promise<void> {
    let deadline: NodeJS.Timeout | undefined;
    // The deadline timer is not unref'd: it keeps the process alive until delivery ends.
    const expired = new Promise<true>((resolve) => {
      deadline = setTimeout(() => resolve(true), this.#shutdownTimeout);
    });
    // Records logged while shutting down (an application's own "stopping" records) are delivered too.
    let timedOut = false;
    while (!timedOut && (this.#queue.length > 0 || this.#inFlight.size > 0)) {
      timedOut = await Promise.race([this.forceFlush().then(() => false), expired]);
    }
    this.#closed = true;
    clearTimeout(this.#timer);
    if (timedOut) {
      this.#giveUp = true;
      // A collector that accepts the connection and never answers leaves no error behind: say so.
      if (this.#inFlight.size > 0 && this.#lastError === undefined) {
        this.#lastError = `no answer from the collector within the ${this.#shutdownTimeout} ms shutdown deadline`;
        diagnostics.lastExportError = this.#lastError;
      }
      const left = this.stats.pending;
      this.#queue = [];
      this.#inFlight.clear();
      if (left > 0) this.#drop(left, "shutdown_timeout");
      this.#settle();
    }
    this.#report();
    // Every record is settled: the exporter's shutdown failing, or waiting on a request that timed
    // out here (the OTLP exporters wait for theirs), loses nothing more and may not pass the deadline.
    const closed = Promise.resolve()
      .then(() => this.#exporter.shutdown())
      .catch(() => {});
    await Promise.race([closed, expired]);
    clearTimeout(deadline);
  }

  /** Reports the drops not reported yet through `onDrop` now, e.g. when the process is exiting. */
  reportDrops(): void {
    this.#report();
  }

  #schedulePump(): void {
    if (this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    // After the current burst of synchronous log calls, not inside it.
    setImmediate(() => {
      this.#pumpScheduled = false;
      this.#pump(false);
    });
  }

  #pump(partial: boolean): void {
    while (this.#inFlight.size < this.#concurrency && this.#queue.length > 0) {
      const full = this.#queue.length >= this.#batchSize;
      if (!full && !partial && this.#flushing === 0) break;
      const first = this.#next - this.#queue.length;
      const batch: Batch = { records: this.#queue.splice(0, this.#batchSize), first };
      this.#inFlight.add(batch);
      void this.#deliver(batch);
    }
    if (this.#queue.length === 0 && this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#arm();
  }

  async #deliver(batch: Batch): Promise<void> {
    const started = Date.now();
    let backoff = INITIAL_BACKOFF_MS;
    for (;;) {
      const result = await this.#exportOnce(batch.records);
      if (this.#giveUp) return;
      if (result.code === ExportResultCode.SUCCESS) {
        this.#delivered += batch.records.length;
        break;
      }
      this.#lastError = describeExportError(result.error);
      diagnostics.lastExportError = this.#lastError;
      if (!isRetryable(result.error)) {
        this.#drop(batch.records.length, "rejected");
        break;
      }
      // The collector's Retry-After is a minimum (a longer one wins over our backoff, inside the
      // same window); `Retry-After: 0` must not turn the retries into a tight loop.
      const wait = Math.max(retryAfterOf(result.error) ?? 0, backoff);
      if (Date.now() - started + wait > this.#retryWindow) {
        this.#drop(batch.records.length, "export_failed");
        break;
      }
      await sleep(wait);
      if (this.#giveUp) return;
      backoff = Math.min(backoff * 2, this.#maxBackoff);
    }
    this.#inFlight.delete(batch);
    this.#settle();
    this.#pump(false);
  }

  #exportOnce(records: SdkLogRecord[]): Promise<ExportResult> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve({
          code: ExportResultCode.FAILED,
          error: new Error(`no export result within ${this.#exportTimeout} ms`),
        });
      }, this.#exportTimeout);
      timer.unref();
      try {
        // Our own exports are never traced: the HTTP instrumentation would otherwise record a client
        // span per request, under whatever span was active when the batch filled (the stock
        // BatchLogRecordProcessor does the same).
        context.with(suppressTracing(context.active()), () => {
          this.#exporter.export(records, (result) => {
            clearTimeout(timer);
            resolve(result);
          });
        });
      } catch (error) {
        clearTimeout(timer);
        resolve({ code: ExportResultCode.FAILED, error: error as Error });
      }
    });
  }

  /** The sequence number of the oldest record neither delivered nor dropped. */
  #oldestUnsettled(): number {
    let oldest = this.#next - this.#queue.length;
    for (const batch of this.#inFlight) oldest = Math.min(oldest, batch.first);
    return oldest;
  }

  #settle(): void {
    if (this.#waiters.length === 0) return;
    const oldest = this.#oldestUnsettled();
    this.#waiters = this.#waiters.filter((waiter) => {
      if (waiter.target > oldest) return true;
      waiter.resolve();
      return false;
    });
  }

  #drop(count: number, reason: DropReason): void {
    this.#dropped += count;
    diagnostics.dropped += count;
    if (this.#onDrop === undefined) return;
    this.#unreported.set(reason, (this.#unreported.get(reason) ?? 0) + count);
    if (this.#reportTimer === undefined && !this.#closed) {
      this.#reportTimer = setTimeout(() => this.#report(), REPORT_INTERVAL_MS);
      this.#reportTimer.unref();
    }
  }

  #report(): void {
    clearTimeout(this.#reportTimer);
    this.#reportTimer = undefined;
    for (const [reason, count] of this.#unreported) {
      try {
        this.#onDrop?.(count, reason, reason === "queue_full" ? undefined : this.#lastError);
      } catch {
        diagnostics.outputErrors++;
      }
    }
    this.#unreported.clear();
  }
}

/**
 * Whether sending the same batch again may succeed: what the error says (`retryable`, set by the
 * OTLP/HTTP transport per the OTLP specification), else anything but a 4xx other than 408 and 429.
 */
function isRetryable(error: unknown): boolean {
  const { retryable, code } = (error ?? {}) as { retryable?: unknown; code?: unknown };
  if (typeof retryable === "boolean") return retryable;
  return !(typeof code === "number" && code >= 400 && code < 500 && code !== 408 && code !== 429);
}

function retryAfterOf(error: unknown): number | undefined {
  const value = (error as { retryAfterMillis?: unknown } | undefined)?.retryAfterMillis;
  return typeof value === "number" && value >= 0 ? value : undefined;
}

/** One line for a drop report: the error's code (`ECONNREFUSED`) or message, and its cause. */
function describeExportError(error: unknown): string {
  if (!(error instanceof Error)) return error === undefined ? "export failed" : String(error);
  const code = (error as { code?: unknown }).code;
  const text = error.message || error.name;
  if (typeof code === "string" && !text.includes(code)) return `${code}: ${text}`;
  return text;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
