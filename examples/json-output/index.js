// The tutorial's "Configuring Output" and "Correlation IDs": pure JSON lines that CloudWatch,
// Datadog or `jq` parse as they are, and a request_id bound to every record of one request.
import { randomUUID } from "node:crypto";
import { bindContext, clearContext, configure, getLogger } from "@mlobs/core";

configure({ format: "json" });

const modelLog = getLogger("ml_model");
modelLog.info("prediction_complete", { prediction: 0.87, latency_ms: 142, model_version: "v2.1" });
modelLog.error("model_failed", { error: "ValueError: input has NaN", model_version: "v2.1" });

const log = getLogger();

function handleRequest(payload) {
  // A unique id for this request, bound to every record logged until the context is cleared.
  bindContext({ request_id: randomUUID() });
  log.info("request_received", { payload_keys: Object.keys(payload) });
  try {
    if (!("feature_1" in payload)) throw new Error("Missing required feature: feature_1");
    const prediction = 0.73;
    log.info("prediction_complete", { prediction, model: "churn-v3" });
  } catch (error) {
    // `err` becomes `error` ("Error: message") and `exception` (type, message, stack trace).
    log.error("request_failed", { err: error });
  } finally {
    // In `finally`, so a failed request cannot leave its request_id to the next one.
    clearContext();
  }
}

handleRequest({ feature_1: 42, feature_2: "yes" });
handleRequest({ feature_2: "no" }); // missing feature_1: fails
