// The stock OpenTelemetry Logs SDK: logger.emit() with the same attributes into a
// BatchLogRecordProcessor (SDK defaults unless BENCH_OTEL_QUEUE) and a counting exporter.
import { SeverityNumber } from "@opentelemetry/api-logs";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup() {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  const logger = provider.getLogger("bench");
  return {
    log: (_i, f) =>
      logger.emit({
        severityNumber: SeverityNumber.INFO,
        severityText: "info",
        eventName: EVENT,
        body: EVENT,
        attributes: { ...BOUND, ...f },
      }),
    flush: () => provider.forceFlush(),
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => provider.shutdown(),
  };
}
