import { createRequire } from "node:module";

// OpenTelemetry's own sampler, from @mlobs/core's dependencies: the examples depend on @mlobs/core only.
const fromCore = createRequire(new URL("../packages/core/package.json", import.meta.url));
const { TraceIdRatioBasedSampler, SamplingDecision } = fromCore("@opentelemetry/sdk-trace-base") as {
  TraceIdRatioBasedSampler: new (
    ratio: number,
  ) => { shouldSample(context: unknown, traceId: string): { decision: number } };
  SamplingDecision: { RECORD_AND_SAMPLED: number };
};
const { ROOT_CONTEXT } = fromCore("@opentelemetry/api") as { ROOT_CONTEXT: unknown };

/** Whether OpenTelemetry's TraceIdRatioBasedSampler at `ratio` samples the trace `traceId`. */
export function sampledByOtel(traceId: string, ratio: number): boolean {
  return (
    new TraceIdRatioBasedSampler(ratio).shouldSample(ROOT_CONTEXT, traceId).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  );
}
