export {
  BoundedBatchProcessor,
  type BoundedBatchProcessorOptions,
  type DeliveryStats,
  type DropReason,
} from "./otel/bounded-batch-processor.js";
export { installShutdownHooks, type ShutdownHookOptions } from "./otel/install-shutdown-hooks.js";
export { startTelemetry, type Telemetry, type TelemetryOptions } from "./otel/start-telemetry.js";
