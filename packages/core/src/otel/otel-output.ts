import { type LoggerProvider, logs, type Logger as OtelLogger } from "@opentelemetry/api-logs";
import { diagnostics } from "../internal/diagnostics.js";
import type { LogRecord, Output } from "../record.js";
import { toOtelLogRecord } from "./to-otel-log-record.js";

/** Options of `otelOutput()`. */
export interface OtelOutputOptions {
  /** Where records are emitted. Default: the global LoggerProvider (`logs.getLoggerProvider()`). */
  loggerProvider?: LoggerProvider;
  /** The instrumentation scope of records from loggers without a name. Default: `@mlobs/core`. */
  scopeName?: string;
}

interface Flushable {
  forceFlush?: () => Promise<unknown>;
}

/**
 * An output that hands each record to the OpenTelemetry Logs API (`logger.emit()`), mapped as in
 * `toOtelLogRecord()`; a named logger's name becomes the instrumentation scope. Batching and OTLP
 * export belong to the LoggerProvider's processors (see `startTelemetry()`).
 * @example
 * createLogger({ outputs: [stdoutOutput(), otelOutput({ loggerProvider })] });
 */
export function otelOutput(options: OtelOutputOptions = {}): Output {
  const provider = options.loggerProvider;
  if (provider !== undefined && typeof provider?.getLogger !== "function") {
    throw new TypeError("mlobs: otelOutput({ loggerProvider }): expected a LoggerProvider with getLogger()");
  }
  const scopeName = options.scopeName ?? "@mlobs/core";
  const loggers = new Map<string | undefined, OtelLogger>();
  let closed = false;

  let unnamed: OtelLogger | undefined;

  function loggerFor(name: string | undefined): OtelLogger {
    if (name === undefined && unnamed !== undefined) return unnamed;
    let logger = loggers.get(name);
    if (logger === undefined) {
      logger = (provider ?? logs.getLoggerProvider()).getLogger(name ?? scopeName);
      loggers.set(name, logger);
    }
    if (name === undefined) unnamed = logger;
    return logger;
  }

  async function flush(): Promise<void> {
    const target = (provider ?? logs.getLoggerProvider()) as LoggerProvider & Flushable;
    if (typeof target.forceFlush === "function") await target.forceFlush();
  }

  return {
    write(record: LogRecord) {
      if (closed) {
        diagnostics.dropped++;
        return;
      }
      loggerFor(record.logger).emit(toOtelLogRecord(record));
    },
    flush,
    async shutdown() {
      if (closed) return;
      closed = true;
      await flush();
    },
  };
}
