import type { Fields } from "../record.js";

/**
 * What `request_received` says about the input features: `"count"` (the default) only
 * `feature_count`; `"names"` adds `feature_names`; `{ values }` adds the values themselves as
 * `features`, for a `sampleRate` share of traces (0..1, decided from the trace id), with the
 * `redact` keys replaced, and to every `prediction_failed`.
 */
export type FeaturePolicy =
  | "count"
  | "names"
  | { values: { sampleRate: number; redact?: readonly string[] } };

const REDACTED = "[REDACTED]";

/**
 * The `request_received` fields for `input` (one item, or a batch when `batch` is set) under
 * `policy`; `sampled` says whether this call's trace is in the policy's `sampleRate` share.
 */
export function featureFields(
  input: unknown,
  policy: FeaturePolicy,
  batch: boolean,
  sampled: boolean,
): Fields {
  const items = batch ? (input as readonly unknown[]) : undefined;
  const first = items === undefined ? input : items[0];
  const fields: Fields = {};
  if (items !== undefined) fields.batch_size = items.length;
  fields.feature_count = countFeatures(first);
  if (policy === "count") return fields;
  const names = featureNames(first);
  if (names !== undefined) fields.feature_names = names;
  if (policy === "names") return fields;
  if (sampled) Object.assign(fields, capturedFeatures(input, policy, batch));
  return fields;
}

/**
 * The payload fields of a call under a `{ values }` policy: `features` (redacted; per item for a
 * batch, so every item of a captured batch is captured) and `sample_rate`, the share of traces
 * whose payloads are captured, so that a query can weight what it counts. Nothing for other policies.
 */
export function capturedFeatures(
  input: unknown,
  policy: FeaturePolicy,
  batch: boolean,
  sampleRate = typeof policy === "object" ? policy.values.sampleRate : 0,
): Fields {
  if (typeof policy !== "object") return {};
  const redact = policy.values.redact ?? [];
  const features = batch
    ? (input as readonly unknown[]).map((item) => redactValues(item, redact))
    : redactValues(input, redact);
  return { features, sample_rate: sampleRate };
}

function countFeatures(input: unknown): number | undefined {
  if (Array.isArray(input) || ArrayBuffer.isView(input)) return (input as ArrayLike<unknown>).length;
  if (typeof input === "object" && input !== null) return Object.keys(input).length;
  return undefined;
}

function featureNames(input: unknown): string[] | undefined {
  if (Array.isArray(input) || ArrayBuffer.isView(input)) return undefined;
  if (typeof input === "object" && input !== null) return Object.keys(input);
  return undefined;
}

function redactValues(input: unknown, redact: readonly string[]): unknown {
  if (ArrayBuffer.isView(input)) input = Array.from(input as unknown as ArrayLike<number>);
  if (Array.isArray(input)) return input.map((value, i) => (redact.includes(String(i)) ? REDACTED : value));
  if (typeof input !== "object" || input === null) return input;
  const copy: Fields = {};
  for (const [name, value] of Object.entries(input)) copy[name] = redact.includes(name) ? REDACTED : value;
  return copy;
}
