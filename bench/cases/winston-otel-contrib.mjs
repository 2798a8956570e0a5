// winston + @opentelemetry/winston-transport OpenTelemetryTransportV3 (see winston-otel.mjs).
import { setupWinstonOtel } from "./winston-otel.mjs";

export const setup = (options) => setupWinstonOtel("contrib", options);
