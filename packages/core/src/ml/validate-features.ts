import { InvalidFeatureError } from "./invalid-feature-error.js";

/**
 * Throws `InvalidFeatureError` naming the first feature of `input` that is NaN or infinite, or the
 * first of `required` that is missing (absent, null or undefined). Object inputs are checked by key,
 * arrays and typed arrays by index; values nested deeper are the model's business.
 */
export function validateFeatures(input: unknown, required: readonly string[], item?: number): void {
  if (typeof input !== "object" || input === null) {
    if (required.length > 0)
      throw new InvalidFeatureError(`missing required feature "${required[0]}"`, required[0]!, item);
    return;
  }
  if (Array.isArray(input) || ArrayBuffer.isView(input)) {
    const values = input as ArrayLike<unknown>;
    for (let i = 0; i < values.length; i++) checkValue(values[i], String(i), `feature at index ${i}`, item);
    return;
  }
  const features = input as Record<string, unknown>;
  for (const name of required) {
    if (features[name] === undefined || features[name] === null) {
      throw new InvalidFeatureError(`missing required feature "${name}"`, name, item);
    }
  }
  for (const name in features) checkValue(features[name], name, `feature "${name}"`, item);
}

function checkValue(value: unknown, name: string, label: string, item: number | undefined): void {
  // Number.isFinite is false for NaN and ±Infinity only when the value is a number; bigint and
  // strings (categorical features) pass through.
  if (typeof value === "number" && !Number.isFinite(value)) {
    throw new InvalidFeatureError(`${label} is ${value}`, name, item);
  }
}
