// The prediction service: four churn predictions, then their ground truth from a second process,
// the labeler (labeler.js, a real child process standing in for a CRM job or a feedback queue).
// Three labels come back to this service, which still holds the predictions: recordOutcome() logs
// whether each was correct and counts it in ml.outcomes / ml.outcomes.correct (accuracy 2 of 3).
// The labeler records the fourth itself; that record is joined to its prediction by
// prediction_id in queries (`mlobs report`).
import { fork } from "node:child_process";
import { instrumentPredict, recordOutcome, stdoutOutput } from "@mlobs/core";
import { startTelemetry } from "@mlobs/core/otel";

const MODEL_VERSION = "churn-v3.2";

const telemetry = startTelemetry({
  serviceName: "churn-model",
  serviceVersion: MODEL_VERSION,
  logger: { name: "ml_model", outputs: [stdoutOutput({ format: "json" })] },
});

/** A toy model: the churn probability is the customer's share of support calls. */
function predict({ support_calls, months }) {
  return Math.round((support_calls / months) * 100) / 100;
}

const predictChurn = instrumentPredict(predict, {
  modelName: "churn",
  modelVersion: MODEL_VERSION,
  logger: telemetry.logger,
});

const customers = [
  { user: "user-001", features: { support_calls: 9, months: 10 } }, // 0.9: churns
  { user: "user-002", features: { support_calls: 2, months: 10 } }, // 0.2: stays
  { user: "user-003", features: { support_calls: 7, months: 10 } }, // 0.7: churns
  { user: "user-004", features: { support_calls: 1, months: 10 } }, // 0.1: stays
];
const predictionIds = {};
for (const { user, features } of customers) {
  // The caller's own id (a request id) makes the join easy to show; by default it is a random UUID.
  const predictionId = `pred-${user}`;
  predictChurn(features, { userId: user, predictionId });
  predictionIds[user] = predictionId;
}

const labeler = fork(new URL("./labeler.js", import.meta.url), [], {
  env: { ...process.env, MODEL_VERSION },
});
labeler.send({ predictionIds });
// Each label the labeler sends back is the actual outcome of one prediction held here.
labeler.on("message", ({ predictionId, actual }) => recordOutcome({ predictionId, actual }));
await new Promise((resolve, reject) => {
  labeler.once("error", reject);
  labeler.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`labeler exited with ${code}`))));
});

await telemetry.shutdown();
