import { getNumberFromEnv, getStringFromEnv, getStringListFromEnv } from "@opentelemetry/core";
import { OTLPLogExporter as GrpcLogExporter } from "@opentelemetry/exporter-logs-otlp-grpc";
import {
  ConsoleLogRecordExporter,
  type LogRecordExporter,
  type LogRecordLimits,
  type LogRecordProcessor,
  SimpleLogRecordProcessor,
} from "@opentelemetry/sdk-logs";
import {
  BoundedBatchProcessor,
  type BoundedBatchProcessorOptions,
  type DropReason,
} from "./bounded-batch-processor.js";
import { otlpHttpLogExporter } from "./otlp-http-log-exporter.js";

/** What the log pipeline is built from: the parts of `TelemetryOptions` it reads. */
export interface LogPipelineOptions {
  endpoint?: string | undefined;
  delivery?: Omit<BoundedBatchProcessorOptions, "onDrop" | "shutdownTimeoutMillis"> | undefined;
  logRecordExporter?: LogRecordExporter | undefined;
  logRecordProcessor?: LogRecordProcessor | undefined;
}

/** The OTLP protocols, as `OTEL_EXPORTER_OTLP_PROTOCOL` names them. */
const PROTOCOLS = ["http/protobuf", "http/json", "grpc"] as const;

/** The endpoint variables, each checked at start as the `endpoint` option is. */
const ENDPOINT_VARIABLES = [
  "OTEL_EXPORTER_OTLP_ENDPOINT",
  "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
  "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
  "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT",
] as const;

/**
 * Throws when an endpoint or protocol, given as an option or an `OTEL_EXPORTER_OTLP_*` variable,
 * cannot work, naming it: otherwise every record would be dropped seconds later for a reason the
 * user never sees.
 */
export function checkExportConfiguration(endpointOption: string | undefined): void {
  checkProtocols();
  if (endpointOption !== undefined) checkUrl("option endpoint", endpointOption, false);
  for (const name of ENDPOINT_VARIABLES) {
    const value = getStringFromEnv(name);
    const signal = /OTLP_(LOGS|TRACES|METRICS)_ENDPOINT$/.exec(name)?.[1];
    // A signal whose exporter is off does not read its endpoint, as in OpenTelemetry JS.
    if (value === undefined || (signal !== undefined && exporterOff(signal))) continue;
    checkUrl(name, value, protocolFor(signal) === "grpc");
  }
}

function exporterOff(signal: string): boolean {
  return getStringListFromEnv(`OTEL_${signal}_EXPORTER`)?.includes("none") === true;
}

function protocolFor(signal: string | undefined): string {
  const own = signal === undefined ? undefined : getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`);
  return own ?? getStringFromEnv("OTEL_EXPORTER_OTLP_PROTOCOL") ?? "http/protobuf";
}

function checkProtocols(): void {
  for (const name of [
    "OTEL_EXPORTER_OTLP_PROTOCOL",
    "OTEL_EXPORTER_OTLP_LOGS_PROTOCOL",
    "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
    "OTEL_EXPORTER_OTLP_METRICS_PROTOCOL",
  ]) {
    const value = getStringFromEnv(name);
    if (value !== undefined && !(PROTOCOLS as readonly string[]).includes(value)) {
      throw new TypeError(
        `mlobs: invalid ${name} ${JSON.stringify(value)}: expected one of ${PROTOCOLS.join(", ")}`,
      );
    }
  }
}

// What the gRPC exporter takes besides a URL: `host:port` (it adds the scheme) and `unix:` sockets.
const GRPC_TARGET = /^(?:unix:.+|[^\s/:]+:\d+|\[[0-9a-fA-F:.]+\]:\d+)$/;

function checkUrl(name: string, value: string, grpc: boolean): void {
  if (grpc && GRPC_TARGET.test(value)) return;
  let ok = false;
  try {
    const url = new URL(value);
    ok = (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    ok = false;
  }
  if (!ok) {
    throw new TypeError(
      `mlobs: invalid ${name} ${JSON.stringify(value)}: expected an http:// or https:// URL${
        grpc ? ", host:port or unix:PATH (grpc)" : ""
      }`,
    );
  }
}

/**
 * The log record processors: `BoundedBatchProcessor` over the OTLP exporter of the configured
 * protocol when an endpoint is set (or the given exporter), plus the console exporter when
 * `OTEL_LOGS_EXPORTER` asks for it.
 */
export function createLogProcessors(
  options: LogPipelineOptions,
  shutdownTimeoutMs: number,
  onDrop: (count: number, reason: DropReason, cause: string | undefined) => void,
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

/** Joins a base URL and a signal path as the OTLP exporters do with OTEL_EXPORTER_OTLP_ENDPOINT. */
export function signalUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, "")}/${path}`;
}

/** The OTLP protocol of a signal: OTEL_EXPORTER_OTLP_<SIGNAL>_PROTOCOL, else OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf. */
export function protocolOf(signal: "LOGS" | "TRACES" | "METRICS"): (typeof PROTOCOLS)[number] {
  const value =
    getStringFromEnv(`OTEL_EXPORTER_OTLP_${signal}_PROTOCOL`) ??
    getStringFromEnv("OTEL_EXPORTER_OTLP_PROTOCOL");
  return (PROTOCOLS as readonly string[]).includes(value ?? "")
    ? (value as (typeof PROTOCOLS)[number])
    : "http/protobuf";
}

/** The OTLP log exporter of OTEL_EXPORTER_OTLP_(LOGS_)PROTOCOL: http/protobuf (default), http/json or grpc. */
function logExporter(options: LogPipelineOptions): LogRecordExporter {
  const protocol = protocolOf("LOGS");
  // Without a URL the exporters read the OTEL_EXPORTER_OTLP_(LOGS_)ENDPOINT variables themselves.
  const ownEndpoint = getStringFromEnv("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT") !== undefined;
  const base = ownEndpoint ? undefined : options.endpoint;
  if (protocol === "grpc") {
    // gRPC has no per-signal path: the base URL is the address.
    return new GrpcLogExporter(base === undefined ? {} : { url: base });
  }
  const url = base === undefined ? undefined : signalUrl(base, "v1/logs");
  return otlpHttpLogExporter(protocol === "http/json" ? "json" : "protobuf", url);
}

/** The log record limits of OTEL_LOGRECORD_ATTRIBUTE_*_LIMIT, falling back to OTEL_ATTRIBUTE_*_LIMIT. */
export function logRecordLimits(): LogRecordLimits {
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
