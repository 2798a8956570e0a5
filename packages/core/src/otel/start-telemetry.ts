import { createRequire, syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { context, diag, type Meter, metrics, propagation, type Tracer, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from "@opentelemetry/core";
import { OTLPLogExporter as JsonLogExporter } from "@opentelemetry/exporter-logs-otlp-http";
import { OTLPLogExporter as ProtoLogExporter } from "@opentelemetry/exporter-logs-otlp-proto";
import { OTLPMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import type { Instrumentation } from "@opentelemetry/instrumentation";
import { HttpInstrumentation } from "@opentelemetry/instrumentation-http";
import {
  defaultResource,
  detectResources,
  envDetector,
  hostDetector,
  osDetector,
  processDetector,
  type Resource,
  type ResourceDetector,
  resourceFromAttributes,
  serviceInstanceIdDetector,
} from "@opentelemetry/resources";
import {
  ConsoleLogRecordExporter,
  LoggerProvider,
  type LogRecordExporter,
  type LogRecordLimits,
  type LogRecordProcessor,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import { NodeSDK, metrics as sdkMetrics, tracing } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { configure, createLogger, type LoggerOptions } from "../configure.js";
import { diagnostics } from "../internal/diagnostics.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { Logger } from "../logger.js";
import { otelOutput } from "../outputs/otel.js";
import { stdoutOutput } from "../outputs/stdout.js";
import type { Output } from "../record.js";
import { EVENT_RECORDS_DROPPED, METRIC_RECORDS_DROPPED } from "../semconv.js";
import {
  BoundedBatchProcessor,
  type BoundedBatchProcessorOptions,
  type DeliveryStats,
  type DropReason,
} from "./bounded-batch-processor.js";
import { installShutdownHooks } from "./install-shutdown-hooks.js";

/** Options of `startTelemetry()`. Every one falls back to the standard `OTEL_*` variable where there is one. */
export interface TelemetryOptions {
  /** `service.name`. Default: `OTEL_SERVICE_NAME`, then `OTEL_RESOURCE_ATTRIBUTES`, then `unknown_service:node`. */
  serviceName?: string;
  /** `service.version`. */
  serviceVersion?: string;
  /** `deployment.environment.name`, e.g. `production`. */
  environment?: string;
  /**
   * The OTLP/HTTP base URL (e.g. `http://localhost:4318`); `/v1/logs`, `/v1/traces` and
   * `/v1/metrics` are appended. Default: `OTEL_EXPORTER_OTLP_ENDPOINT`. A signal's own variable
   * (`OTEL_EXPORTER_OTLP_LOGS_ENDPOINT`, ...) still wins for that signal. Without any, nothing is
   * exported: logs go to the local outputs only, and spans still get ids for correlation.
   */
  endpoint?: string;
  /** The logger: its processors, level, name, and local outputs (default: stdout in the `LOG_FORMAT` format). */
  logger?: LoggerOptions;
  /** How long `shutdown()` (and the signal handlers) may take to deliver what is buffered. Default: 5000 ms. */
  shutdownTimeoutMs?: number;
  /** Whether to deliver before the process ends on SIGTERM, SIGINT, `beforeExit` and uncaught exceptions. Default: true. */
  handleSignals?: boolean;
  /** Default: HTTP instrumentation, so `traceparent` crosses services. */
  instrumentations?: Instrumentation[];
  /** Queue and batch sizes, retries of the log delivery (default: `OTEL_BLRP_*`, then sizes for bursts). */
  delivery?: Omit<BoundedBatchProcessorOptions, "onDrop" | "shutdownTimeoutMillis">;
  /** Replaces the OTLP log exporter (tests, other transports). */
  logRecordExporter?: LogRecordExporter;
  /** Replaces the whole log pipeline (the bounded batch processor and its exporter). */
  logRecordProcessor?: LogRecordProcessor;
  /** Replaces the span processors (tests). */
  spanProcessors?: tracing.SpanProcessor[];
  /** Replaces the metric readers (tests). */
  metricReaders?: sdkMetrics.IMetricReader[];
}

/** A started telemetry pipeline. */
export interface Telemetry {
  /** Writes to the local outputs and, when an endpoint is configured, over OTLP. */
  logger: Logger;
  tracer: Tracer;
  meter: Meter;
  /** Delivers what is buffered (logs, spans, metrics) without closing anything. */
  flush(): Promise<void>;
  /** Delivers what is buffered within `shutdownTimeoutMs`, then closes everything. Never rejects. */
  shutdown(): Promise<void>;
  /** What the OTLP log delivery has done so far (all zero without an endpoint). */
  stats(): DeliveryStats;
}

// Semantic conventions 1.45 still list it as incubating; the key is stable in practice.
const ATTR_DEPLOYMENT_ENVIRONMENT_NAME = "deployment.environment.name";
const DEFAULT_SHUTDOWN_TIMEOUT_MS = 5000;
const DETECTORS: Record<string, ResourceDetector> = {
  env: envDetector,
  host: hostDetector,
  os: osDetector,
  process: processDetector,
  serviceinstance: serviceInstanceIdDetector,
};

/**
 * Starts OpenTelemetry (`@opentelemetry/sdk-node`) for a service in one call: the resource, OTLP/HTTP
 * (protobuf) export of logs, traces and metrics, HTTP instrumentation, a logger that writes JSON
 * to stdout and over OTLP, delivery that counts and reports what it cannot deliver, and a
 * shutdown that flushes it all when the process ends. The logger also becomes the process-wide
 * configuration of `getLogger()`.
 * @example
 * const { logger, tracer, shutdown } = startTelemetry({ serviceName: "ranker", serviceVersion: "1.4.0" });
 * logger.info("model_loaded", { model: "churn-v3" });
 */
export function startTelemetry(options: TelemetryOptions = {}): Telemetry {
  validate(options);
  const disabled = getBooleanFromEnv("OTEL_SDK_DISABLED");
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const loggerOptions = options.logger ?? {};
  const localOutputs: readonly Output[] = loggerOptions.outputs ?? [
    stdoutOutput({ format: outputFormat(loggerOptions.format) }),
  ];
  const resource = createResource(options);
  const owned = globalsUnset();

  let processor: BoundedBatchProcessor | undefined;
  let provider: LoggerProvider | undefined;
  const logProcessors = disabled
    ? []
    : createLogProcessors(options, shutdownTimeoutMs, (count, reason) => {
        reportDrop(count, reason);
      });
  if (logProcessors.length > 0) {
    processor = logProcessors.find((p): p is BoundedBatchProcessor => p instanceof BoundedBatchProcessor);
    provider = new LoggerProvider({
      resource,
      processors: logProcessors,
      logRecordLimits: logRecordLimits(),
    });
  }

  const otel = provider === undefined ? undefined : otelOutput({ loggerProvider: provider });
  const outputs = otel === undefined ? localOutputs : [...localOutputs, otel];
  const { name, fields, ...shared } = loggerOptions;
  const logger = createLogger({ ...loggerOptions, outputs });
  configure({ ...shared, outputs });
  // Delivery failures are reported on the local outputs only: never into the pipeline that failed.
  const localLogger = createLogger({
    ...loggerOptions,
    level: loggerOptions.level === "silent" ? "silent" : "debug",
    outputs: localOutputs,
  });
  // Registered before NodeSDK starts so that the Logs API (bridges, instrumentations) uses this provider.
  if (provider !== undefined) logs.setGlobalLoggerProvider(provider);
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    instrumentations: options.instrumentations ?? [new HttpInstrumentation()],
    // The log pipeline is ours (above); an empty list keeps NodeSDK from building a second one.
    logRecordProcessors: [],
    metricReaders: metricReaders(options),
    ...traceConfig(options),
  });
  sdk.start();
  if (!disabled) patchLoadedBuiltins();

  const serviceName = String(resource.attributes[ATTR_SERVICE_NAME] ?? "unknown_service:node");
  const tracer = trace.getTracer(serviceName, options.serviceVersion);
  const meter = metrics.getMeter(serviceName, options.serviceVersion);
  const droppedCounter = metrics.getMeter("@mlobs/core").createCounter(METRIC_RECORDS_DROPPED, {
    description: "Log records that could not be delivered over OTLP",
    unit: "{record}",
  });

  function reportDrop(count: number, reason: DropReason): void {
    localLogger.warn(EVENT_RECORDS_DROPPED, { count, reason });
    droppedCounter.add(count, { reason });
  }

  async function flush(): Promise<void> {
    await settle([provider?.forceFlush(), flushSdk(), ...localOutputs.map((output) => output.flush())]);
  }

  // process.exit() ends the process without waiting for delivery: say what is lost, synchronously.
  const onExit = () => {
    if (processor === undefined) return;
    const pending = processor.stats.pending;
    if (pending > 0) {
      diagnostics.dropped += pending;
      localLogger.warn(EVENT_RECORDS_DROPPED, {
        count: pending,
        reason: "process_exit" satisfies DropReason,
      });
    }
    // Drops of the last second are still waiting for their report.
    processor.reportDrops();
    // The buffered outputs write synchronously inside flush().
    for (const output of localOutputs) void output.flush().catch(() => {});
  };
  process.on("exit", onExit);

  let shutdownPromise: Promise<void> | undefined;
  function shutdown(): Promise<void> {
    shutdownPromise ??= (async () => {
      uninstall();
      // Logs first (their processor has its own, shorter deadline and reports its drops, also as
      // a metric), then spans and metrics, so the last drop count is exported too.
      await withDeadline(
        (async () => {
          await settle([provider?.shutdown()]);
          await settle([sdk.shutdown()]);
        })(),
        shutdownTimeoutMs,
      );
      // The OTLP output closes at once (later records are counted as dropped); its flush is the
      // provider's shutdown above, which the deadline may have cut short: not waited for again.
      otel?.shutdown().catch(() => {});
      await settle(localOutputs.map((output) => output.shutdown()));
      // Only now: a process.exit() during the shutdown (an application's own signal listener) must
      // still report what it cut short.
      process.off("exit", onExit);
      releaseGlobals(owned);
    })();
    return shutdownPromise;
  }

  const uninstall =
    options.handleSignals === false ? () => {} : installShutdownHooks({ logger, shutdown, flush });

  return {
    logger,
    tracer,
    meter,
    flush,
    shutdown,
    stats: () => processor?.stats ?? { delivered: 0, dropped: 0, pending: 0 },
  };
}

const OPTION_NAMES = [
  "serviceName",
  "serviceVersion",
  "environment",
  "endpoint",
  "logger",
  "shutdownTimeoutMs",
  "handleSignals",
  "instrumentations",
  "delivery",
  "logRecordExporter",
  "logRecordProcessor",
  "spanProcessors",
  "metricReaders",
];

function validate(options: TelemetryOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: startTelemetry(options): expected an object with any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  rejectUnknownOptions("startTelemetry()", options, OPTION_NAMES);
  for (const key of ["serviceName", "serviceVersion", "environment", "endpoint"] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== "string" || value === "")) {
      throw new TypeError(
        `mlobs: invalid option ${key} ${JSON.stringify(value)}: expected a non-empty string`,
      );
    }
  }
  if (options.endpoint !== undefined && !/^https?:\/\//.test(options.endpoint)) {
    throw new TypeError(
      `mlobs: invalid option endpoint ${JSON.stringify(options.endpoint)}: expected an http:// or https:// URL`,
    );
  }
  const timeout = options.shutdownTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new TypeError(
      `mlobs: invalid option shutdownTimeoutMs ${JSON.stringify(timeout)}: expected a number >= 0`,
    );
  }
}

/** The stdout format: the option, then LOG_FORMAT, then console on a development terminal, else JSON. */
function outputFormat(format: LoggerOptions["format"]): "json" | "console" {
  const chosen = format ?? getStringFromEnv("LOG_FORMAT");
  if (chosen === "json" || chosen === "console") return chosen;
  // An invalid LOG_FORMAT is reported by createLogger(), which validates it.
  return process.stdout.isTTY && process.env.NODE_ENV !== "production" ? "console" : "json";
}

function createResource(options: TelemetryOptions): Resource {
  const names = getStringListFromEnv("OTEL_NODE_RESOURCE_DETECTORS") ?? ["env", "process", "host"];
  const detectors = names.includes("none")
    ? []
    : names.includes("all")
      ? Object.values(DETECTORS)
      : names.flatMap((name) => DETECTORS[name] ?? []);
  const own: Record<string, string> = {};
  if (options.serviceName !== undefined) own[ATTR_SERVICE_NAME] = options.serviceName;
  if (options.serviceVersion !== undefined) own[ATTR_SERVICE_VERSION] = options.serviceVersion;
  if (options.environment !== undefined) own[ATTR_DEPLOYMENT_ENVIRONMENT_NAME] = options.environment;
  // Later wins: the SDK defaults, then the environment (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES), then the options.
  return defaultResource().merge(detectResources({ detectors })).merge(resourceFromAttributes(own));
}

/** Joins a base URL and a signal path as the OTLP exporters do with OTEL_EXPORTER_OTLP_ENDPOINT. */
function signalUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path}`;
}

function createLogProcessors(
  options: TelemetryOptions,
  shutdownTimeoutMs: number,
  onDrop: (count: number, reason: DropReason) => void,
): LogRecordProcessor[] {
  if (options.logRecordProcessor !== undefined) return [options.logRecordProcessor];
  const kinds = getStringListFromEnv("OTEL_LOGS_EXPORTER") ?? ["otlp"];
  if (kinds.includes("none")) return [];
  const processors: LogRecordProcessor[] = [];
  const endpointSet =
    options.endpoint !== undefined ||
    getStringFromEnv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") !== undefined ||
    getStringFromEnv("OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined;
  const exporter =
    options.logRecordExporter ?? (kinds.includes("otlp") && endpointSet ? logExporter(options) : undefined);
  if (exporter !== undefined) {
    processors.push(
      new BoundedBatchProcessor(exporter, {
        maxQueueSize: getNumberFromEnv("OTEL_BLRP_MAX_QUEUE_SIZE"),
        maxExportBatchSize: getNumberFromEnv("OTEL_BLRP_MAX_EXPORT_BATCH_SIZE"),
        scheduledDelayMillis: getNumberFromEnv("OTEL_BLRP_SCHEDULE_DELAY"),
        exportTimeoutMillis: getNumberFromEnv("OTEL_BLRP_EXPORT_TIMEOUT"),
        ...definedOnly(options.delivery ?? {}),
        // Leave a little of the shutdown deadline for spans, metrics and the drop report.
        shutdownTimeoutMillis: Math.max(1, Math.floor(shutdownTimeoutMs * 0.9)),
        onDrop,
      }),
    );
  }
  if (kinds.includes("console"))
    processors.push(new SimpleLogRecordProcessor({ exporter: new ConsoleLogRecordExporter() }));
  return processors;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The OTLP/HTTP log exporter: protobuf unless OTEL_EXPORTER_OTLP_(LOGS_)PROTOCOL says http/json. */
function logExporter(options: TelemetryOptions): LogRecordExporter {
  const protocol =
    (
      getStringFromEnv("OTEL_EXPORTER_OTLP_LOGS_PROTOCOL") ?? getStringFromEnv("OTEL_EXPORTER_OTLP_PROTOCOL")
    )?.trim() || "http/protobuf";
  // Without `url` the exporter reads the OTEL_EXPORTER_OTLP_(LOGS_)ENDPOINT variables itself.
  const url =
    options.endpoint !== undefined && getStringFromEnv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") === undefined
      ? signalUrl(options.endpoint, "v1/logs")
      : undefined;
  const config = url === undefined ? {} : { url };
  if (protocol === "http/json") return new JsonLogExporter(config);
  if (protocol !== "http/protobuf") {
    diag.warn(`mlobs: OTLP logs protocol "${protocol}" is not supported; using http/protobuf`);
  }
  return new ProtoLogExporter(config);
}

function logRecordLimits(): LogRecordLimits {
  const limits: LogRecordLimits = {};
  const count =
    getNumberFromEnv("OTEL_LOGRECORD_ATTRIBUTE_COUNT_LIMIT") ??
    getNumberFromEnv("OTEL_ATTRIBUTE_COUNT_LIMIT");
  const length =
    getNumberFromEnv("OTEL_LOGRECORD_ATTRIBUTE_VALUE_LENGTH_LIMIT") ??
    getNumberFromEnv("OTEL_ATTRIBUTE_VALUE_LENGTH_LIMIT");
  if (count !== undefined) limits.attributeCountLimit = count;
  if (length !== undefined) limits.attributeValueLengthLimit = length;
  return limits;
}

/**
 * Spans: to the endpoint option over OTLP/HTTP protobuf, else as the OTEL_TRACES_* variables say
 * (NodeSDK reads them), else recorded without export so trace ids still exist for correlation.
 */
function traceConfig(options: TelemetryOptions): {
  spanProcessors?: tracing.SpanProcessor[];
  traceExporter?: tracing.SpanExporter;
} {
  if (options.spanProcessors !== undefined) return { spanProcessors: options.spanProcessors };
  const kinds = getStringListFromEnv("OTEL_TRACES_EXPORTER");
  if (kinds?.includes("none")) return { spanProcessors: [new tracing.NoopSpanProcessor()] };
  const ownEndpoint = getStringFromEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (options.endpoint !== undefined && onlyOtlp(kinds)) {
    const url = ownEndpoint === undefined ? signalUrl(options.endpoint, "v1/traces") : undefined;
    return { traceExporter: new OTLPTraceExporter(url === undefined ? {} : { url }) };
  }
  if (
    kinds !== undefined ||
    ownEndpoint !== undefined ||
    getStringFromEnv("OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined
  ) {
    return {};
  }
  return { spanProcessors: [new tracing.NoopSpanProcessor()] };
}

/** Whether OTEL_*_EXPORTER asks for OTLP only (or nothing, which means OTLP). */
function onlyOtlp(kinds: string[] | undefined): boolean {
  return kinds === undefined || (kinds.length === 1 && kinds[0] === "otlp");
}

/** Metrics: as for spans; without any endpoint there is no reader and the meter records nothing. */
function metricReaders(options: TelemetryOptions): sdkMetrics.IMetricReader[] | undefined {
  if (options.metricReaders !== undefined) return options.metricReaders;
  const kinds = getStringListFromEnv("OTEL_METRICS_EXPORTER");
  if (kinds?.includes("none")) return [];
  const ownEndpoint = getStringFromEnv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  if (options.endpoint !== undefined && onlyOtlp(kinds)) {
    const url = ownEndpoint === undefined ? signalUrl(options.endpoint, "v1/metrics") : undefined;
    return [
      new sdkMetrics.PeriodicExportingMetricReader({
        exporter: new OTLPMetricExporter(url === undefined ? {} : { url }),
        exportIntervalMillis: getNumberFromEnv("OTEL_METRIC_EXPORT_INTERVAL") ?? 60_000,
        exportTimeoutMillis: getNumberFromEnv("OTEL_METRIC_EXPORT_TIMEOUT") ?? 30_000,
      }),
    ];
  }
  if (
    kinds !== undefined ||
    ownEndpoint !== undefined ||
    getStringFromEnv("OTEL_EXPORTER_OTLP_ENDPOINT") !== undefined
  ) {
    return undefined;
  }
  return [];
}

/**
 * The instrumentations patch a built-in module when it is `require`d. An ES module application
 * imports `node:http` without `require`, usually before telemetry starts: requiring the built-ins
 * here patches their shared module objects, and `syncBuiltinESMExports()` carries the patched
 * functions over to the named ES exports (`import { request } from "node:http"`).
 */
function patchLoadedBuiltins(): void {
  const require = createRequire(join(process.cwd(), "noop.js"));
  for (const name of ["node:http", "node:https"]) require(name);
  syncBuiltinESMExports();
}

async function flushSdk(): Promise<void> {
  // NodeSDK has no forceFlush; its providers are the global ones it registered.
  const providers = [trace.getTracerProvider(), metrics.getMeterProvider()] as unknown[];
  await settle(
    providers.map((provider) => {
      const target = (provider as { getDelegate?: () => unknown }).getDelegate?.() ?? provider;
      const forceFlush = (target as { forceFlush?: () => Promise<unknown> }).forceFlush;
      return typeof forceFlush === "function" ? forceFlush.call(target) : undefined;
    }),
  );
}

async function settle(work: (Promise<unknown> | undefined)[]): Promise<void> {
  await Promise.allSettled(work);
}

/** Resolves when `work` does or after `ms`; the timer keeps the process alive meanwhile. */
async function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

type GlobalName = "trace" | "metrics" | "propagation" | "context" | "logs";

const API_REGISTRY = Symbol.for("opentelemetry.js.api.1");
const LOGS_REGISTRY = Symbol.for("io.opentelemetry.js.api.logs");

/** The OpenTelemetry globals nobody has registered yet: the ones this start will own. */
function globalsUnset(): GlobalName[] {
  const registry = (globalThis as Record<symbol, Record<string, unknown> | undefined>)[API_REGISTRY] ?? {};
  const names: GlobalName[] = (["trace", "metrics", "propagation", "context"] as const).filter(
    (name) => registry[name] === undefined,
  );
  if ((globalThis as Record<symbol, unknown>)[LOGS_REGISTRY] === undefined) names.push("logs");
  return names;
}

/** Unregisters the globals this start registered, so telemetry can be started again in the same process. */
function releaseGlobals(owned: GlobalName[]): void {
  for (const name of owned) {
    if (name === "trace") trace.disable();
    else if (name === "metrics") metrics.disable();
    else if (name === "propagation") propagation.disable();
    else if (name === "context") context.disable();
    else logs.disable();
  }
}
