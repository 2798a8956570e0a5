/**
 * An application that set up OpenTelemetry itself (its own NodeSDK, exporting logs and spans where
 * the OTEL_* variables say) and then calls startTelemetry() too, through the built package: it logs one record
 * inside its own span and shuts both down. Prints the span's trace id on stderr as `trace_id=...`.
 */
import { trace } from "@opentelemetry/api";
import { NodeSDK } from "@opentelemetry/sdk-node";
import { startTelemetry } from "../dist/otel.js";

const sdk = new NodeSDK({ serviceName: "own-sdk-app" });
sdk.start();

const telemetry = startTelemetry({ handleSignals: false, logger: { format: "json" } });
trace.getTracer("app").startActiveSpan("handle", (span) => {
  telemetry.logger.info("in_app_span");
  process.stderr.write(`trace_id=${span.spanContext().traceId}\n`);
  span.end();
});
await telemetry.shutdown();
await sdk.shutdown();
