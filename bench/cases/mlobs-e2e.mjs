// mlobs end to end at its defaults: startTelemetry() with the sink as OTLP endpoint (http/protobuf,
// bounded batch processor) and the otel output only (no local output). Spans and metrics are not
// exported (the bench's own tracer provider makes the span), so only log delivery is measured.

import { startTelemetry } from "@mlobs/core/otel";
import { sinkStats } from "../otel-common.mjs";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup() {
  const telemetry = startTelemetry({
    serviceName: "mlobs-bench",
    endpoint: process.env.BENCH_SINK_URL,
    logger: { level: "info", outputs: [] },
    handleSignals: false,
    instrumentations: [],
    spanProcessors: [],
    metricReaders: [],
  });
  const log = telemetry.logger.bind(BOUND);
  return {
    log: (_i, f) => log.info(EVENT, f),
    flush: () => telemetry.flush(),
    stats: sinkStats,
    close: () => telemetry.shutdown(),
  };
}
