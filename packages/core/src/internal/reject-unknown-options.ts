/**
 * Throws a TypeError naming the first key of `options` that is not in `accepted`, and the accepted
 * ones: `mlobs: <where>: unknown option "<key>": expected one of ...`. Every factory that takes an
 * options object checks its keys with it, so a misspelt option fails at creation, never silently.
 */
export function rejectUnknownOptions(where: string, options: object, accepted: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!accepted.includes(key)) {
      throw new TypeError(
        `mlobs: ${where}: unknown option ${JSON.stringify(key)}: expected one of ${accepted.join(", ")}`,
      );
    }
  }
}
