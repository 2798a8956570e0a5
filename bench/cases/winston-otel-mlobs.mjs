// winston + @mlobs/winston-bridge OpenTelemetryTransport (see winston-otel.mjs).
import { setupWinstonOtel } from "./winston-otel.mjs";

export const setup = (options) => setupWinstonOtel("mlobs", options);
