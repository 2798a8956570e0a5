/** The share given to an empty bin, so that its log term stays finite (a common choice for PSI). */
const EMPTY_BIN_SHARE = 1e-4;

/**
 * The population stability index of `actual` against `expected`, both counts over the same bins:
 * the sum over bins of (a - e) * ln(a / e) on their shares. Under 0.1 is usually read as stable,
 * over 0.25 as a shift worth a look.
 */
export function populationStabilityIndex(expected: readonly number[], actual: readonly number[]): number {
  const total = (counts: readonly number[]) => counts.reduce((sum, n) => sum + n, 0);
  const e = total(expected);
  const a = total(actual);
  let psi = 0;
  for (let i = 0; i < expected.length; i++) {
    const es = Math.max(expected[i]! / e, EMPTY_BIN_SHARE);
    const as = Math.max((actual[i] ?? 0) / a, EMPTY_BIN_SHARE);
    psi += (as - es) * Math.log(as / es);
  }
  return psi;
}
