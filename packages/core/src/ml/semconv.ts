/**
 * Names the ML prediction helper writes: log events and fields, metric instruments and the
 * attributes on spans and metrics. Dashboards and alerts can import them instead of copying strings.
 * OpenTelemetry has no semantic conventions for classic ML yet: the `ml.*` names are this
 * project's own convention until it has.
 */
export const ML = {
  /** The instrumentation scope of the tracer and the meter. */
  scope: "mlobs",
  event: {
    requestReceived: "request_received",
    predictionComplete: "prediction_complete",
    lowConfidencePrediction: "low_confidence_prediction",
    predictionFailed: "prediction_failed",
    /** The ground truth of a prediction, from `recordOutcome()`. */
    predictionOutcome: "prediction_outcome",
  },
  /** Fields bound to every record of one call (the predict function's own records included). */
  field: {
    userId: "user_id",
    modelName: "model_name",
    modelVersion: "model_version",
    predictionId: "prediction_id",
  },
  metric: {
    /** Histogram, ms, one value per call (a batch is one call). */
    duration: "ml.prediction.duration",
    /** Counter of predictions attempted, one per input item (failed ones included). */
    predictions: "ml.predictions",
    /** Counter of predictions below the confidence threshold, one per input item. */
    lowConfidence: "ml.predictions.low_confidence",
    /** Counter of predictions that failed (invalid input or a throwing model), one per input item. */
    failures: "ml.predictions.failed",
    /** Histogram of the confidence (0..1) of each prediction that has one. */
    confidence: "ml.prediction.confidence",
    /** Histogram of a numeric feature named in `featureMetrics`, with `ml.feature.name`. */
    featureValue: "ml.feature.value",
    /** Counter of a categorical feature's values (bounded; the rest as `__other__`), with `ml.feature.name`. */
    featureCategory: "ml.feature.category",
    /** Counter of outcomes recorded, with `ml.outcome.joined` (the prediction was held in this process). */
    outcomes: "ml.outcomes",
    /** Counter of joined classification outcomes that matched the prediction. */
    outcomesCorrect: "ml.outcomes.correct",
    /** Histogram of the absolute error of joined regression outcomes. */
    absError: "ml.prediction.abs_error",
  },
  attr: {
    modelName: "model.name",
    modelVersion: "model.version",
    /** Set on the duration histogram and the failures counter for failed calls: the error's type. */
    errorType: "error.type",
    predictionId: "ml.prediction.id",
    lowConfidence: "ml.prediction.low_confidence",
    confidence: "ml.prediction.confidence",
    lowConfidenceCount: "ml.prediction.low_confidence_count",
    batchSize: "ml.batch.size",
    /** The feature a `ml.feature.value` or `ml.feature.category` point is about. */
    featureName: "ml.feature.name",
    /** The value of a categorical feature on `ml.feature.category` (or `__other__`). */
    featureCategory: "ml.feature.category.value",
    /** On `ml.outcomes`: whether the prediction was held in this process, so correct / abs_error are known. */
    outcomeJoined: "ml.outcome.joined",
  },
  /** The category that counts the values of a feature beyond `maxCategories`. */
  otherCategory: "__other__",
} as const;
