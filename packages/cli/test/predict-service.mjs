// A service for the CLI's tests: predictions with known outputs through instrumentPredict(), to a
// JSON-lines file (LOG_FILE) and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, over OTLP to the
// collector, then ground truth as prediction_outcome records, as a later process would log it.
//   churn c1, c2: classification with labels (accuracy from the outcomes)
//   risk r1, r2:  regression with a confidence function (mean prediction, PSI of r2 against r1)
import { fileOutput, instrumentPredict } from "../../core/dist/index.js";
import { startTelemetry } from "../../core/dist/otel.js";

const telemetry = startTelemetry({
  serviceName: process.env.SERVICE_NAME ?? "predict-service",
  logger: { outputs: [fileOutput({ path: process.env.LOG_FILE })], level: "info" },
  handleSignals: false,
});
const log = telemetry.logger;
const CALLS = 40;

for (const version of ["c1", "c2"]) {
  const predict = instrumentPredict(
    ({ x }) => {
      if (x % 13 === 7) throw new Error(`model ${version} failed on ${x}`);
      const p = ((x * (version === "c1" ? 37 : 53)) % 100) / 100;
      return [1 - p, p];
    },
    { modelName: "churn", modelVersion: version, labels: ["stay", "churn"], threshold: 0.7, logger: log },
  );
  for (let x = 0; x < CALLS; x++) {
    try {
      predict({ x }, { predictionId: `${version}-${x}`, userId: `user-${x}` });
    } catch {
      // logged as prediction_failed
    }
  }
}

for (const version of ["r1", "r2"]) {
  const predict = instrumentPredict(
    (rows) => rows.map(({ x }) => (version === "r1" ? x * 1.5 : x * 2 + 10)),
    {
      modelName: "risk",
      modelVersion: version,
      task: "regression",
      batch: true,
      confidence: (y) => (y % 7 < 2 ? 0.3 : 0.9),
      logger: log,
    },
  );
  const single = instrumentPredict(({ x }) => (version === "r1" ? x * 1.5 : x * 2 + 10), {
    modelName: "risk",
    modelVersion: version,
    task: "regression",
    confidence: (y) => (y % 7 < 2 ? 0.3 : 0.9),
    requiredFeatures: ["x"],
    logger: log,
  });
  for (let x = 0; x < CALLS; x++) {
    try {
      single(x % 11 === 3 ? { x: Number.NaN } : { x }, { predictionId: `${version}-${x}` });
    } catch {
      // an invalid feature: prediction_failed
    }
  }
  predict([{ x: 1 }, { x: 2 }, { x: 3 }], { predictionId: `${version}-batch` });
}

// Ground truth: some outcomes carry `correct` (joined in process), others only `actual`.
for (let x = 0; x < 20; x++) {
  const version = x % 2 === 0 ? "c1" : "c2";
  const fields = { prediction_id: `${version}-${x}`, actual: x % 3 === 0 ? "churn" : "stay" };
  if (x < 6) fields.correct = x % 2 === 0;
  else Object.assign(fields, { model_name: "churn", model_version: version });
  log.info("prediction_outcome", fields);
}
for (let x = 0; x < 5; x++) {
  log.info("prediction_outcome", {
    prediction_id: `r1-${x}`,
    actual: x * 1.5 + 1,
    abs_error: 1,
    model_name: "risk",
    model_version: "r1",
  });
}

await telemetry.shutdown();
