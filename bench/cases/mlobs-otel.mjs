// mlobs JSON (fileOutput) plus otelOutput into a LoggerProvider with the same batch processor and
// counting exporter as the stock emit() case, so the difference is the cost of our mapping.
import { createLogger, fileOutput } from "@mlobs/core";
import { otelOutput } from "@mlobs/core/otel";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  const log = createLogger({
    level: "info",
    outputs: [fileOutput({ path: dest }), otelOutput({ loggerProvider: provider })],
  }).bind(BOUND);
  return {
    log: (_i, f) => log.info(EVENT, f),
    flush: () => log.flush(),
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => log.shutdown(),
  };
}
