// The stock pipeline at its defaults, end to end: logger.emit() -> BatchLogRecordProcessor
// (maxQueueSize 2048 unless BENCH_OTEL_QUEUE) -> OTLPLogExporter (HTTP, JSON) -> sink.mjs.
import { OTLPLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { sinkStats, stockEmit, stockProvider } from "../otel-common.mjs";

export async function setup() {
  const exporter = new OTLPLogExporter({ url: `${process.env.BENCH_SINK_URL}/v1/logs` });
  const provider = stockProvider(exporter);
  const logger = provider.getLogger("bench");
  return {
    log: stockEmit(logger),
    flush: () => provider.forceFlush(),
    stats: sinkStats,
    close: () => provider.shutdown(),
  };
}
