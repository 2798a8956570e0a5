// The tutorial's "Logging ML-Specific Context": handle_prediction_request for two users (one
// low-confidence prediction) and a third request that fails on invalid input. instrumentPredict
// does what the tutorial wrote by hand: binds user_id, model_version and a prediction id, times the
// call, picks the event and level, and adds what the tutorial could not: a trace id per request, a
// span and metrics. Beyond the tutorial: the debug lines of a request are written only when its
// prediction is low-confidence or fails (the logger's `buffer`), the feature values of a share of
// traces are captured (redacted), feature and confidence distributions become metrics, and the
// ground truth that arrives later is joined to its prediction (recordOutcome).
import { setTimeout as sleep } from "node:timers/promises";
import { fileOutput, instrumentPredict, recordOutcome, scoped, stdoutOutput } from "@mlobs/core";
import { startTelemetry } from "@mlobs/core/otel";

const MODEL_VERSION = "churn-v3.2";
const CONFIDENCE_THRESHOLD = 0.65;

// JSON lines on stdout, and in a file too when MLOBS_LOG_FILE names one (the demo's setting).
const outputs = [stdoutOutput({ format: "json" })];
if (process.env.MLOBS_LOG_FILE) outputs.push(fileOutput({ path: process.env.MLOBS_LOG_FILE }));

const telemetry = startTelemetry({
  serviceName: "churn-model",
  serviceVersion: MODEL_VERSION,
  environment: process.env.NODE_ENV ?? "development",
  // Debug lines are held per request and written only if it goes wrong (see the README).
  logger: { name: "ml_model", outputs, buffer: {} },
});
const log = telemetry.logger;

/** Simulates a model prediction: the sum of the numeric features over 100, capped at 1. */
async function predict(features) {
  const numeric = Object.values(features).filter((value) => typeof value === "number");
  log.debug("features_normalized", { numeric_features: numeric.length });
  await sleep(50); // inference latency
  const score = Math.min(numeric.reduce((sum, value) => sum + value, 0) / 100, 1);
  log.debug("model_scored", { raw_score: score });
  return score;
}

const predictChurn = instrumentPredict(predict, {
  modelName: "churn",
  modelVersion: MODEL_VERSION,
  threshold: CONFIDENCE_THRESHOLD,
  requiredFeatures: ["age", "balance", "campaign"],
  // The values of half of the traces, balance redacted (and the input of every failure).
  features: { values: { sampleRate: 0.5, redact: ["balance"] } },
  // Distributions per model version: age as a histogram, plan as counts per value.
  featureMetrics: ["age", "plan"],
  logger: log,
});

// One scope and one span per request, as an HTTP server with OpenTelemetry's HTTP instrumentation
// gives each request: the debug buffer lives in the scope, and every record shares the trace id.
const handlePredictionRequest = scoped((userId, features) =>
  telemetry.tracer.startActiveSpan("handle_prediction_request", async (span) => {
    log.debug("request_parsed", { user_id: userId });
    try {
      return await predictChurn(features, { userId, predictionId: `pred-${userId}` });
    } catch {
      // prediction_failed is already logged, with the error, its stack and the trace id.
      return undefined;
    } finally {
      span.end();
    }
  }),
);

await handlePredictionRequest("user-001", { age: 35, balance: 20, campaign: 1, plan: "basic" });
await handlePredictionRequest("user-002", { age: 55, balance: 5, campaign: 8, plan: "premium" });
await handlePredictionRequest("user-003", { age: 41, balance: Number.NaN, campaign: 2, plan: "basic" });

// A week later, the ground truth: user-001 churned, user-002 did not.
recordOutcome({ predictionId: "pred-user-001", actual: 1 });
recordOutcome({ predictionId: "pred-user-002", actual: 0 });

// Flushes the logs, spans and metrics (to the collector when OTEL_EXPORTER_OTLP_ENDPOINT is set).
await telemetry.shutdown();
