import { ROOT_CONTEXT } from "@opentelemetry/api";
import { SamplingDecision, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { traceIdRatioSampled } from "./trace-id-ratio.js";

const traceId = fc.stringMatching(/^[0-9a-f]{32}$/);

describe("traceIdRatioSampled()", () => {
  it("decides as OpenTelemetry's TraceIdRatioBasedSampler for any trace id and ratio", () => {
    fc.assert(
      fc.property(traceId, fc.double({ min: -0.5, max: 1.5, noNaN: true }), (id, ratio) => {
        const sampler = new TraceIdRatioBasedSampler(ratio);
        const expected =
          sampler.shouldSample(ROOT_CONTEXT, id).decision === SamplingDecision.RECORD_AND_SAMPLED;
        expect(traceIdRatioSampled(id, ratio)).toBe(expected);
      }),
      { seed: 11, numRuns: 5_000 },
    );
  });

  it("never samples an invalid trace id (all zeros, wrong length)", () => {
    expect(traceIdRatioSampled("0".repeat(32), 1)).toBe(false);
    expect(traceIdRatioSampled("abc", 1)).toBe(false);
  });
});
