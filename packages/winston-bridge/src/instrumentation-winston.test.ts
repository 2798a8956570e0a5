// @opentelemetry/instrumentation-winston must patch winston before it loads: winston is imported
// dynamically here, after the instrumentation is enabled.
import { logs } from "@opentelemetry/api-logs";
import { WinstonInstrumentation } from "@opentelemetry/instrumentation-winston";
import { describe, expect, it } from "vitest";
import { OpenTelemetryTransport } from "./open-telemetry-transport.js";
import { endLogger, inSpan, memoryLogs } from "./test-setup.js";

const otel = memoryLogs();
logs.setGlobalLoggerProvider(otel.provider);
const instrumentation = new WinstonInstrumentation();
instrumentation.enable();
const { default: winston } = await import("winston");

const names = (logger: { transports: unknown[] }) =>
  logger.transports.map((transport) => (transport as object).constructor.name);

describe("OpenTelemetryTransport with @opentelemetry/instrumentation-winston log sending on", () => {
  it("the instrumentation adds its own transport to every logger", () => {
    const logger = winston.createLogger({ transports: [new winston.transports.Console({ silent: true })] });
    expect(names(logger)).toEqual(["Console", "OpenTelemetryTransportV3"]);
    logger.close();
  });

  it("sends each record once: the duplicate transport is removed, even for records logged at once", async () => {
    otel.exporter.reset();
    const logger = winston.createLogger({ transports: [new OpenTelemetryTransport()] });
    // Logged in the same tick as createLogger(), before the transport's own check runs.
    logger.info("first");
    logger.info("second");
    await Promise.resolve();
    expect(names(logger)).toEqual(["OpenTelemetryTransport"]);
    const { traceId } = await inSpan("request", async () => {
      logger.info("in span", { step: 1 });
    });
    logger.info("later");
    await endLogger(logger);
    const bodies = otel.records().map((record) => record.body);
    expect(bodies.sort()).toEqual(["first", "in span", "later", "second"]);
    const inSpanRecord = otel.records().find((record) => record.body === "in span");
    expect(inSpanRecord?.spanContext?.traceId).toBe(traceId);
    expect(inSpanRecord?.instrumentationScope.name).toBe("@mlobs/winston-bridge");
    // instrumentation-winston's correlation fields stay out of the attributes.
    expect(inSpanRecord?.attributes).toEqual({ step: 1 });
  });

  it("keeps the instrumentation's transport where ours is absent", async () => {
    otel.exporter.reset();
    const logger = winston.createLogger({ transports: [] });
    logger.info("contrib only");
    await endLogger(logger);
    expect(otel.records().map((record) => record.body)).toEqual(["contrib only"]);
  });
});
