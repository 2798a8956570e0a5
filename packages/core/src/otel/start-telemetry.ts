import { createRequire, syncBuiltinESMExports } from "node:module";
import { join } from "node:path";
import { context, type Meter, metrics, propagation, type Tracer, trace } from "@opentelemetry/api";
import { logs } from "@opentelemetry/api-logs";
import {
  getBooleanFromEnv,
  getNumberFromEnv,
  getStringFromEnv,
  getStringListFromEnv,
} from "@opentelemetry/core";
import { OTLPMetricExporter as GrpcMetricExporter } from "@opentelemetry/exporter-metrics-otlp-grpc";
import { OTLPMetricExporter as JsonMetricExporter } from "@opentelemetry/exporter-metrics-otlp-http";
import { OTLPMetricExporter as ProtoMetricExporter } from "@opentelemetry/exporter-metrics-otlp-proto";
import { OTLPTraceExporter as GrpcTraceExporter } from "@opentelemetry/exporter-trace-otlp-grpc";
import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtoTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
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
import { LoggerProvider, type LogRecordExporter, type LogRecordProcessor } from "@opentelemetry/sdk-logs";
import { NodeSDK, metrics as sdkMetrics, tracing } from "@opentelemetry/sdk-node";
import { ATTR_SERVICE_NAME, ATTR_SERVICE_VERSION } from "@opentelemetry/semantic-conventions";
import { configure, createLogger, type LoggerOptions } from "../configure.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { warn } from "../internal/warn.js";
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
import {
  checkExportConfiguration,
  createLogProcessors,
  logRecordLimits,
  protocolOf,
  signalUrl,
} from "./log-pipeline.js";
import { createShutdown } from "./shutdown.js";
import { unrefAgentFactory } from "./unref-agent.js";

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
  checkExportConfiguration(options.endpoint);
  const disabled = getBooleanFromEnv("OTEL_SDK_DISABLED");
  const shutdownTimeoutMs = options.shutdownTimeoutMs ?? DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const loggerOptions = options.logger ?? {};
  const localOutputs: readonly Output[] = loggerOptions.outputs ?? [
    stdoutOutput({ format: loggerOptions.format }),
  ];
  const resource = createResource(options);
  const owned = globalsUnset();
  warnUnreadableGlobals();
  // An application that set up OpenTelemetry itself keeps its own SDK: a second one would export
  // every span twice and wrap the built-in modules twice.
  const appTracing = !owned.includes("trace");
  const appLogs = !owned.includes("logs");
  if (appTracing || appLogs) announceExisting(appTracing, appLogs);

  let processor: BoundedBatchProcessor | undefined;
  let provider: LoggerProvider | undefined;
  const logProcessors =
    disabled || appLogs
      ? []
      : createLogProcessors(options, shutdownTimeoutMs, (count, reason, cause) => {
          reportDrop(count, reason, cause);
        });
  if (logProcessors.length > 0) {
    processor = logProcessors.find((p): p is BoundedBatchProcessor => p instanceof BoundedBatchProcessor);
    provider = new LoggerProvider({
      resource,
      processors: logProcessors,
      logRecordLimits: logRecordLimits(),
    });
  }

  // The application's own LoggerProvider when it registered one, else ours.
  const otel =
    provider !== undefined
      ? otelOutput({ loggerProvider: provider })
      : appLogs && !disabled
        ? otelOutput()
        : undefined;
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
  let sdk: NodeSDK | undefined;
  if (!appTracing) {
    sdk = new NodeSDK({
      resource,
      autoDetectResources: false,
      instrumentations: options.instrumentations ?? [new HttpInstrumentation()],
      // The log pipeline is ours (above); an empty list keeps NodeSDK from building a second one.
      logRecordProcessors: [],
      metricReaders: metricReaders(options, shutdownTimeoutMs),
      ...traceConfig(options, shutdownTimeoutMs),
    });
    sdk.start();
    // NodeSDK registers a LoggerProvider even with no log processor: one that exports nothing,
    // where the application's own (registered later) would be refused without a word.
    if (provider === undefined && !appLogs) logs.disable();
    if (!disabled) patchLoadedBuiltins();
  }

  // What this start registered, as registered now: an application may register its own later.
  const registered = registeredNow(owned);
  const serviceName = String(resource.attributes[ATTR_SERVICE_NAME] ?? "unknown_service:node");
  const tracer = trace.getTracer(serviceName, options.serviceVersion);
  const meter = metrics.getMeter(serviceName, options.serviceVersion);
  const droppedCounter = metrics.getMeter("@mlobs/core").createCounter(METRIC_RECORDS_DROPPED, {
    description: "Log records that could not be delivered over OTLP",
    unit: "{record}",
  });

  function reportDrop(count: number, reason: DropReason, cause: string | undefined): void {
    localLogger.warn(
      EVENT_RECORDS_DROPPED,
      cause === undefined ? { count, reason } : { count, reason, cause },
    );
    droppedCounter.add(count, { reason });
  }

  const end = createShutdown({
    provider,
    processor,
    sdk,
    otel,
    localOutputs,
    timeoutMs: shutdownTimeoutMs,
    report: reportDrop,
    release: () => releaseGlobals(registered),
  });
  const uninstall =
    options.handleSignals === false
      ? () => {}
      : installShutdownHooks({
          logger,
          shutdown: end.shutdown,
          flush: end.flush,
          timeoutMs: shutdownTimeoutMs,
          reportUndelivered: end.reportUndelivered,
        });

  return {
    logger,
    tracer,
    meter,
    flush: end.flush,
    shutdown: () => {
      uninstall();
      return end.shutdown();
    },
    stats: () => processor?.stats ?? { delivered: 0, dropped: 0, pending: 0 },
  };
}

/**
 * An application's registration made with an older `@opentelemetry/api` than the copy loaded here
 * is invisible to this copy (the API accepts only registrations of its own minor version or newer):
 * records would carry no trace ids. It happens when two copies are installed; say so, once.
 */
function warnUnreadableGlobals(): void {
  const registry = (globalThis as Record<symbol, { version?: string; trace?: unknown } | undefined>)[
    API_REGISTRY
  ];
  if (registry?.trace === undefined || trace.getTracerProvider() === registry.trace) return;
  warn(
    `mlobs: the application registered OpenTelemetry with @opentelemetry/api ${registry.version}, which the newer copy loaded by @mlobs/core cannot read: records would carry no trace ids. Install one copy (@opentelemetry/api is a peer dependency of @mlobs/core; \`npm dedupe\`).`,
  );
}

let announced = false;

/** Says once, on stderr, which of the application's own OpenTelemetry parts are used instead of ours. */
function announceExisting(tracing: boolean, logging: boolean): void {
  if (announced) return;
  announced = true;
  const parts = [
    tracing
      ? "tracer provider (so no second NodeSDK: its exporters, metrics and instrumentations apply)"
      : "",
    logging ? "logger provider (records are emitted into it, through its own processors)" : "",
  ].filter((part) => part !== "");
  warn(
    `mlobs: startTelemetry(): OpenTelemetry is already set up in this process; using the application's ${parts.join(" and ")}`,
  );
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
  const timeout = options.shutdownTimeoutMs;
  if (timeout !== undefined && (!Number.isFinite(timeout) || timeout < 0)) {
    throw new TypeError(
      `mlobs: invalid option shutdownTimeoutMs ${JSON.stringify(timeout)}: expected a number >= 0`,
    );
  }
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

/**
 * Spans: to the endpoint option in the configured protocol (OTLP/HTTP protobuf by default), else as the OTEL_TRACES_* variables say
 * (NodeSDK reads them), else recorded without export so trace ids still exist for correlation.
 */
function traceConfig(
  options: TelemetryOptions,
  shutdownTimeoutMs: number,
): {
  spanProcessors?: tracing.SpanProcessor[];
  traceExporter?: tracing.SpanExporter;
} {
  if (options.spanProcessors !== undefined) return { spanProcessors: options.spanProcessors };
  const kinds = getStringListFromEnv("OTEL_TRACES_EXPORTER");
  if (kinds?.includes("none")) return { spanProcessors: [new tracing.NoopSpanProcessor()] };
  const ownEndpoint = getStringFromEnv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  if (options.endpoint !== undefined && onlyOtlp(kinds)) {
    const protocol = protocolOf("TRACES");
    const timeoutMillis = exportTimeout("TRACES", shutdownTimeoutMs);
    if (protocol === "grpc")
      return {
        traceExporter: new GrpcTraceExporter({ url: ownEndpoint ?? options.endpoint, timeoutMillis }),
      };
    const url = ownEndpoint === undefined ? signalUrl(options.endpoint, "v1/traces") : undefined;
    const config = {
      ...(url === undefined ? {} : { url }),
      httpAgentOptions: unrefAgentFactory,
      timeoutMillis,
    };
    return {
      traceExporter:
        protocol === "http/json" ? new JsonTraceExporter(config) : new ProtoTraceExporter(config),
    };
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

/**
 * An export's timeout: the signal's OTEL_EXPORTER_OTLP_*_TIMEOUT, else OTEL_EXPORTER_OTLP_TIMEOUT,
 * else OpenTelemetry's 10 s, and never past the shutdown deadline, so a final export to a collector
 * that never answers cannot keep the process alive after shutdown() resolved.
 */
function exportTimeout(signal: "TRACES" | "METRICS", shutdownTimeoutMs: number): number {
  const configured =
    getNumberFromEnv(`OTEL_EXPORTER_OTLP_${signal}_TIMEOUT`) ??
    getNumberFromEnv("OTEL_EXPORTER_OTLP_TIMEOUT");
  return Math.min(configured ?? 10_000, shutdownTimeoutMs);
}

/** Whether OTEL_*_EXPORTER asks for OTLP only (or nothing, which means OTLP). */
function onlyOtlp(kinds: string[] | undefined): boolean {
  return kinds === undefined || (kinds.length === 1 && kinds[0] === "otlp");
}

/** Metrics: as for spans; without any endpoint there is no reader and the meter records nothing. */
function metricReaders(
  options: TelemetryOptions,
  shutdownTimeoutMs: number,
): sdkMetrics.IMetricReader[] | undefined {
  if (options.metricReaders !== undefined) return options.metricReaders;
  const kinds = getStringListFromEnv("OTEL_METRICS_EXPORTER");
  if (kinds?.includes("none")) return [];
  const ownEndpoint = getStringFromEnv("OTEL_EXPORTER_OTLP_METRICS_ENDPOINT");
  if (options.endpoint !== undefined && onlyOtlp(kinds)) {
    const protocol = protocolOf("METRICS");
    const timeoutMillis = exportTimeout("METRICS", shutdownTimeoutMs);
    const url = ownEndpoint === undefined ? signalUrl(options.endpoint, "v1/metrics") : undefined;
    const config = {
      ...(url === undefined ? {} : { url }),
      httpAgentOptions: unrefAgentFactory,
      timeoutMillis,
    };
    const exporter =
      protocol === "grpc"
        ? new GrpcMetricExporter({ url: ownEndpoint ?? options.endpoint, timeoutMillis })
        : protocol === "http/json"
          ? new JsonMetricExporter(config)
          : new ProtoMetricExporter(config);
    return [
      new sdkMetrics.PeriodicExportingMetricReader({
        exporter,
        exportIntervalMillis: getNumberFromEnv("OTEL_METRIC_EXPORT_INTERVAL") ?? 60_000,
        exportTimeoutMillis: Math.min(
          getNumberFromEnv("OTEL_METRIC_EXPORT_TIMEOUT") ?? 30_000,
          shutdownTimeoutMs,
        ),
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

/** The registry entry of a global: the API's registry for four of them, api-logs' own for logs. */
function registryEntry(name: GlobalName): unknown {
  if (name === "logs") return (globalThis as Record<symbol, unknown>)[LOGS_REGISTRY];
  return (globalThis as Record<symbol, Record<string, unknown> | undefined>)[API_REGISTRY]?.[name];
}

/** Of the globals nobody had registered before this start, the ones it registered, with their entries. */
function registeredNow(owned: GlobalName[]): Map<GlobalName, unknown> {
  const entries = new Map<GlobalName, unknown>();
  for (const name of owned) {
    const entry = registryEntry(name);
    if (entry !== undefined) entries.set(name, entry);
  }
  return entries;
}

/**
 * Unregisters the globals this start registered, so telemetry can be started again in the same
 * process; one the application registered since (or that this start never set) is left alone.
 */
function releaseGlobals(registered: Map<GlobalName, unknown>): void {
  for (const [name, entry] of registered) {
    if (registryEntry(name) !== entry) continue;
    if (name === "trace") trace.disable();
    else if (name === "metrics") metrics.disable();
    else if (name === "propagation") propagation.disable();
    else if (name === "context") context.disable();
    else logs.disable();
  }
}
