export {
  BoundedBatchProcessor,
  type BoundedBatchProcessorOptions,
  type DeliveryStats,
  type DropReason,
} from "./otel/bounded-batch-processor.js";
export { installShutdownHooks, type ShutdownHookOptions } from "./otel/install-shutdown-hooks.js";
export { type OtelOutputOptions, otelOutput } from "./otel/otel-output.js";
export { startTelemetry, type Telemetry, type TelemetryOptions } from "./otel/start-telemetry.js";
export { toAttributeValue } from "./otel/to-attribute-value.js";
export { toOtelLogRecord } from "./otel/to-otel-log-record.js";
export { toSeverityNumber } from "./otel/to-severity-number.js";
