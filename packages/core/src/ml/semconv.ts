/**
 * Names the ML prediction helper writes: log events and fields, metric instruments and the
 * attributes on spans and metrics. Dashboards and alerts can import them instead of copying strings.
 */
export const ML = {
  /** The instrumentation scope of the tracer and the meter. */
  scope: "mlobs",
  event: {
    requestReceived: "request_received",
    predictionComplete: "prediction_complete",
    lowConfidencePrediction: "low_confidence_prediction",
    predictionFailed: "prediction_failed",
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
  },
} as const;
