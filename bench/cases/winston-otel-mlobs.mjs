// winston (as in winston.mjs) plus @mlobs/winston-bridge's OpenTelemetryTransport into the same
// provider as the contrib case: batch processor, counting exporter.
import { OpenTelemetryTransport } from "@mlobs/winston-bridge";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { createWinston } from "./winston.mjs";

export async function setup({ dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  const winston = await createWinston(dest, [new OpenTelemetryTransport({ loggerProvider: provider })]);
  return {
    log: winston.log,
    async flush() {
      await winston.flush();
      await provider.forceFlush();
    },
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => provider.shutdown(),
  };
}
