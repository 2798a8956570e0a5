import { type ExportResult, ExportResultCode } from "@opentelemetry/core";
import { LoggerProvider, type LogRecordExporter, type ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { describe, expect, it } from "vitest";
import { getDiagnostics } from "../internal/diagnostics.js";
import {
  BoundedBatchProcessor,
  type BoundedBatchProcessorOptions,
  type DropReason,
} from "./bounded-batch-processor.js";

/** An exporter that answers with `respond(batch, attempt)` and keeps what it accepted. */
function fakeExporter(
  respond: (batch: ReadableLogRecord[], attempt: number) => ExportResult = () => ({
    code: ExportResultCode.SUCCESS,
  }),
) {
  const accepted: ReadableLogRecord[] = [];
  const batchSizes: number[] = [];
  let attempts = 0;
  let inFlight = 0;
  let maxInFlight = 0;
  const exporter: LogRecordExporter = {
    export(batch, done) {
      attempts++;
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const result = respond(batch, attempts);
      setTimeout(() => {
        inFlight--;
        if (result.code === ExportResultCode.SUCCESS) {
          accepted.push(...batch);
          batchSizes.push(batch.length);
        }
        done(result);
      }, 1);
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  return {
    exporter,
    accepted,
    batchSizes,
    get attempts() {
      return attempts;
    },
    get maxInFlight() {
      return maxInFlight;
    },
  };
}

function pipeline(exporter: LogRecordExporter, options: BoundedBatchProcessorOptions = {}) {
  const drops: ([number, DropReason] | [number, DropReason, string])[] = [];
  const processor = new BoundedBatchProcessor(exporter, {
    onDrop: (n, r, cause) => drops.push(cause === undefined ? [n, r] : [n, r, cause]),
    ...options,
  });
  const logger = new LoggerProvider({ processors: [processor] }).getLogger("test");
  const emit = (count: number) => {
    for (let i = 0; i < count; i++) logger.emit({ body: "tick", attributes: { i } });
  };
  return { processor, emit, drops };
}

const failed = (code?: number): ExportResult => ({
  code: ExportResultCode.FAILED,
  error: Object.assign(new Error("export failed"), { code }),
});

describe("BoundedBatchProcessor", () => {
  it("delivers a burst larger than the stock queue in batches, in order, with the concurrency limit", async () => {
    const fake = fakeExporter();
    const { processor, emit } = pipeline(fake.exporter, { maxExportBatchSize: 512, maxConcurrentExports: 2 });
    emit(10_000);
    await processor.forceFlush();
    expect(fake.accepted.map((r) => r.attributes.i)).toEqual(Array.from({ length: 10_000 }, (_, i) => i));
    expect(Math.max(...fake.batchSizes)).toBe(512);
    expect(fake.maxInFlight).toBe(2);
    expect(processor.stats).toEqual({ delivered: 10_000, dropped: 0, pending: 0 });
  });

  it("exports a partial batch after scheduledDelayMillis without a flush", async () => {
    const fake = fakeExporter();
    const { emit } = pipeline(fake.exporter, { scheduledDelayMillis: 20 });
    emit(3);
    // No flush: only the timer can export them. The poll's bound is for a stalled test, not the delay.
    await expect.poll(() => fake.accepted.length, { timeout: 30_000 }).toBe(3);
  });

  it("retries failed exports with backoff until they succeed", async () => {
    const fake = fakeExporter((_, attempt) =>
      attempt <= 3 ? failed(503) : { code: ExportResultCode.SUCCESS },
    );
    const { processor, emit, drops } = pipeline(fake.exporter);
    emit(100);
    await processor.forceFlush();
    expect(fake.accepted).toHaveLength(100);
    expect(fake.attempts).toBe(4);
    expect(drops).toEqual([]);
  });

  it("drops and counts what the collector rejects, without retrying", async () => {
    const fake = fakeExporter(() => failed(400));
    const { processor, emit } = pipeline(fake.exporter);
    const before = getDiagnostics().dropped;
    emit(10);
    await processor.forceFlush();
    expect(fake.attempts).toBe(1);
    expect(processor.stats.dropped).toBe(10);
    expect(getDiagnostics().dropped).toBe(before + 10);
  });

  it("keeps its backoff when the collector says Retry-After: 0, instead of retrying in a tight loop", async () => {
    const fake = fakeExporter(() => ({
      code: ExportResultCode.FAILED,
      error: Object.assign(new Error("HTTP 503"), { code: 503, retryable: true, retryAfterMillis: 0 }),
    }));
    const { processor, emit, drops } = pipeline(fake.exporter, { retryWindowMillis: 700 });
    emit(1);
    await processor.forceFlush();
    await processor.shutdown();
    // Backoff from 100 ms, doubling: at most 4 attempts fit in 700 ms (a tight loop made hundreds).
    expect(fake.attempts).toBeLessThanOrEqual(4);
    expect(drops).toEqual([[1, "export_failed", expect.stringMatching(/503/)]]);
  });

  it("counts records past the queue bound and past the retry window, and reports them by reason", async () => {
    const fake = fakeExporter(() => failed());
    const { processor, emit, drops } = pipeline(fake.exporter, {
      maxQueueSize: 100,
      maxExportBatchSize: 50,
      retryWindowMillis: 50,
    });
    const before = getDiagnostics().dropped;
    emit(250);
    await processor.forceFlush();
    await processor.shutdown();
    expect(processor.stats).toMatchObject({ delivered: 0, dropped: 250, pending: 0 });
    expect(getDiagnostics().dropped).toBe(before + 250);
    const byReason: Record<string, number> = {};
    for (const [count, reason] of drops) byReason[reason] = (byReason[reason] ?? 0) + count;
    expect(byReason).toEqual({ queue_full: 150, export_failed: 100 });
  });

  it("on shutdown delivers what is queued, then drops and counts later records", async () => {
    const fake = fakeExporter();
    const { processor, emit } = pipeline(fake.exporter, { scheduledDelayMillis: 60_000 });
    emit(1000);
    await processor.shutdown();
    expect(fake.accepted).toHaveLength(1000);
    emit(5);
    expect(processor.stats).toEqual({ delivered: 1000, dropped: 5, pending: 0 });
  });

  it("stops waiting at the shutdown deadline and counts what it could not deliver", async () => {
    const fake = fakeExporter(() => failed(503));
    const { processor, emit, drops } = pipeline(fake.exporter, { shutdownTimeoutMillis: 100 });
    emit(300);
    await processor.shutdown();
    expect(processor.stats).toEqual({ delivered: 0, dropped: 300, pending: 0, lastError: "export failed" });
    expect(drops).toEqual([[300, "shutdown_timeout", "export failed"]]);
  });

  it("keeps to the shutdown deadline when the exporter's own shutdown hangs on a request in flight", async () => {
    const exporter: LogRecordExporter = {
      export: (_batch, done) => setTimeout(() => done(failed(503)), 1),
      // As the OTLP exporters do: shutdown() waits for the requests still in flight.
      shutdown: () => new Promise(() => {}),
      forceFlush: async () => {},
    };
    const { processor, emit } = pipeline(exporter, { shutdownTimeoutMillis: 100 });
    emit(10);
    await processor.shutdown();
    expect(processor.stats).toMatchObject({ delivered: 0, dropped: 10, pending: 0 });
  }, 10_000);

  it("treats an exporter that throws or never answers as a failed export", async () => {
    let calls = 0;
    const exporter: LogRecordExporter = {
      export(_batch, done) {
        calls++;
        if (calls === 1) throw new Error("broken");
        if (calls === 2) return; // never calls back
        done({ code: ExportResultCode.SUCCESS });
      },
      shutdown: async () => {},
      forceFlush: async () => {},
    };
    const { processor, emit } = pipeline(exporter, { exportTimeoutMillis: 20 });
    emit(10);
    await processor.forceFlush();
    expect(calls).toBe(3);
    expect(processor.stats.delivered).toBe(10);
  });

  it("rejects invalid sizes at construction, naming the option", () => {
    expect(() => new BoundedBatchProcessor(fakeExporter().exporter, { maxQueueSize: 0 })).toThrow(
      /maxQueueSize/,
    );
    expect(() => new BoundedBatchProcessor({} as LogRecordExporter)).toThrow(/exporter/);
  });
});
