// A small winston service (Console and File transports, JSON lines) scoring churn over HTTP.
// The lines marked "mlobs" are all it takes to add trace correlation and OTLP export: every record
// carries the trace_id of its request (HTTP server spans), and goes to the collector when
// OTEL_EXPORTER_OTLP_ENDPOINT is set. It serves 20 concurrent requests, then shuts down.
import { once } from "node:events";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { startTelemetry } from "@mlobs/core/otel"; // mlobs
import { correlate, instrument, OpenTelemetryTransport } from "@mlobs/winston-bridge"; // mlobs
import winston from "winston";

const telemetry = startTelemetry({ serviceName: "churn-scoring", handleSignals: false }); // mlobs

const logFile = process.env.LOG_FILE ?? "predictions.log";
const logger = instrument(
  // mlobs: instrument(), correlate() and OpenTelemetryTransport
  winston.createLogger({
    level: "info",
    format: winston.format.combine(correlate(), winston.format.timestamp(), winston.format.json()),
    defaultMeta: { service: "churn-scoring" },
    transports: [
      new winston.transports.Console(),
      new winston.transports.File({ filename: logFile }),
      new OpenTelemetryTransport(),
    ],
  }),
);

const THRESHOLD = 0.65;

async function predict(features) {
  // The model takes a few milliseconds, so requests interleave.
  await sleep(2 + Math.random() * 8);
  if (!Number.isFinite(features.balance)) throw new TypeError('feature "balance" is not a number');
  return Math.round(Math.min((features.age + features.balance) / 100, 1) * 100) / 100;
}

const server = http.createServer(async (req, res) => {
  let body = "";
  for await (const chunk of req) body += chunk;
  const { user_id, features } = JSON.parse(body);
  const log = logger.child({ user_id });
  log.info("request_received", { feature_count: Object.keys(features).length });
  const start = performance.now();
  try {
    const prediction = await predict(features);
    const latency_ms = Math.round((performance.now() - start) * 100) / 100;
    if (prediction < THRESHOLD)
      log.warn("low_confidence_prediction", { prediction, latency_ms, threshold: THRESHOLD });
    else log.info("prediction_complete", { prediction, latency_ms });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ prediction }));
  } catch (error) {
    // The tutorial's error string for the JSON line; the Error itself, as a last argument, becomes
    // exception.type, exception.message and exception.stacktrace on the OTLP record.
    log.error(
      "prediction_failed",
      { error: error.message, latency_ms: Math.round(performance.now() - start) },
      error,
    );
    res.writeHead(422).end();
  }
});
server.listen(0, "127.0.0.1");
await once(server, "listening");
const { port } = server.address();
logger.info("service_started", { port });

await Promise.all(
  Array.from({ length: 20 }, (_, i) =>
    fetch(`http://127.0.0.1:${port}/score`, {
      method: "POST",
      body: JSON.stringify({
        user_id: `user-${String(i).padStart(3, "0")}`,
        features: { age: 20 + i * 2, balance: i % 7 === 6 ? null : i * 3 },
      }),
    }).then((res) => res.arrayBuffer()),
  ),
);

server.close();
// winston's flush: end() the logger and wait for 'finish' (the File transport's writes, and the
// OpenTelemetry transport's flush); then the telemetry pipeline delivers and closes.
const finished = once(logger, "finish");
logger.end();
await finished;
await telemetry.shutdown(); // mlobs
