import { context, INVALID_SPAN_CONTEXT, type Span, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Fields } from "../record.js";
import { createLogCapture } from "../testing.js";
import { addXrayTraceId } from "./add-xray-trace-id.js";

function loggedIn(spans: (Span | undefined)[]): Fields[] {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [addXrayTraceId()] });
  for (const span of spans) {
    if (span === undefined) log.info("x");
    else context.with(trace.setSpan(context.active(), span), () => log.info("x"));
  }
  return capture.entries;
}

describe("addXrayTraceId()", () => {
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it("writes the trace id in X-Ray form, 1-<8 hex>-<24 hex>", () => {
    // The example id of the X-Ray documentation, as a 32-hex OpenTelemetry id.
    const traceId = "5759e988bd862e3fe1be46a994272793";
    const tracer = new BasicTracerProvider({
      idGenerator: { generateTraceId: () => traceId, generateSpanId: () => "53995c3f42cd8ad8" },
    }).getTracer("test");
    const [entry] = loggedIn([tracer.startSpan("predict")]);
    expect(entry!.xray_trace_id).toBe("1-5759e988-bd862e3fe1be46a994272793");
  });

  it("follows the active span from record to record", () => {
    const tracer = new BasicTracerProvider().getTracer("test");
    const spans = [tracer.startSpan("a"), tracer.startSpan("b")];
    const entries = loggedIn([spans[0], spans[0], spans[1]]);
    entries.forEach((entry, i) => {
      const traceId = spans[i === 2 ? 1 : 0]!.spanContext().traceId;
      expect(entry.xray_trace_id).toMatch(/^1-[0-9a-f]{8}-[0-9a-f]{24}$/);
      expect((entry.xray_trace_id as string).slice(2).replace("-", "")).toBe(traceId);
    });
  });

  it("leaves the record untouched outside a span and with an invalid span context", () => {
    expect(loggedIn([undefined, trace.wrapSpanContext(INVALID_SPAN_CONTEXT)])).toEqual([
      { event: "x" },
      { event: "x" },
    ]);
  });
});
