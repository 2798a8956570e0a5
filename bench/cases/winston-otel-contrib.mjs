// winston (as in winston.mjs) plus @opentelemetry/winston-transport (OpenTelemetryTransportV3),
// which emits into the global LoggerProvider: batch processor, counting exporter.
import { logs } from "@opentelemetry/api-logs";
import { OpenTelemetryTransportV3 } from "@opentelemetry/winston-transport";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { createWinston } from "./winston.mjs";

export async function setup({ dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  logs.setGlobalLoggerProvider(provider);
  const winston = await createWinston(dest, [new OpenTelemetryTransportV3()]);
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
