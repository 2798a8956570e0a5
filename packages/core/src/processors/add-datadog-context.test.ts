import { context, INVALID_SPAN_CONTEXT, type Span, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider, RandomIdGenerator } from "@opentelemetry/sdk-trace-base";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createLogger } from "../configure.js";
import type { Fields } from "../record.js";
import { createLogCapture } from "../testing.js";
import { type AddDatadogContextOptions, addDatadogContext } from "./add-datadog-context.js";

/** A tracer whose next ids are the given ones (then random ones). */
function tracerWithIds(ids: { traceIds?: string[]; spanIds?: string[] }) {
  const random = new RandomIdGenerator();
  const traceIds = [...(ids.traceIds ?? [])];
  const spanIds = [...(ids.spanIds ?? [])];
  return new BasicTracerProvider({
    idGenerator: {
      generateTraceId: () => traceIds.shift() ?? random.generateTraceId(),
      generateSpanId: () => spanIds.shift() ?? random.generateSpanId(),
    },
  }).getTracer("test");
}

function loggedIn(span: Span | undefined, options?: AddDatadogContextOptions): Fields {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [addDatadogContext(options)] });
  if (span === undefined) log.info("x");
  else context.with(trace.setSpan(context.active(), span), () => log.info("x"));
  return capture.entries[0]!;
}

/** Datadog's form of an id, computed apart from the processor: the lower 64 bits, unsigned, base 10. */
function expectedDecimal(hex: string): string {
  return (BigInt(`0x${hex}`) & 0xffff_ffff_ffff_ffffn).toString(10);
}

const ENV_KEYS = ["DD_SERVICE", "DD_ENV", "DD_VERSION", "OTEL_SERVICE_NAME", "OTEL_RESOURCE_ATTRIBUTES"];

describe("addDatadogContext()", () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });
  beforeEach(() => {
    for (const key of ENV_KEYS) vi.stubEnv(key, undefined);
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it("writes the W3C example ids as Datadog's decimal ids (checked by hand)", () => {
    // 0x8448eb211c80319c = 0x8448eb21 * 2^32 + 0x1c80319c = 2219371297 * 4294967296 + 478163356
    //                    = 9532127138774266268; 0xb7ad6b7169203331 = 13235353014750950193 (above 2^63: unsigned).
    const tracer = tracerWithIds({
      traceIds: ["0af7651916cd43dd8448eb211c80319c"],
      spanIds: ["b7ad6b7169203331"],
    });
    const span = tracer.startSpan("predict");
    expect(span.spanContext()).toMatchObject({
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "b7ad6b7169203331",
    });
    expect(2219371297n * 4294967296n + 478163356n).toBe(9532127138774266268n);
    expect(loggedIn(span).dd).toEqual({ trace_id: "9532127138774266268", span_id: "13235353014750950193" });
  });

  it("converts random and edge-case ids as BigInt does, with one conversion per distinct id", () => {
    const edges = [
      "0000000000000001ffffffffffffffff",
      "ffffffffffffffff0000000000000001",
      "00000000000000010000000000000000",
    ];
    const tracer = tracerWithIds({
      traceIds: edges,
      spanIds: ["ffffffffffffffff", "0000000000000001", "8000000000000000"],
    });
    const capture = createLogCapture();
    const log = createLogger({ outputs: [capture], processors: [addDatadogContext()] });
    const spans = Array.from({ length: 23 }, () => tracer.startSpan("predict"));
    for (const span of spans) {
      context.with(trace.setSpan(context.active(), span), () => {
        log.info("first");
        log.info("second");
      });
    }
    spans.forEach((span, i) => {
      const { traceId, spanId } = span.spanContext();
      const expected = { trace_id: expectedDecimal(traceId.slice(16)), span_id: expectedDecimal(spanId) };
      expect(capture.entries[2 * i]!.dd).toEqual(expected);
      expect(capture.entries[2 * i + 1]!.dd).toEqual(expected);
    });
    expect(capture.entries.slice(0, 6).map((entry) => (entry.dd as Fields).trace_id)).toEqual([
      "18446744073709551615",
      "18446744073709551615",
      "1",
      "1",
      "0",
      "0",
    ]);
    expect((capture.entries[0]!.dd as Fields).span_id).toBe("18446744073709551615");
    expect((capture.entries[4]!.dd as Fields).span_id).toBe("9223372036854775808");
  });

  it("adds service, env and version from the options, then DD_*, then the OpenTelemetry variables", () => {
    const span = tracerWithIds({}).startSpan("predict");
    const ids = span.spanContext();
    expect(loggedIn(span, { service: "ranker", env: "prod", version: "1.2.3" }).dd).toEqual({
      trace_id: expectedDecimal(ids.traceId.slice(16)),
      span_id: expectedDecimal(ids.spanId),
      service: "ranker",
      env: "prod",
      version: "1.2.3",
    });
    vi.stubEnv("OTEL_SERVICE_NAME", "otel-ranker");
    vi.stubEnv(
      "OTEL_RESOURCE_ATTRIBUTES",
      "service.name=res,deployment.environment.name=stag%20ing,service.version=9,bad",
    );
    expect(loggedIn(undefined).dd).toEqual({ service: "otel-ranker", env: "stag ing", version: "9" });
    vi.stubEnv("DD_SERVICE", "dd-ranker");
    vi.stubEnv("DD_ENV", "dd-env");
    vi.stubEnv("DD_VERSION", "dd-1");
    expect(loggedIn(undefined).dd).toEqual({ service: "dd-ranker", env: "dd-env", version: "dd-1" });
    expect(loggedIn(undefined, { service: "opt" }).dd).toMatchObject({ service: "opt", env: "dd-env" });
    vi.stubEnv("DD_SERVICE", "");
    vi.stubEnv("OTEL_SERVICE_NAME", "");
    vi.stubEnv("OTEL_RESOURCE_ATTRIBUTES", "service.name=res,deployment.environment=old,x=%E0%A4%A");
    vi.stubEnv("DD_ENV", undefined);
    expect(loggedIn(undefined).dd).toEqual({ service: "res", env: "old", version: "dd-1" });
  });

  it("leaves the record untouched outside a span when no tags are known, and with an invalid span", () => {
    expect(loggedIn(undefined)).toEqual({ event: "x" });
    expect(loggedIn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT))).toEqual({ event: "x" });
    expect(loggedIn(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), { env: "prod" })).toEqual({
      event: "x",
      dd: { env: "prod" },
    });
  });

  it("throws at creation on invalid options, naming them", () => {
    expect(() => addDatadogContext({ service: 1 } as unknown as AddDatadogContextOptions)).toThrow(
      /addDatadogContext\(\{ service \}\): expected a string/,
    );
    expect(() => addDatadogContext({ tags: {} } as unknown as AddDatadogContextOptions)).toThrow(
      /unknown option "tags": expected one of service, env, version/,
    );
    expect(() => addDatadogContext(null as unknown as AddDatadogContextOptions)).toThrow(
      /expected an object/,
    );
  });
});
