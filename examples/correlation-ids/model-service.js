// The model service: POST /predict {user_id, features} -> {prediction}. Its HTTP server span is a
// child of the gateway's request (traceparent header), so its records carry the gateway's trace_id.

import http from "node:http";
import { instrumentPredict } from "@mlobs/core";
import { startTelemetry } from "@mlobs/core/otel";

const telemetry = startTelemetry({
  serviceName: "model-service",
  serviceVersion: "churn-v3.2",
  environment: process.env.NODE_ENV ?? "development",
  handleSignals: false,
  logger: { name: "model_service", format: "json", fields: { service: "model-service" } },
});
const log = telemetry.logger;

const predictChurn = instrumentPredict(
  async (features) => Math.min(Object.values(features).reduce((sum, value) => sum + value, 0) / 100, 1),
  {
    modelName: "churn",
    modelVersion: "churn-v3.2",
    threshold: 0.65,
    requiredFeatures: ["age", "balance", "campaign"],
    logger: log,
  },
);

async function readJson(req) {
  let body = "";
  for await (const chunk of req) body += chunk;
  return JSON.parse(body);
}

const server = http.createServer(async (req, res) => {
  if (req.method !== "POST" || req.url !== "/predict") {
    res.writeHead(404).end();
    return;
  }
  const { user_id: userId, features } = await readJson(req);
  try {
    const prediction = await predictChurn(features, { userId });
    res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ prediction }));
  } catch (error) {
    // prediction_failed is logged with the stack trace; the gateway gets the reason only.
    res.writeHead(422, { "content-type": "application/json" }).end(JSON.stringify({ error: error.message }));
  }
});

server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  log.info("service_started", { port: server.address().port });
});

// The service stops itself on SIGTERM (handleSignals: false): stop accepting requests, log, then
// deliver everything; the process then ends on its own with code 0.
process.once("SIGTERM", () => {
  server.close(async () => {
    log.info("service_stopped");
    await telemetry.shutdown();
  });
});
