export {
  configure,
  createLogger,
  defaultProcessors,
  getLogger,
  type LoggerOptions,
  resetConfiguration,
} from "./configure.js";
export { bindContext, clearContext, getContext, unbindContext, withContext } from "./context.js";
export { type ConsoleRendererOptions, consoleRenderer } from "./encode/console.js";
export { renderJson } from "./encode/json.js";
export { describeError, type ExceptionInfo, type Limits } from "./encode/walk.js";
export { addDiagnostics, type Diagnostics, getDiagnostics } from "./internal/diagnostics.js";
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
export { ML } from "./ml/semconv.js";
export { toSeverityNumber } from "./otel/to-severity-number.js";
export { type FileOutputOptions, fileOutput } from "./outputs/file.js";
export { type OtelOutputOptions, type OtelOverrides, otelOutput, toOtelLogRecord } from "./outputs/otel.js";
export { type StdoutOutputOptions, stdoutOutput } from "./outputs/stdout.js";
export { type AddCallsiteOptions, addCallsite, type Callsite } from "./processors/add-callsite.js";
export {
  type AddDatadogContextOptions,
  addDatadogContext,
  type DatadogContext,
} from "./processors/add-datadog-context.js";
export { addLogLevel } from "./processors/add-log-level.js";
export { type AddTimestampOptions, addTimestamp } from "./processors/add-timestamp.js";
export { type AddTraceContextOptions, addTraceContext } from "./processors/add-trace-context.js";
export { addXrayTraceId } from "./processors/add-xray-trace-id.js";
export { type FilterEventsOptions, filterEvents } from "./processors/filter-events.js";
export { filterLevel } from "./processors/filter-level.js";
export { formatException } from "./processors/format-exception.js";
export { mergeContext } from "./processors/merge-context.js";
export { type RedactOptions, redact } from "./processors/redact.js";
export { type SampleOptions, sample } from "./processors/sample.js";
export type { Fields, LogRecord, Output, Processor } from "./record.js";
export { createLogCapture, type LogCapture } from "./testing.js";
export { validSpanContext } from "./valid-span-context.js";
