// What a service pays when it writes mlobs JSON lines and sends the same record with the stock
// SDK's logger.emit() in the same call: the "stock emit() plus our JSON output" of the otel suite,
// measured as one call instead of the sum of two runs.
import { createLogger, fileOutput } from "@mlobs/core";
import { countingExporter, stockEmit, stockProvider } from "../otel-common.mjs";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  const emit = stockEmit(provider.getLogger("bench"));
  const log = createLogger({ level: "info", outputs: [fileOutput({ path: dest })] }).bind(BOUND);
  return {
    log: (i, f) => {
      log.info(EVENT, f);
      emit(i, f);
    },
    flush: async () => {
      await log.flush();
      await provider.forceFlush();
    },
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: async () => {
      await log.shutdown();
      await provider.shutdown();
    },
  };
}
