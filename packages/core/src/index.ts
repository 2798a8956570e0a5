export {
  configure,
  createLogger,
  defaultProcessors,
  getLogger,
  type LoggerOptions,
  resetConfiguration,
} from "./configure.js";
export { type ConsoleRendererOptions, consoleRenderer } from "./encode/console.js";
export { renderJson } from "./encode/json.js";
export type { ExceptionInfo, Limits } from "./encode/walk.js";
export { type Diagnostics, getDiagnostics } from "./internal/diagnostics.js";
export { LEVELS, type Level } from "./levels.js";
export { Logger } from "./logger.js";
export type { FeaturePolicy } from "./ml/feature-fields.js";
export {
  type InstrumentedPredict,
  type InstrumentPredictOptions,
  instrumentPredict,
  type PredictCallOptions,
} from "./ml/instrument-predict.js";
export { InvalidFeatureError } from "./ml/invalid-feature-error.js";
export { recordOutcome } from "./ml/record-outcome.js";
export { ML } from "./ml/semconv.js";
export { type FileOutputOptions, fileOutput } from "./outputs/file.js";
export { type OtelOutputOptions, otelOutput } from "./outputs/otel.js";
export { type StdoutOutputOptions, stdoutOutput } from "./outputs/stdout.js";
export { addLogLevel } from "./processors/add-log-level.js";
export { type AddTimestampOptions, addTimestamp } from "./processors/add-timestamp.js";
export { type AddTraceContextOptions, addTraceContext } from "./processors/add-trace-context.js";
export { formatException } from "./processors/format-exception.js";
export { mergeContext } from "./processors/merge-context.js";
export { type RedactOptions, redact } from "./processors/redact.js";
export type { Fields, LogRecord, Output, Processor } from "./record.js";
export { bindContext, clearContext, getContext, scoped, unbindContext, withContext } from "./scope.js";
export { createLogCapture, type LogCapture } from "./testing.js";
