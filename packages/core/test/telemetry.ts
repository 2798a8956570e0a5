import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { type DataPoint, type Histogram, MeterProvider, MetricReader } from "@opentelemetry/sdk-metrics";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { createLogger } from "../src/configure.js";
import { createLogCapture } from "../src/testing.js";

// Collects on demand only: no timer, so metric assertions see exactly the calls made so far.
class ManualReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** A metric point, flattened for assertions: the sum of a counter or the count and sum of a histogram. */
export interface MetricPoint {
  name: string;
  attributes: Record<string, unknown>;
  value: number | { count: number; sum: number | undefined };
}

/**
 * A logger on a log capture, a tracer on an in-memory span exporter and a meter on a manual reader,
 * with the AsyncLocalStorage context manager registered (for the ML helper's unit tests).
 */
export function createTestTelemetry() {
  if (!(globalThis as { __mlobsContextManager?: boolean }).__mlobsContextManager) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    (globalThis as { __mlobsContextManager?: boolean }).__mlobsContextManager = true;
  }
  const capture = createLogCapture();
  const logger = createLogger({ outputs: [capture] });
  const spans = new InMemorySpanExporter();
  const tracer = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }).getTracer(
    "test",
  );
  const reader = new ManualReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const meter = meterProvider.getMeter("test");
  const readMetrics = async (): Promise<MetricPoint[]> => {
    const { resourceMetrics } = await reader.collect();
    return resourceMetrics.scopeMetrics.flatMap((scope) =>
      scope.metrics.flatMap((metric) =>
        (metric.dataPoints as DataPoint<number | Histogram>[]).map((point) => ({
          name: metric.descriptor.name,
          attributes: { ...point.attributes },
          value:
            typeof point.value === "number"
              ? point.value
              : { count: point.value.count, sum: point.value.sum },
        })),
      ),
    );
  };
  return { capture, logger, spans, tracer, meter, meterProvider, readMetrics };
}
