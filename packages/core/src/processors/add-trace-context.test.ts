import {
  context,
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  type Span,
  TraceFlags,
  trace,
} from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { AlwaysOffSampler, BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { createBindings } from "../logger.js";
import type { LogRecord, Processor } from "../record.js";
import { scoped } from "../scope.js";
import { createLogCapture } from "../testing.js";
import { validSpanContext } from "../valid-span-context.js";
import { type AddTraceContextOptions, addTraceContext } from "./add-trace-context.js";

function setup(processor: Processor = addTraceContext()) {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [processor] });
  return { capture, log };
}

function inSpan(span: Span, fn: () => void): void {
  context.with(trace.setSpan(context.active(), span), fn);
}

describe("addTraceContext()", () => {
  const tracer = new BasicTracerProvider().getTracer("test");
  beforeAll(() => {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  });
  afterAll(() => {
    context.disable();
  });

  it("adds trace_id, span_id and trace_flags of the active span", () => {
    const { capture, log } = setup();
    const span = tracer.startSpan("predict");
    inSpan(span, () => log.info("inside", { a: 1 }));
    span.end();
    const { traceId, spanId } = span.spanContext();
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(capture.entries[0]).toEqual({
      event: "inside",
      a: 1,
      trace_id: traceId,
      span_id: spanId,
      trace_flags: "01",
    });
  });

  it("follows the span across awaits, and each nested span's own id", async () => {
    const { capture, log } = setup();
    const parent = tracer.startSpan("request");
    await context.with(trace.setSpan(context.active(), parent), async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info("after_await");
      const child = tracer.startSpan("predict");
      inSpan(child, () => log.info("in_child"));
      child.end();
    });
    parent.end();
    const [first, second] = capture.entries;
    expect(first).toMatchObject({
      trace_id: parent.spanContext().traceId,
      span_id: parent.spanContext().spanId,
    });
    expect(second!.trace_id).toBe(parent.spanContext().traceId);
    expect(second!.span_id).not.toBe(parent.spanContext().spanId);
  });

  it("writes trace_flags 00 for a span that is not sampled", () => {
    const { capture, log } = setup();
    const unsampled = new BasicTracerProvider({ sampler: new AlwaysOffSampler() }).getTracer("off");
    const span = unsampled.startSpan("predict");
    inSpan(span, () => log.info("x"));
    expect(capture.entries[0]).toMatchObject({ span_id: span.spanContext().spanId, trace_flags: "00" });
  });

  it("writes the ids under configured keys, e.g. request_id, and can leave the flags out", () => {
    const { capture, log } = setup(
      addTraceContext({ traceIdKey: "request_id", spanIdKey: "sid", traceFlagsKey: null }),
    );
    const span = tracer.startSpan("predict");
    inSpan(span, () => log.info("x"));
    const { traceId, spanId } = span.spanContext();
    expect(capture.entries[0]).toEqual({ event: "x", request_id: traceId, sid: spanId });
  });

  it("leaves the record untouched outside a span", () => {
    const { capture, log } = setup();
    log.info("outside", { a: 1 });
    expect(capture.entries[0]).toEqual({ event: "outside", a: 1 });
  });

  it("leaves the record untouched with an invalid span context", () => {
    const { capture, log } = setup();
    inSpan(trace.wrapSpanContext(INVALID_SPAN_CONTEXT), () => log.info("invalid"));
    const malformed = { traceId: "abc", spanId: "0123456789abcdef", traceFlags: TraceFlags.SAMPLED };
    inSpan(trace.wrapSpanContext(malformed), () => log.info("short_trace_id"));
    const zeroSpan = {
      traceId: "0af7651916cd43dd8448eb211c80319c",
      spanId: "0000000000000000",
      traceFlags: 1,
    };
    inSpan(trace.wrapSpanContext(zeroSpan), () => log.info("zero_span_id"));
    expect(capture.entries).toEqual([
      { event: "invalid" },
      { event: "short_trace_id" },
      { event: "zero_span_id" },
    ]);
  });

  it("reads the context captured in the record, not the one active when it runs", () => {
    const span = tracer.startSpan("predict");
    const record: LogRecord = {
      time: 0,
      level: "info",
      event: "x",
      logger: undefined,
      context: trace.setSpan(ROOT_CONTEXT, span),
      bindings: createBindings({}),
      fields: {},
    };
    expect(addTraceContext()(record)!.fields.span_id).toBe(span.spanContext().spanId);
    expect(validSpanContext(ROOT_CONTEXT)).toBeUndefined();
  });

  it("outside a span, inside a scope: the scope's own id as trace_id, one per scope, under the configured key", async () => {
    const { capture, log } = setup();
    const renamed = setup(addTraceContext({ traceIdKey: "request_id" }));
    const handle = scoped(async (n: number) => {
      log.info("received", { n });
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info("done", { n });
      renamed.log.info("renamed", { n });
    });
    await Promise.all([0, 1, 2].map(handle));
    const ids = [0, 1, 2].map((n) => {
      const [received, done] = capture.entries.filter((e) => e.n === n);
      expect(received!.trace_id).toMatch(/^[0-9a-f]{32}$/);
      expect(done!.trace_id).toBe(received!.trace_id);
      expect(done!.span_id).toBeUndefined();
      expect(renamed.capture.entries.find((e) => e.n === n)).toEqual({
        event: "renamed",
        n,
        request_id: done!.trace_id,
      });
      return received!.trace_id;
    });
    expect(new Set(ids).size).toBe(3);
  });

  it("inside a span within a scope: the span's trace id wins", () => {
    const { capture, log } = setup();
    const span = tracer.startSpan("predict");
    scoped(() => inSpan(span, () => log.info("inside")))();
    expect(capture.entries[0]!.trace_id).toBe(span.spanContext().traceId);
  });

  it("throws at creation on an invalid key, naming the option", () => {
    expect(() => addTraceContext({ traceIdKey: "" })).toThrow(/traceIdKey.*non-empty string/);
    expect(() => addTraceContext({ spanIdKey: 1 } as unknown as AddTraceContextOptions)).toThrow(/spanIdKey/);
    expect(() => addTraceContext({ traceFlagsKey: "" })).toThrow(/traceFlagsKey.*or null/);
    expect(() => addTraceContext({ traceIdkey: "request_id" } as unknown as AddTraceContextOptions)).toThrow(
      'mlobs: addTraceContext(): unknown option "traceIdkey": expected one of traceIdKey, spanIdKey, traceFlagsKey',
    );
  });
});
