import { describe } from "../encode/walk.js";
import type { Fields } from "../record.js";

/** How a model's output is read: see `InstrumentPredictOptions`. */
export interface OutputSettings {
  task: "classification" | "regression";
  threshold: number;
  labels: readonly string[] | undefined;
  confidence: ((output: never, input: never) => number | undefined) | undefined;
  interval: ((output: never, input: never) => readonly [number, number] | undefined) | undefined;
  maxIntervalWidth: number | undefined;
}

/** One output as the events report it. */
export interface Interpretation {
  /** What is logged as `prediction`: the label for class probabilities, else the output itself. */
  prediction: unknown;
  confidence: number | undefined;
  low: boolean;
  /** Event fields besides `prediction` and `low_confidence`: confidence and threshold, or the interval. */
  fields: Fields;
}

/**
 * Reads one model output: class probabilities (array or `{label: p}`) give the arg-max label and its
 * probability as confidence; a binary probability p in [0, 1] gives confidence max(p, 1 - p);
 * regression has a confidence only from the caller's `confidence` or `interval` function.
 */
export function interpretOutput(output: unknown, input: unknown, settings: OutputSettings): Interpretation {
  const classification = settings.task === "classification";
  let read: { prediction: unknown; confidence?: number } = { prediction: output };
  try {
    if (classification) read = readClassification(output, settings.labels);
  } catch {
    // An output that throws when read (a getter, a revoked Proxy): the prediction succeeded, log it as is.
  }
  let confidence = read.confidence;
  const fields: Fields = {};
  if (settings.confidence !== undefined) {
    try {
      confidence = (settings.confidence as (o: unknown, i: unknown) => number | undefined)(output, input);
    } catch (error) {
      // The prediction itself succeeded: a broken confidence function must not fail the caller.
      confidence = undefined;
      fields.confidence_error = describe(error);
    }
  }
  if (typeof confidence !== "number" || Number.isNaN(confidence)) confidence = undefined;
  if (confidence !== undefined) {
    fields.confidence = confidence;
    fields.threshold = settings.threshold;
    return { prediction: read.prediction, confidence, low: confidence < settings.threshold, fields };
  }
  if (!classification && settings.interval !== undefined && settings.maxIntervalWidth !== undefined) {
    let interval: readonly [number, number] | undefined;
    try {
      interval = (settings.interval as (o: unknown, i: unknown) => readonly [number, number] | undefined)(
        output,
        input,
      );
    } catch (error) {
      fields.interval_error = describe(error);
    }
    if (Array.isArray(interval) && interval.length === 2) {
      const width = Math.abs(interval[1] - interval[0]);
      fields.interval = [interval[0], interval[1]];
      fields.interval_width = width;
      fields.max_interval_width = settings.maxIntervalWidth;
      return {
        prediction: read.prediction,
        confidence: undefined,
        low: !(width <= settings.maxIntervalWidth),
        fields,
      };
    }
  }
  return { prediction: read.prediction, confidence: undefined, low: false, fields };
}

function readClassification(
  output: unknown,
  labels: readonly string[] | undefined,
): { prediction: unknown; confidence?: number } {
  if (typeof output === "number") {
    if (output >= 0 && output <= 1) return { prediction: output, confidence: Math.max(output, 1 - output) };
    return { prediction: output };
  }
  if ((Array.isArray(output) || ArrayBuffer.isView(output)) && !(output instanceof DataView)) {
    const probabilities = output as ArrayLike<unknown>;
    let best = -1;
    for (let i = 0; i < probabilities.length; i++) {
      const p = probabilities[i];
      if (typeof p !== "number" || Number.isNaN(p)) return { prediction: output };
      if (best < 0 || p > (probabilities[best] as number)) best = i;
    }
    if (best < 0) return { prediction: output };
    return { prediction: labels?.[best] ?? best, confidence: probabilities[best] as number };
  }
  if (typeof output === "object" && output !== null && Object.getPrototypeOf(output) === Object.prototype) {
    let label: string | undefined;
    let max = Number.NEGATIVE_INFINITY;
    for (const [key, p] of Object.entries(output)) {
      if (typeof p !== "number" || Number.isNaN(p)) return { prediction: output };
      if (p > max) {
        max = p;
        label = key;
      }
    }
    if (label !== undefined) return { prediction: label, confidence: max };
  }
  return { prediction: output };
}
