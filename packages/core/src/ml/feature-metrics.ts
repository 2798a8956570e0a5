import type { Attributes } from "@opentelemetry/api";
import type { Instruments } from "./instruments.js";
import { ML } from "./semconv.js";

/** The features whose distribution is recorded as metrics, and the cap on categories per feature. */
export type FeatureMetricsOption =
  | readonly string[]
  | { features: readonly string[]; maxCategories?: number };

/** How many distinct values of one categorical feature get their own series by default. */
const DEFAULT_MAX_CATEGORIES = 50;

/**
 * Records the named features of each input item: a finite number on `ml.feature.value`, a string
 * or boolean on `ml.feature.category`. Each feature keeps its first `maxCategories` values as
 * series; later new values count as `__other__`, so one free-text feature cannot explode the
 * backend's cardinality.
 */
export function createFeatureRecorder(
  option: FeatureMetricsOption,
  modelAttributes: Attributes,
): (item: unknown, instruments: Instruments) => void {
  const names = Array.isArray(option) ? option : (option as { features: readonly string[] }).features;
  const max =
    (Array.isArray(option) ? undefined : (option as { maxCategories?: number }).maxCategories) ??
    DEFAULT_MAX_CATEGORIES;
  const features = names.map((name) => ({
    name,
    numeric: { ...modelAttributes, [ML.attr.featureName]: name } as Attributes,
    categories: new Map<string, Attributes>(),
    other: { ...modelAttributes, [ML.attr.featureName]: name, [ML.attr.featureCategory]: ML.otherCategory },
  }));
  return (item, instruments) => {
    if (typeof item !== "object" || item === null) return;
    for (const feature of features) {
      const value = (item as Record<string, unknown>)[feature.name];
      if (typeof value === "number") {
        if (Number.isFinite(value)) instruments.featureValue.record(value, feature.numeric);
      } else if (typeof value === "string" || typeof value === "boolean") {
        const category = String(value);
        let attributes = feature.categories.get(category);
        if (attributes === undefined && feature.categories.size < max) {
          attributes = {
            ...modelAttributes,
            [ML.attr.featureName]: feature.name,
            [ML.attr.featureCategory]: category,
          };
          feature.categories.set(category, attributes);
        }
        instruments.featureCategory.add(1, attributes ?? feature.other);
      }
    }
  };
}
