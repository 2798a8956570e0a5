import { randomUUID } from "node:crypto";
import {
  type Attributes,
  isValidTraceId,
  type Meter,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { getLogger } from "../configure.js";
import { describe } from "../encode/walk.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { currentScope } from "../internal/scope.js";
import type { Logger } from "../logger.js";
import type { Fields } from "../record.js";
import { withContext } from "../scope.js";
import { capturedFeatures, type FeaturePolicy, featureFields } from "./feature-fields.js";
import { createFeatureRecorder, type FeatureMetricsOption } from "./feature-metrics.js";
import { followInstruments } from "./instruments.js";
import { type Interpretation, interpretOutput, type OutputSettings } from "./interpret-output.js";
import { DEFAULT_RECENT_PREDICTIONS, RecentPredictions } from "./recent-predictions.js";
import { ML } from "./semconv.js";
import { traceIdRatioSampled } from "./trace-id-ratio.js";
import { validateFeatures } from "./validate-features.js";

/** Options of `instrumentPredict()`; `Input` and `Output` are one item's, also for a batch. */
export interface InstrumentPredictOptions<Input, Output> {
  /** Bound as `model_name`, and the `model.name` attribute of spans and metrics. */
  modelName: string;
  /** Bound as `model_version`, and the `model.version` attribute of spans and metrics. */
  modelVersion?: string;
  /** How outputs are read. Default `classification`. */
  task?: "classification" | "regression";
  /** Confidence below this is a `low_confidence_prediction`. Default 0.6. */
  threshold?: number;
  /** Class labels by index, for outputs that are arrays of class probabilities. */
  labels?: readonly string[];
  /** The confidence (0..1) of one output, overriding how the task reads it. */
  confidence?: (output: Output, input: Input) => number | undefined;
  /** Regression: the prediction interval of one output; wider than `maxIntervalWidth` is low confidence. */
  interval?: (output: Output, input: Input) => readonly [number, number] | undefined;
  /** Regression: the widest interval that is still confident. Required with `interval`. */
  maxIntervalWidth?: number;
  /** Features that must be present (not undefined or null) in object inputs. */
  requiredFeatures?: readonly string[];
  /** What `request_received` tells about the features. Default `count`. */
  features?: FeaturePolicy;
  /**
   * Features whose distribution is recorded per item, by model name and version, so that a backend
   * can alert on drift: numbers on `ml.feature.value` (histogram), strings and booleans on
   * `ml.feature.category` (counter; the first `maxCategories`, default 50, values per feature,
   * the rest as `__other__`). Names are keys of object inputs, or indices ("0") of array inputs.
   */
  featureMetrics?: FeatureMetricsOption;
  /** The input is an array of items and the output an array of their predictions: events per call. */
  batch?: boolean;
  /**
   * How many recent predictions are held, by prediction id, so that `recordOutcome()` in this
   * process can join their outcome (`correct`, `abs_error`). Default 10,000; 0 holds none.
   */
  recentPredictions?: number;
  /** The logger for the events. Default `getLogger()` (the process-wide configuration). */
  logger?: Logger;
  /** Default: the global tracer provider's tracer `mlobs`. */
  tracer?: Tracer;
  /** Default: the global meter provider's meter `mlobs`, looked up again when the provider changes. */
  meter?: Meter;
}

/** Per-call options of an instrumented predict function. */
export interface PredictCallOptions {
  /** Bound as `user_id` to every record of the call. */
  userId?: string;
  /** The prediction's id, to join ground truth later. Default: a random UUID. */
  predictionId?: string;
  /** More fields bound to every record of the call (e.g. `request_id`). */
  fields?: Fields;
}

/** A predict function with the same input and result, plus per-call options. */
export type InstrumentedPredict<Input, Result> = (input: Input, call?: PredictCallOptions) => Result;

type ItemOf<T> = T extends readonly (infer U)[] ? U : unknown;

const OPTION_NAMES = [
  "modelName",
  "modelVersion",
  "task",
  "threshold",
  "labels",
  "confidence",
  "interval",
  "maxIntervalWidth",
  "requiredFeatures",
  "features",
  "featureMetrics",
  "batch",
  "recentPredictions",
  "logger",
  "tracer",
  "meter",
];
const TASKS = ["classification", "regression"];
const DEFAULT_THRESHOLD = 0.6;
/** A batch event lists at most this many low-confidence item indices; the count is always exact. */
const MAX_LISTED_INDICES = 100;

/**
 * Wraps a predict function (sync or async, one input or a batch) so that every call runs in a span
 * with `user_id`, `model_name`, `model_version` and `prediction_id` bound to its records, logs
 * `request_received`, then `prediction_complete`, `low_confidence_prediction` or `prediction_failed`
 * (the error is rethrown), and records latency and counters as OpenTelemetry metrics.
 * @example
 * const predict = instrumentPredict(model.predict.bind(model), { modelName: "churn", modelVersion: "v3.2", threshold: 0.65 });
 * const p = await predict({ age: 35, balance: 20 }, { userId: "user-001" });
 */
export function instrumentPredict<Input, Result>(
  predict: (input: Input) => Result,
  options: InstrumentPredictOptions<Input, Awaited<Result>> & { batch?: false },
): InstrumentedPredict<Input, Result>;
export function instrumentPredict<Input extends readonly unknown[], Result>(
  predict: (batch: Input) => Result,
  options: InstrumentPredictOptions<Input[number], ItemOf<Awaited<Result>>> & { batch: true },
): InstrumentedPredict<Input, Result>;
export function instrumentPredict(
  predict: (input: unknown) => unknown,
  options: InstrumentPredictOptions<never, never>,
): InstrumentedPredict<unknown, unknown> {
  validate(predict, options);
  const batch = options.batch === true;
  const policy = options.features ?? "count";
  const sampleRate = typeof policy === "object" ? policy.values.sampleRate : 0;
  const required = options.requiredFeatures ?? [];
  const settings: OutputSettings = {
    task: options.task ?? "classification",
    threshold: options.threshold ?? DEFAULT_THRESHOLD,
    labels: options.labels,
    confidence: options.confidence,
    interval: options.interval,
    maxIntervalWidth: options.maxIntervalWidth,
  };
  const log = options.logger ?? getLogger();
  const tracer = options.tracer ?? trace.getTracer(ML.scope);
  const spanName = `predict ${options.modelName}`;
  const modelAttributes: Attributes = { [ML.attr.modelName]: options.modelName };
  if (options.modelVersion !== undefined) modelAttributes[ML.attr.modelVersion] = options.modelVersion;
  const modelFields: Fields = { [ML.field.modelName]: options.modelName };
  if (options.modelVersion !== undefined) modelFields[ML.field.modelVersion] = options.modelVersion;

  const getInstruments = followInstruments(options.meter);
  const recordFeatures =
    options.featureMetrics === undefined
      ? undefined
      : createFeatureRecorder(options.featureMetrics, modelAttributes);
  const recent = new RecentPredictions(options.recentPredictions ?? DEFAULT_RECENT_PREDICTIONS);

  function run(self: unknown, input: unknown, span: Span, predictionId: string): unknown {
    const start = performance.now();
    const isBatch = batch && Array.isArray(input);
    const items = isBatch ? (input as unknown[]).length : 1;
    const elapsed = () => Math.round((performance.now() - start) * 100) / 100;

    const fail = (thrown: unknown): void => {
      const latency = elapsed();
      const error = thrown instanceof Error ? thrown : new Error(describe(thrown));
      const fields: Fields = { error, latency_ms: latency };
      if (isBatch) fields.batch_size = items;
      // The input of a failure is what one needs to reproduce it: always captured, whatever the sampling.
      try {
        Object.assign(fields, capturedFeatures(input, policy, isBatch, 1));
      } catch {
        // Unreadable input (a revoked Proxy): request_received already says so.
      }
      log.error(ML.event.predictionFailed, fields);
      span.recordException(error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      span.setAttribute(ML.attr.errorType, error.name);
      const failed = { ...modelAttributes, [ML.attr.errorType]: error.name };
      const m = getInstruments();
      m.duration.record(latency, failed);
      m.predictions.add(items, modelAttributes);
      m.failures.add(items, failed);
      span.end();
    };

    const complete = (output: unknown): void => {
      const latency = elapsed();
      let lowCount: number;
      try {
        lowCount = isBatch
          ? logBatch(input as unknown[], output, latency, span)
          : logOne(input, output, latency, span, predictionId);
      } finally {
        span.end();
      }
      const m = getInstruments();
      m.duration.record(latency, modelAttributes);
      m.predictions.add(items, modelAttributes);
      if (lowCount > 0) m.lowConfidence.add(lowCount, modelAttributes);
    };

    let received: Fields;
    try {
      received = featureFields(
        input,
        policy,
        isBatch,
        sampleRate > 0 && traceIdRatioSampled(correlationId(span), sampleRate),
      );
    } catch (error) {
      // An input whose keys cannot be read (a revoked Proxy) is the model's to reject, not ours.
      received = { logging_error: `features could not be read: ${describe(error)}` };
    }
    log.info(ML.event.requestReceived, received);
    let result: unknown;
    try {
      if (!batch) validateFeatures(input, required);
      else if (!isBatch) throw new TypeError(`batch input must be an array, got ${typeof input}`);
      else {
        const items = input as unknown[];
        for (let i = 0; i < items.length; i++) validateFeatures(items[i], required, i);
      }
      if (recordFeatures !== undefined) {
        const m = getInstruments();
        if (isBatch) for (const item of input as unknown[]) recordFeatures(item, m);
        else recordFeatures(input, m);
      }
      result = predict.call(self, input);
    } catch (error) {
      fail(error);
      throw error;
    }
    if (isThenable(result)) {
      return result.then(
        (output) => {
          complete(output);
          return output;
        },
        (error: unknown) => {
          fail(error);
          throw error;
        },
      );
    }
    complete(result);
    return result;
  }

  function logOne(
    input: unknown,
    output: unknown,
    latency: number,
    span: Span,
    predictionId: string,
  ): number {
    const read = interpretOutput(output, input, settings);
    recent.add(predictionId, {
      prediction: read.prediction,
      // A probability p is its own prediction: the class is p >= 0.5.
      binary: settings.task === "classification" && typeof output === "number" && output >= 0 && output <= 1,
      task: settings.task,
      modelName: options.modelName,
      modelVersion: options.modelVersion,
      time: Date.now(),
      logger: log,
      attributes: modelAttributes,
      instruments: getInstruments,
    });
    const fields: Fields = {
      prediction: read.prediction,
      latency_ms: latency,
      low_confidence: read.low,
      ...read.fields,
    };
    if (read.low) log.warn(ML.event.lowConfidencePrediction, fields);
    else log.info(ML.event.predictionComplete, fields);
    span.setAttribute(ML.attr.lowConfidence, read.low);
    if (read.confidence !== undefined) {
      span.setAttribute(ML.attr.confidence, read.confidence);
      getInstruments().confidence.record(read.confidence, modelAttributes);
    }
    return read.low ? 1 : 0;
  }

  function logBatch(inputs: unknown[], output: unknown, latency: number, span: Span): number {
    const outputs = Array.isArray(output) && output.length === inputs.length ? output : undefined;
    const reads: Interpretation[] =
      outputs?.map((item, i) => interpretOutput(item, inputs[i], settings)) ?? [];
    const indices: number[] = [];
    let lowCount = 0;
    let minConfidence: number | undefined;
    const m = getInstruments();
    reads.forEach((read, i) => {
      if (read.confidence !== undefined) m.confidence.record(read.confidence, modelAttributes);
      if (read.low) {
        lowCount++;
        if (indices.length < MAX_LISTED_INDICES) indices.push(i);
      }
      if (
        read.confidence !== undefined &&
        !(read.confidence >= (minConfidence ?? Number.POSITIVE_INFINITY))
      ) {
        minConfidence = read.confidence;
      }
    });
    const fields: Fields = {
      batch_size: inputs.length,
      latency_ms: latency,
      low_confidence: lowCount > 0,
      low_confidence_count: lowCount,
    };
    if (lowCount > 0) fields.low_confidence_indices = indices;
    if (minConfidence !== undefined) {
      fields.confidence_min = minConfidence;
      fields.threshold = settings.threshold;
    }
    const widths = reads.find((read) => read.fields.max_interval_width !== undefined);
    if (widths !== undefined) fields.max_interval_width = widths.fields.max_interval_width;
    if (outputs === undefined)
      fields.output_mismatch = "the output is not an array of one prediction per item";
    if (lowCount > 0) log.warn(ML.event.lowConfidencePrediction, fields);
    else log.info(ML.event.predictionComplete, fields);
    span.setAttribute(ML.attr.lowConfidence, lowCount > 0);
    span.setAttribute(ML.attr.lowConfidenceCount, lowCount);
    return lowCount;
  }

  return function instrumented(this: unknown, input: unknown, call?: PredictCallOptions): unknown {
    const predictionId = call?.predictionId ?? randomUUID();
    const bound: Fields = { ...call?.fields };
    if (call?.userId !== undefined) bound[ML.field.userId] = call.userId;
    Object.assign(bound, modelFields);
    bound[ML.field.predictionId] = predictionId;
    const attributes: Attributes = { ...modelAttributes, [ML.attr.predictionId]: predictionId };
    if (batch && Array.isArray(input)) attributes[ML.attr.batchSize] = input.length;
    return withContext(bound, () =>
      tracer.startActiveSpan(spanName, { kind: SpanKind.INTERNAL, attributes }, (span) =>
        run(this, input, span, predictionId),
      ),
    );
  };
}

/**
 * What the payload sampling is decided from: the trace id, so every service of a trace decides
 * alike; without a tracing SDK (no valid span), the scope's correlation id, the `trace_id` its
 * records carry (the call always runs in a scope of its own, within the caller's if any).
 */
function correlationId(span: Span): string {
  const { traceId } = span.spanContext();
  return isValidTraceId(traceId) ? traceId : (currentScope()?.traceId ?? "");
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === "object" || typeof value === "function") &&
    value !== null &&
    typeof (value as PromiseLike<unknown>).then === "function"
  );
}

function invalid(option: string, value: unknown, expected: string): never {
  let shown: string;
  try {
    shown = JSON.stringify(value) ?? String(value);
  } catch {
    shown = String(value);
  }
  throw new TypeError(`mlobs: invalid option ${option} ${shown}: expected ${expected}`);
}

function isFraction(value: unknown): boolean {
  return typeof value === "number" && value >= 0 && value <= 1;
}

function isStringArray(value: unknown): boolean {
  return Array.isArray(value) && value.every((item) => typeof item === "string");
}

function validate(predict: unknown, options: InstrumentPredictOptions<never, never>): void {
  if (typeof predict !== "function")
    throw new TypeError("mlobs: instrumentPredict() expects a predict function");
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: instrumentPredict() options must be an object with modelName and any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  rejectUnknownOptions("instrumentPredict()", options, OPTION_NAMES);
  const o = options as unknown as Record<string, unknown>;
  if (typeof o.modelName !== "string" || o.modelName === "")
    invalid("modelName", o.modelName, "a non-empty string");
  if (o.modelVersion !== undefined && typeof o.modelVersion !== "string")
    invalid("modelVersion", o.modelVersion, "a string");
  if (o.task !== undefined && !TASKS.includes(o.task as string))
    invalid("task", o.task, `one of ${TASKS.join(", ")}`);
  if (o.threshold !== undefined && !isFraction(o.threshold))
    invalid("threshold", o.threshold, "a number from 0 to 1");
  for (const key of ["labels", "requiredFeatures"]) {
    if (o[key] !== undefined && !isStringArray(o[key])) invalid(key, o[key], "an array of strings");
  }
  for (const key of ["confidence", "interval"]) {
    if (o[key] !== undefined && typeof o[key] !== "function")
      invalid(key, o[key], "a function (output, input)");
  }
  if (o.interval !== undefined && (typeof o.maxIntervalWidth !== "number" || !(o.maxIntervalWidth >= 0))) {
    invalid("maxIntervalWidth", o.maxIntervalWidth, "a number >= 0 (required with interval)");
  }
  if (o.batch !== undefined && typeof o.batch !== "boolean") invalid("batch", o.batch, "a boolean");
  if (o.featureMetrics !== undefined) {
    const fm = o.featureMetrics as { features?: unknown; maxCategories?: unknown };
    const list = Array.isArray(fm) ? fm : fm?.features;
    const max = Array.isArray(fm) ? undefined : fm?.maxCategories;
    if (!isStringArray(list) || (max !== undefined && !(Number.isInteger(max) && (max as number) >= 0))) {
      invalid(
        "featureMetrics",
        fm,
        "an array of feature names or { features: string[], maxCategories?: integer >= 0 }",
      );
    }
  }
  if (
    o.recentPredictions !== undefined &&
    !(Number.isInteger(o.recentPredictions) && (o.recentPredictions as number) >= 0)
  ) {
    invalid("recentPredictions", o.recentPredictions, "an integer >= 0");
  }
  const features = o.features as FeaturePolicy | undefined;
  if (features !== undefined && features !== "count" && features !== "names") {
    const values = (features as { values?: unknown }).values as Record<string, unknown> | undefined;
    const expected = `"count", "names" or { values: { sampleRate: 0..1, redact?: string[] } }`;
    if (typeof values !== "object" || values === null) invalid("features", features, expected);
    if (!isFraction(values.sampleRate))
      invalid("features.values.sampleRate", values.sampleRate, "a number from 0 to 1");
    if (values.redact !== undefined && !isStringArray(values.redact)) {
      invalid("features.values.redact", values.redact, "an array of feature names");
    }
  }
  if (o.logger !== undefined && typeof (o.logger as Logger).info !== "function")
    invalid("logger", "[object]", "a Logger");
}
