// The one workload every variant runs: the record of an ML prediction service, with request
// context bound to the logger and an OpenTelemetry span active for the whole run.
import { context, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";

/** The event name of every record. */
export const EVENT = "prediction_complete";

/** Fields bound once per logger (pino's chindings, mlobs' bind(), winston's child()). */
export const BOUND = Object.freeze({
  request_id: "req-7f3a9c2e",
  user_id: "user-42",
  model_version: "3.1.4",
});

/** A fresh field object per call, as a call site builds it. */
export function fields(i) {
  return {
    prediction: 0.87,
    latency_ms: 142.5,
    low_confidence: false,
    feature_count: 3 + (i & 1),
    model: "churn-v3",
  };
}

/**
 * Registers the ALS context manager and a BasicTracerProvider (ParentBased(AlwaysOn), no span
 * processor), as NodeTracerProvider.register() would, and returns a runner that calls `fn`
 * inside one active span.
 */
export function setupTracing() {
  const manager = new AsyncLocalStorageContextManager();
  manager.enable();
  context.setGlobalContextManager(manager);
  const provider = new BasicTracerProvider();
  trace.setGlobalTracerProvider(provider);
  const span = provider.getTracer("bench").startSpan("predict");
  return {
    traceId: span.spanContext().traceId,
    inSpan: (fn) => context.with(trace.setSpan(context.active(), span), fn),
  };
}

/** The trace ids of the active span, as the pino mixin and the winston format add them. */
export function activeTraceFields() {
  const span = trace.getActiveSpan();
  if (span === undefined) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  return { trace_id: traceId, span_id: spanId, trace_flags: `0${traceFlags.toString(16)}` };
}
