// The gateway: POST /score {user_id, features} calls the model service over HTTP and answers with
// its prediction. The HTTP instrumentation that startTelemetry() installs starts a span per request
// and sends its trace context to the model service in the W3C traceparent header.

import http from "node:http";
import { bindContext } from "@mlobs/core";
import { startTelemetry } from "@mlobs/core/otel";

const telemetry = startTelemetry({
  serviceName: "gateway",
  serviceVersion: "1.0.0",
  environment: process.env.NODE_ENV ?? "development",
  handleSignals: false,
  logger: { name: "gateway", format: "json", fields: { service: "gateway" } },
});
const log = telemetry.logger;
const modelUrl = new URL("/predict", process.env.MODEL_SERVICE_URL);

async function readJson(message) {
  let body = "";
  for await (const chunk of message) body += chunk;
  return JSON.parse(body);
}

/** POSTs `payload` to the model service; http.request, which the HTTP instrumentation traces. */
function callModelService(payload) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      modelUrl,
      { method: "POST", headers: { "content-type": "application/json" } },
      (res) => {
        readJson(res).then((body) => resolve({ status: res.statusCode, body }), reject);
      },
    );
    req.once("error", reject);
    req.end(JSON.stringify(payload));
  });
}

const server = http.createServer(async (req, res) => {
  if (req.method !== "POST" || req.url !== "/score") {
    res.writeHead(404).end();
    return;
  }
  const payload = await readJson(req);
  // The request's own scope: user_id reaches this request's records only, on keep-alive connections too.
  bindContext({ user_id: payload.user_id });
  log.info("score_request_received", { feature_count: Object.keys(payload.features).length });
  const start = performance.now();
  try {
    const { status, body } = await callModelService(payload);
    const latency_ms = Math.round((performance.now() - start) * 100) / 100;
    if (status === 200) log.info("score_response_sent", { prediction: body.prediction, latency_ms });
    else log.warn("model_service_rejected", { status, reason: body.error, latency_ms });
    res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(body));
  } catch (error) {
    log.error("model_service_unreachable", { err: error });
    res.writeHead(502).end();
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
