export {
  configure,
  createLogger,
  defaultProcessors,
  getLogger,
  type LoggerOptions,
  resetConfiguration,
} from "./configure.js";
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
export { recordOutcome } from "./ml/record-outcome.js";
export { ML } from "./ml/semconv.js";
export { type OtelOutputOptions, otelOutput } from "./otel/otel-output.js";
export { toAttributeValue } from "./otel/to-attribute-value.js";
export { toOtelLogRecord } from "./otel/to-otel-log-record.js";
export { toSeverityNumber } from "./otel/to-severity-number.js";
export { type FileOutputOptions, fileOutput } from "./outputs/file.js";
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
export { type ExceptionInfo, formatException } from "./processors/format-exception.js";
export { mergeContext } from "./processors/merge-context.js";
export { type RedactOptions, redact } from "./processors/redact.js";
export { type SampleOptions, sample } from "./processors/sample.js";
export type { Bindings, Fields, LogRecord, Output, Processor } from "./record.js";
export { type ConsoleRendererOptions, consoleRenderer } from "./renderers/console.js";
export { renderJson } from "./renderers/json.js";
export { bindContext, clearContext, getContext, scoped, unbindContext, withContext } from "./scope.js";
export { createLogCapture, type LogCapture } from "./testing.js";
export { validSpanContext } from "./valid-span-context.js";
