import type { Attributes } from "@opentelemetry/api";
import type { Logger } from "../logger.js";
import type { Instruments } from "./instruments.js";

/** A prediction as `recordOutcome()` needs it to join its outcome. */
export interface HeldPrediction {
  /** What `prediction` was logged as. */
  prediction: unknown;
  /** Classification with a binary probability: the predicted class is `prediction >= 0.5`. */
  binary: boolean;
  task: "classification" | "regression";
  modelName: string;
  modelVersion: string | undefined;
  /** `Date.now()` when the prediction completed. */
  time: number;
  logger: Logger;
  attributes: Attributes;
  instruments: () => Instruments;
}

/** How many predictions one instrumented function holds for `recordOutcome()` by default. */
export const DEFAULT_RECENT_PREDICTIONS = 10_000;

/** The most recent predictions of one instrumented function, by prediction id (a Map in insertion order as LRU). */
export class RecentPredictions {
  readonly #held = new Map<string, HeldPrediction>();
  readonly #size: number;

  constructor(size: number) {
    this.#size = size;
    // Weakly: a wrapper that is no longer used must not stay alive for its recent predictions.
    registry.add(new WeakRef(this));
  }

  add(id: string, prediction: HeldPrediction): void {
    if (this.#size === 0) return;
    this.#held.delete(id);
    this.#held.set(id, prediction);
    if (this.#held.size > this.#size) this.#held.delete(this.#held.keys().next().value as string);
  }

  /** Removes and returns the prediction: one outcome per prediction is joined. */
  take(id: string): HeldPrediction | undefined {
    const held = this.#held.get(id);
    if (held !== undefined) this.#held.delete(id);
    return held;
  }

  get size(): number {
    return this.#held.size;
  }
}

const registry = new Set<WeakRef<RecentPredictions>>();

/** Finds (and forgets) the prediction `id` in any live instrumented function of this process. */
export function takeRecentPrediction(id: string, modelName?: string): HeldPrediction | undefined {
  for (const ref of registry) {
    const recent = ref.deref();
    if (recent === undefined) {
      registry.delete(ref);
      continue;
    }
    const held = recent.take(id);
    if (held === undefined) continue;
    if (modelName === undefined || held.modelName === modelName) return held;
    // Another model's prediction with the same id: keep it for its own outcome.
    recent.add(id, held);
  }
  return undefined;
}
