// The tutorial's "Logging ML-Specific Context": handle_prediction_request for two users (one
// low-confidence prediction) and a third request that fails on invalid input. instrumentPredict
// does what the tutorial wrote by hand: binds user_id, model_version and a prediction id, times the
// call, picks the event and level, and adds what the tutorial could not: a trace id per request, a
// span and metrics.
import { setTimeout as sleep } from "node:timers/promises";
import { fileOutput, instrumentPredict, stdoutOutput } from "@mlobs/core";
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
  logger: { name: "ml_model", outputs },
});

/** Simulates a model prediction: the sum of the features over 100, capped at 1. */
async function predict(features) {
  await sleep(50); // inference latency
  return Math.min(Object.values(features).reduce((sum, value) => sum + value, 0) / 100, 1);
}

const predictChurn = instrumentPredict(predict, {
  modelName: "churn",
  modelVersion: MODEL_VERSION,
  threshold: CONFIDENCE_THRESHOLD,
  requiredFeatures: ["age", "balance", "campaign"],
  logger: telemetry.logger,
});

async function handlePredictionRequest(userId, features) {
  try {
    return await predictChurn(features, { userId });
  } catch {
    // prediction_failed is already logged, with the error, its stack and the trace id.
    return undefined;
  }
}

await handlePredictionRequest("user-001", { age: 35, balance: 20, campaign: 1 });
await handlePredictionRequest("user-002", { age: 55, balance: 5, campaign: 8 });
await handlePredictionRequest("user-003", { age: 41, balance: Number.NaN, campaign: 2 });

// Flushes the logs, spans and metrics (to the collector when OTEL_EXPORTER_OTLP_ENDPOINT is set).
await telemetry.shutdown();
