// pino sync with @opentelemetry/instrumentation-pino: trace ids injected by the instrumentation and
// log sending on (each record also goes to the global LoggerProvider: batch processor, counting exporter).
import { createRequire } from "node:module";
import { logs } from "@opentelemetry/api-logs";
import { registerInstrumentations } from "@opentelemetry/instrumentation";
import { PinoInstrumentation } from "@opentelemetry/instrumentation-pino";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  logs.setGlobalLoggerProvider(provider);
  registerInstrumentations({ instrumentations: [new PinoInstrumentation()] });
  // The instrumentation patches pino through require(): load it only now.
  const pino = createRequire(import.meta.url)("pino");
  const destination = pino.destination({ dest, sync: true });
  const log = pino({ level: "info" }, destination).child(BOUND);
  return {
    log: (_i, f) => log.info(f, EVENT),
    async flush() {
      destination.flushSync();
      await provider.forceFlush();
    },
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => provider.shutdown(),
  };
}
