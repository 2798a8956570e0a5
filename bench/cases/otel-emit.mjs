// The stock OpenTelemetry Logs SDK: logger.emit() with the same attributes into a
// BatchLogRecordProcessor (SDK defaults unless BENCH_OTEL_QUEUE) and a counting exporter.
import { countingExporter, stockEmit, stockProvider } from "../otel-common.mjs";

export async function setup() {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  const logger = provider.getLogger("bench");
  return {
    log: stockEmit(logger),
    flush: () => provider.forceFlush(),
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => provider.shutdown(),
  };
}
