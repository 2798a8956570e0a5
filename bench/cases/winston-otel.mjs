// winston with an OpenTelemetry transport, the same records either way: json() with the active
// span's ids to the destination through a Stream transport, plus a transport emitting each record
// into the global LoggerProvider (batch processor, counting exporter). `kind` picks the transport:
// "mlobs" (@mlobs/winston-bridge OpenTelemetryTransport) or "contrib" (@opentelemetry/winston-transport).
// Used by winston-otel-mlobs.mjs and winston-otel-contrib.mjs; alone it runs the mlobs transport.

import { once } from "node:events";
import * as fs from "node:fs";
import { setImmediate as tick } from "node:timers/promises";
import { logs } from "@opentelemetry/api-logs";
import winston from "winston";
import { countingExporter, stockProvider } from "../otel-common.mjs";
import { activeTraceFields, BOUND, EVENT } from "../workload.mjs";

const traceFormat = winston.format((info) => Object.assign(info, activeTraceFields()));

async function otelTransport(kind) {
  if (kind === "contrib") {
    const { OpenTelemetryTransportV3 } = await import("@opentelemetry/winston-transport");
    return new OpenTelemetryTransportV3();
  }
  const { OpenTelemetryTransport } = await import("@mlobs/winston-bridge");
  return new OpenTelemetryTransport();
}

export async function setupWinstonOtel(kind, { dest }) {
  const exporter = countingExporter();
  const provider = stockProvider(exporter);
  logs.setGlobalLoggerProvider(provider);
  const stream = fs.createWriteStream(dest, { flags: "a" });
  await once(stream, "open");
  const transports = [new winston.transports.Stream({ stream }), await otelTransport(kind)];
  const root = winston.createLogger({
    level: "info",
    format: winston.format.combine(traceFormat(), winston.format.timestamp(), winston.format.json()),
    transports,
  });
  const log = root.child(BOUND);
  return {
    log: (_i, f) => log.info(EVENT, f),
    // winston has no flush: wait until the logger, its transports and the file stream are all empty,
    // then until the batch processor has exported what it holds.
    async flush() {
      let idle = 0;
      while (idle < 3) {
        await tick();
        const busy =
          root.writableLength > 0 ||
          root.readableLength > 0 ||
          transports.some((t) => t.writableLength > 0) ||
          stream.writableLength > 0 ||
          stream.pending;
        idle = busy ? 0 : idle + 1;
      }
      await provider.forceFlush();
    },
    stats: () => ({ delivered: exporter.exported, traced: { ...exporter.traced } }),
    close: () => provider.shutdown(),
  };
}

export const setup = (options) => setupWinstonOtel("mlobs", options);
