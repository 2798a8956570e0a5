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

/** A fresh field object per call, as a call site builds it: the prediction_complete record. */
function predictionComplete(i) {
  return {
    prediction: 0.87,
    latency_ms: 142.5,
    low_confidence: false,
    feature_count: 3 + (i & 1),
    model: "churn-v3",
  };
}

const KEYS_30 = Array.from({ length: 30 }, (_, k) => `feature_${k}`);
const EMBEDDING = Array.from({ length: 100 }, (_, k) => Math.round(Math.sin(k) * 1e4) / 1e4);
// One Error, made once: a call site logs the error it caught, it does not build a new stack per record.
const FAILURE = new Error("prediction failed", {
  cause: new TypeError("feature vector has 3 items, expected 4"),
});

/**
 * The shapes of the "shapes" suite (BENCH_SHAPE), each a fresh object per call: V8 handles them
 * differently (hidden classes, dictionary mode, nesting), and the serializer pays for each.
 */
export const SHAPES = {
  flat: predictionComplete,
  // A key deleted after creation puts the object in dictionary mode.
  dictionary: (i) => {
    const f = predictionComplete(i);
    f.scratch = i;
    delete f.scratch;
    return f;
  },
  // An object literal, as a call site writes one (a loop of assignments would measure itself).
  keys30: new Function(
    "i",
    `return { ${KEYS_30.map((key, k) => `${key}: ${k & 1 ? `i + ${k}` : '"v"'}`).join(", ")} };`,
  ),
  nested3: (i) => ({
    prediction: 0.87,
    request: { model: { name: "churn", version: { major: 3, minor: i & 7 } }, route: "/predict" },
  }),
  array100: () => ({ prediction: 0.87, embedding: EMBEDDING }),
  error: () => ({ err: FAILURE, latency_ms: 12 }),
};

/** The fields of every call: the prediction_complete record, or the shape BENCH_SHAPE names. */
export const fields = SHAPES[process.env.BENCH_SHAPE ?? "flat"];
if (fields === undefined) throw new Error(`unknown BENCH_SHAPE ${process.env.BENCH_SHAPE}`);

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
