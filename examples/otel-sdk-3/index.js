// A service that sets up the OpenTelemetry JS 3.x SDK itself (Node.js >= 22.15; the Logs API is
// part of @opentelemetry/api 1.10 there) and logs with mlobs. Its LoggerProvider is passed to
// otelOutput() by hand: the 3.x global LoggerProvider lives in @opentelemetry/api, where the
// Logs API of the 2.x line that @mlobs/core is built on does not look. Trace context needs nothing:
// both API lines share one global context manager. Prints the JSON lines, then one line per record
// as the 3.x SDK exported it.
import { createLogger, otelOutput, stdoutOutput } from "@mlobs/core";
import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import { TracerProvider } from "@opentelemetry/sdk-trace";

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const tracer = new TracerProvider().getTracer("otel-sdk-3");
const exporter = new InMemoryLogRecordExporter();
const loggerProvider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });

const log = createLogger({ outputs: [stdoutOutput(), otelOutput({ loggerProvider })] }).bind({
  model_version: "v2.1",
});

await tracer.startActiveSpan("predict", async (span) => {
  log.info("prediction_complete", { prediction: 0.87, latency_ms: 142 });
  await new Promise((resolve) => setTimeout(resolve, 1));
  log.warn("low_confidence_prediction", { prediction: 0.56, threshold: 0.6 });
  span.end();
});
await log.shutdown();

for (const record of exporter.getFinishedLogRecords()) {
  const exported = {
    eventName: record.eventName,
    severityText: record.severityText,
    attributes: record.attributes,
    trace_id: record.spanContext?.traceId,
    span_id: record.spanContext?.spanId,
  };
  process.stdout.write(`${JSON.stringify({ exported })}\n`);
}
