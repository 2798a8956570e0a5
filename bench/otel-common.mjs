// Pieces the OpenTelemetry cases share: a counting exporter, the stock provider, the sink's counters.
import { SeverityNumber } from "@opentelemetry/api-logs";
import { BatchLogRecordProcessor, LoggerProvider } from "@opentelemetry/sdk-logs";
import { BOUND, EVENT } from "./workload.mjs";

/** An exporter that only counts what it is given, and how many records carry each trace id. */
export function countingExporter() {
  const exporter = {
    exported: 0,
    traced: {},
    export(records, done) {
      exporter.exported += records.length;
      for (const record of records) {
        const traceId = record.spanContext?.traceId;
        if (traceId !== undefined) exporter.traced[traceId] = (exporter.traced[traceId] ?? 0) + 1;
      }
      done({ code: 0 }); // ExportResultCode.SUCCESS
    },
    shutdown: async () => {},
    forceFlush: async () => {},
  };
  return exporter;
}

/** The batch processor's options from the environment: BENCH_OTEL_QUEUE sets maxQueueSize (SDK default 2048). */
export function batchOptions() {
  const queue = process.env.BENCH_OTEL_QUEUE;
  return queue ? { maxQueueSize: Number(queue) } : {};
}

/** A LoggerProvider with one BatchLogRecordProcessor over `exporter`. */
export function stockProvider(exporter) {
  return new LoggerProvider({ processors: [new BatchLogRecordProcessor({ exporter, ...batchOptions() })] });
}

/** The sink's counters (see sink.mjs) as case stats: records received, and records per trace id. */
export async function sinkStats() {
  const response = await fetch(`${process.env.BENCH_SINK_URL}/stats`);
  const stats = await response.json();
  return { delivered: stats.records, traced: stats.byTrace };
}

/** The stock SDK's log call for the workload: `logger.emit()` with the bound and call fields as attributes. */
export function stockEmit(logger) {
  return (_i, f) =>
    logger.emit({
      severityNumber: SeverityNumber.INFO,
      severityText: "info",
      eventName: EVENT,
      body: EVENT,
      attributes: { ...BOUND, ...f },
    });
}
