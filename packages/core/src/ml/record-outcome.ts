import type { Attributes } from "@opentelemetry/api";
import { getLogger } from "../configure.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { Logger } from "../logger.js";
import type { Fields } from "../record.js";
import { followInstruments } from "./instruments.js";
import { type HeldPrediction, takeRecentPrediction } from "./recent-predictions.js";
import { ML } from "./semconv.js";

/** What `recordOutcome()` is told: the ground truth of one prediction. */
export interface OutcomeOptions {
  /** The `prediction_id` the prediction was logged with. */
  predictionId: string;
  /** The actual outcome: a class label (or 0/1, true/false for a binary probability) or a number. */
  actual: unknown;
  /** Written as `model_name`; default: the held prediction's. */
  modelName?: string;
  /** Written as `model_version`; default: the held prediction's. */
  modelVersion?: string;
  /** Default: the logger of the held prediction's helper, else `getLogger()`. */
  logger?: Logger;
}

const OPTION_NAMES = ["predictionId", "actual", "modelName", "modelVersion", "logger"];
// Outcomes of predictions not held here still count in ml.outcomes, on the global meter.
const globalInstruments = followInstruments();

/**
 * Records the actual outcome of a prediction, maybe long after it and in another process: logs
 * `prediction_outcome` (info) with `prediction_id`, `actual`, `model_name`, `model_version`, and,
 * when `instrumentPredict()` in this process still holds the prediction, `prediction`, `correct`
 * (classification) or `abs_error` (regression) and `outcome_delay_ms`, and counts it in the
 * `ml.outcomes*` metrics. Invalid options throw; nothing else does.
 * @example
 * recordOutcome({ predictionId: "83a5841a-...", actual: 1 });
 */
export function recordOutcome(options: OutcomeOptions): void {
  validate(options);
  const held = takeRecentPrediction(options.predictionId, options.modelName);
  const modelName = options.modelName ?? held?.modelName;
  const modelVersion = options.modelVersion ?? held?.modelVersion;
  const fields: Fields = {
    [ML.field.predictionId]: options.predictionId,
    actual: options.actual,
    [ML.field.modelName]: modelName,
    [ML.field.modelVersion]: modelVersion,
  };
  const attributes: Attributes = {};
  if (modelName !== undefined) attributes[ML.attr.modelName] = modelName;
  if (modelVersion !== undefined) attributes[ML.attr.modelVersion] = modelVersion;
  const instruments = (held?.instruments ?? globalInstruments)();
  if (held === undefined) {
    instruments.outcomes.add(1, { ...attributes, [ML.attr.outcomeJoined]: false });
  } else {
    fields.prediction = held.prediction;
    const evaluated = evaluate(held, options.actual);
    if (evaluated.correct !== undefined) fields.correct = evaluated.correct;
    if (evaluated.absError !== undefined) fields.abs_error = evaluated.absError;
    fields.outcome_delay_ms = Date.now() - held.time;
    instruments.outcomes.add(1, { ...attributes, [ML.attr.outcomeJoined]: true });
    if (evaluated.correct === true) instruments.outcomesCorrect.add(1, attributes);
    if (evaluated.absError !== undefined) instruments.absError.record(evaluated.absError, attributes);
  }
  (options.logger ?? held?.logger ?? getLogger()).info(ML.event.predictionOutcome, fields);
}

function evaluate(held: HeldPrediction, actual: unknown): { correct?: boolean; absError?: number } {
  const { prediction } = held;
  if (held.task === "regression") {
    const a = typeof actual === "string" ? Number(actual) : actual;
    if (typeof prediction === "number" && typeof a === "number" && Number.isFinite(a)) {
      return { absError: Math.abs(a - prediction) };
    }
    return {};
  }
  if (held.binary) {
    const positive = isPositive(actual);
    return positive === undefined ? {} : { correct: (prediction as number) >= 0.5 === positive };
  }
  if (actual === undefined || actual === null) return {};
  // A label index logged as a number and the label given as a string ("2") are the same class.
  return { correct: prediction === actual || String(prediction) === String(actual) };
}

/** The class of a binary outcome: true/false, 1/0 or their strings; anything else cannot be compared. */
function isPositive(actual: unknown): boolean | undefined {
  if (actual === true || actual === 1 || actual === "1" || actual === "true") return true;
  if (actual === false || actual === 0 || actual === "0" || actual === "false") return false;
  return undefined;
}

function validate(options: OutcomeOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(`mlobs: recordOutcome() expects an object with ${OPTION_NAMES.join(", ")}`);
  }
  rejectUnknownOptions("recordOutcome()", options, OPTION_NAMES);
  if (typeof options.predictionId !== "string" || options.predictionId === "") {
    throw new TypeError(
      `mlobs: recordOutcome(): invalid predictionId ${JSON.stringify(options.predictionId)}: expected a non-empty string`,
    );
  }
  if (options.actual === undefined) {
    throw new TypeError("mlobs: recordOutcome(): invalid actual undefined: expected the actual outcome");
  }
  for (const key of ["modelName", "modelVersion"] as const) {
    if (options[key] !== undefined && typeof options[key] !== "string") {
      throw new TypeError(`mlobs: recordOutcome(): invalid ${key}: expected a string`);
    }
  }
  if (options.logger !== undefined && typeof options.logger?.info !== "function") {
    throw new TypeError("mlobs: recordOutcome(): invalid logger: expected a Logger");
  }
}
