export { describeError, type ExceptionInfo } from "./encode/walk.js";
export { addDiagnostics } from "./internal/diagnostics.js";
export { toSeverityNumber } from "./otel/to-severity-number.js";
export { type OtelOverrides, toOtelLogRecord } from "./outputs/otel.js";
export { validSpanContext } from "./valid-span-context.js";
