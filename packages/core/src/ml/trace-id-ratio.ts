import { isValidTraceId } from "@opentelemetry/api";

/**
 * Whether a trace is in the `ratio` share, decided from its id exactly as OpenTelemetry's
 * TraceIdRatioBasedSampler decides (sdk-trace, sampler/TraceIdRatioBasedSampler.js): every service
 * of one trace reaches the same answer, and it agrees with a trace sampler at the same ratio.
 * Copied rather than imported so that the main entry point needs only `@opentelemetry/api`; a test
 * checks it against the sampler itself.
 */
export function traceIdRatioSampled(traceId: string, ratio: number): boolean {
  const upperBound = ratio >= 1 ? 0x100000000 : ratio <= 0 ? 0 : Math.floor(ratio * 0xffffffff);
  return isValidTraceId(traceId) && accumulate(traceId) < upperBound;
}

/** The XOR of the trace id's four 32-bit words, as the sampler computes it. */
function accumulate(traceId: string): number {
  let accumulation = 0;
  for (let i = 0; i < 32; i += 8) {
    let part = 0;
    for (let j = 0; j < 8; j++) {
      const c = traceId.charCodeAt(i + j);
      const v = c < 58 ? c - 48 : c < 71 ? c - 55 : c - 87;
      part = (part << 4) | v;
    }
    accumulation = (accumulation ^ part) >>> 0;
  }
  return accumulation;
}
