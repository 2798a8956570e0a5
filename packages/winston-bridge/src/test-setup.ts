// Shared by the tests: a tracer with the AsyncLocalStorage context manager, an SDK LoggerProvider
// with an in-memory exporter, and Console output captured in memory.
import { once } from "node:events";
import { Writable } from "node:stream";
import { context, type Tracer, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import {
  BatchLogRecordProcessor,
  InMemoryLogRecordExporter,
  LoggerProvider,
  type ReadableLogRecord,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";

let tracer: Tracer | undefined;

/** A tracer whose spans are active across awaits (the ALS context manager, registered once). */
export function getTracer(): Tracer {
  if (tracer === undefined) {
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    tracer = new BasicTracerProvider().getTracer("test");
  }
  return tracer;
}

/** Runs `fn` inside a new active span; resolves to its result and the span's trace id. */
export async function inSpan<T>(
  name: string,
  fn: () => T | Promise<T>,
): Promise<{ traceId: string; result: T }> {
  return getTracer().startActiveSpan(name, async (span) => {
    try {
      return { traceId: span.spanContext().traceId, result: await fn() };
    } finally {
      span.end();
    }
  });
}

/** An SDK LoggerProvider exporting into memory: simple (one export per record) or batched. */
export function memoryLogs(kind: "simple" | "batch" = "simple"): {
  provider: LoggerProvider;
  exporter: InMemoryLogRecordExporter;
  records: () => ReadableLogRecord[];
} {
  const exporter = new InMemoryLogRecordExporter();
  const processor =
    kind === "simple"
      ? new SimpleLogRecordProcessor({ exporter })
      : new BatchLogRecordProcessor({ exporter, maxQueueSize: 100_000, scheduledDelayMillis: 60_000 });
  const provider = new LoggerProvider({ processors: [processor] });
  return { provider, exporter, records: () => exporter.getFinishedLogRecords() };
}

type ConsoleStreams = { _stdout: Writable; _stderr: Writable };

/** Redirects what winston's Console transport writes (console._stdout/_stderr) into memory. */
export function captureConsole(): {
  lines: () => string[];
  parsed: () => Record<string, unknown>[];
  restore: () => void;
} {
  const target = console as unknown as ConsoleStreams;
  const saved = { stdout: target._stdout, stderr: target._stderr };
  let text = "";
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      text += String(chunk);
      callback();
    },
  });
  target._stdout = sink;
  target._stderr = sink;
  const lines = () => text.split("\n").filter((line) => line !== "");
  return {
    lines,
    parsed: () => lines().map((line) => JSON.parse(line) as Record<string, unknown>),
    restore() {
      target._stdout = saved.stdout;
      target._stderr = saved.stderr;
    },
  };
}

/** winston's documented way to flush: end() the logger and wait for 'finish'. */
export async function endLogger(logger: NodeJS.EventEmitter & { end(): unknown }): Promise<void> {
  const finished = once(logger, "finish");
  logger.end();
  await finished;
}

/** The span context of the active span, for assertions. */
export function activeTraceId(): string | undefined {
  return trace.getActiveSpan()?.spanContext().traceId;
}
