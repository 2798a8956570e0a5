/**
 * The error a wrapped predict function throws, before calling the model, when an input feature is
 * NaN, infinite or missing; `feature` names it and `item` is its index in a batch.
 */
export class InvalidFeatureError extends Error {
  override name = "InvalidFeatureError";
  /** The feature's name, or its index for array inputs. */
  readonly feature: string;
  /** The index of the item in a batch, when the input is a batch. */
  readonly item: number | undefined;

  constructor(message: string, feature: string, item?: number) {
    super(item === undefined ? message : `batch item ${item}: ${message}`);
    this.feature = feature;
    this.item = item;
  }
}
