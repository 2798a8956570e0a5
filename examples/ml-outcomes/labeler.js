// The second process: learns what really happened to each customer and reports it. Labels for
// recent predictions go back to the service over IPC (the service joins them); the oldest one it
// records itself with recordOutcome(), naming the model, as a batch job days later would.
import { recordOutcome, stdoutOutput } from "@mlobs/core";
import { startTelemetry } from "@mlobs/core/otel";

const telemetry = startTelemetry({
  serviceName: "churn-labeler",
  logger: { name: "labeler", outputs: [stdoutOutput({ format: "json" })] },
});

// What the CRM says a month later: user-003 stayed after all, so one prediction of three was wrong.
const churned = { "user-001": true, "user-002": false, "user-003": false, "user-004": false };

const { predictionIds } = await new Promise((resolve) => process.once("message", resolve));
for (const user of ["user-001", "user-002", "user-003"]) {
  process.send({ predictionId: predictionIds[user], actual: churned[user] ? 1 : 0 });
}
recordOutcome({
  predictionId: predictionIds["user-004"],
  actual: churned["user-004"] ? 1 : 0,
  modelName: "churn",
  modelVersion: process.env.MODEL_VERSION,
  logger: telemetry.logger,
});

await telemetry.shutdown();
process.disconnect();
