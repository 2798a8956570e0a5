import { type Counter, type Histogram, type Meter, metrics } from "@opentelemetry/api";
import { ML } from "./semconv.js";

/** The ML helper's metric instruments, created on one meter. */
export interface Instruments {
  duration: Histogram;
  predictions: Counter;
  lowConfidence: Counter;
  failures: Counter;
  confidence: Histogram;
  featureValue: Histogram;
  featureCategory: Counter;
  outcomes: Counter;
  outcomesCorrect: Counter;
  absError: Histogram;
}

function createInstruments(meter: Meter): Instruments {
  const counter = (name: string, description: string, unit = "{prediction}") =>
    meter.createCounter(name, { unit, description });
  return {
    duration: meter.createHistogram(ML.metric.duration, {
      unit: "ms",
      description: "Duration of a prediction call (a batch is one call).",
    }),
    predictions: counter(ML.metric.predictions, "Predictions attempted, failed ones included."),
    lowConfidence: counter(ML.metric.lowConfidence, "Predictions whose confidence was below the threshold."),
    failures: counter(
      ML.metric.failures,
      "Predictions that failed: invalid input or an error from the model.",
    ),
    confidence: meter.createHistogram(ML.metric.confidence, {
      unit: "1",
      description: "Confidence of each prediction that has one (0..1).",
      advice: { explicitBucketBoundaries: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99] },
    }),
    featureValue: meter.createHistogram(ML.metric.featureValue, {
      description: "Values of a numeric input feature named in featureMetrics.",
    }),
    featureCategory: counter(
      ML.metric.featureCategory,
      "Values of a categorical input feature named in featureMetrics (bounded; the rest as __other__).",
      "{value}",
    ),
    outcomes: counter(
      ML.metric.outcomes,
      "Outcomes (ground truth) recorded with recordOutcome().",
      "{outcome}",
    ),
    outcomesCorrect: counter(
      ML.metric.outcomesCorrect,
      "Classification outcomes that matched the prediction held in this process.",
      "{outcome}",
    ),
    absError: meter.createHistogram(ML.metric.absError, {
      description:
        "Absolute error of regression predictions held in this process, once their outcome is known.",
    }),
  };
}

/**
 * The instruments on `meter`, or on the global meter provider's meter `mlobs`, looked up again when
 * that provider changes: the metrics API has no proxy provider, so a meter taken before the SDK
 * starts would stay a no-op.
 */
export function followInstruments(meter?: Meter): () => Instruments {
  let source: unknown;
  let instruments: Instruments | undefined;
  return () => {
    const current = meter ?? metrics.getMeterProvider();
    if (instruments === undefined || current !== source) {
      source = current;
      instruments = createInstruments(meter ?? metrics.getMeter(ML.scope));
    }
    return instruments;
  };
}
