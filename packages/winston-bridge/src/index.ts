export { correlate } from "./correlate.js";
export { instrument, type WritableLogger } from "./instrument.js";
export {
  OpenTelemetryTransport,
  type OpenTelemetryTransportOptions,
  SCOPE_NAME,
} from "./open-telemetry-transport.js";
export { type SeverityMapping, severityOf, type WinstonLevels } from "./severity-of.js";
export {
  type WinstonLoggerLike,
  type WinstonOutputOptions,
  winstonLevelFor,
  winstonOutput,
} from "./winston-output.js";
