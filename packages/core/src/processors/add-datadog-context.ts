import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { LogRecord, Processor } from "../record.js";
import { validSpanContext } from "../valid-span-context.js";

/** Options of `addDatadogContext()`: Datadog's unified service tags. */
export interface AddDatadogContextOptions {
  /** Default: `DD_SERVICE`, else `OTEL_SERVICE_NAME`, else `service.name` in `OTEL_RESOURCE_ATTRIBUTES`. */
  service?: string;
  /** Default: `DD_ENV`, else `deployment.environment.name` (or `deployment.environment`) in `OTEL_RESOURCE_ATTRIBUTES`. */
  env?: string;
  /** Default: `DD_VERSION`, else `service.version` in `OTEL_RESOURCE_ATTRIBUTES`. */
  version?: string;
}

/** What is written under `dd`, the object dd-trace-js's log injection writes. */
export interface DatadogContext {
  /** The lower 64 bits of the OpenTelemetry trace id, as an unsigned decimal string. */
  trace_id?: string;
  /** The 64-bit span id as an unsigned decimal string. */
  span_id?: string;
  service?: string;
  env?: string;
  version?: string;
}

const OPTION_NAMES = ["service", "env", "version"];

/** The 16 lowercase hex digits of a 64-bit id as an unsigned decimal string. */
function hexToDecimal(hex: string): string {
  return BigInt(`0x${hex}`).toString();
}

/** `OTEL_RESOURCE_ATTRIBUTES` (`key=value,...`, values percent-encoded) as a map; malformed pairs are skipped. */
function resourceAttributes(): Map<string, string> {
  const attributes = new Map<string, string>();
  for (const pair of (process.env.OTEL_RESOURCE_ATTRIBUTES ?? "").split(",")) {
    const at = pair.indexOf("=");
    if (at <= 0) continue;
    try {
      attributes.set(pair.slice(0, at).trim(), decodeURIComponent(pair.slice(at + 1).trim()));
    } catch {
      // A malformed escape: the OpenTelemetry SDK drops the pair too.
    }
  }
  return attributes;
}

function nonEmpty(...values: (string | undefined)[]): string | undefined {
  return values.find((value) => value !== undefined && value !== "");
}

/**
 * Adds Datadog's `dd` object (`trace_id`, `span_id` in Datadog's decimal form, `service`, `env`,
 * `version`) for JSON lines that a Datadog Agent tails, so they join their APM traces. The tags come
 * from the options, else `DD_SERVICE` / `DD_ENV` / `DD_VERSION`, else the OpenTelemetry resource
 * variables; the ids only inside a valid span.
 * @example
 * createLogger({ processors: [...defaultProcessors(), addDatadogContext({ service: "ranker" })] });
 */
export function addDatadogContext(options: AddDatadogContextOptions = {}): Processor {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: addDatadogContext(options): expected an object with any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  rejectUnknownOptions("addDatadogContext()", options, OPTION_NAMES);
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined && typeof value !== "string") {
      throw new TypeError(`mlobs: addDatadogContext({ ${key} }): expected a string`);
    }
  }
  const env = process.env;
  const resource = resourceAttributes();
  const tags: DatadogContext = {};
  const service = nonEmpty(
    options.service,
    env.DD_SERVICE,
    env.OTEL_SERVICE_NAME,
    resource.get("service.name"),
  );
  const environment = nonEmpty(
    options.env,
    env.DD_ENV,
    resource.get("deployment.environment.name"),
    resource.get("deployment.environment"),
  );
  const version = nonEmpty(options.version, env.DD_VERSION, resource.get("service.version"));
  if (service !== undefined) tags.service = service;
  if (environment !== undefined) tags.env = environment;
  if (version !== undefined) tags.version = version;
  const hasTags = Object.keys(tags).length > 0;
  // Records of one span come in runs: convert each id once.
  let lastTraceId = "";
  let lastTraceDecimal = "";
  let lastSpanId = "";
  let lastSpanDecimal = "";
  return (record: LogRecord) => {
    const spanContext = validSpanContext(record.context);
    if (spanContext === undefined) {
      if (hasTags) record.fields.dd = { ...tags };
      return record;
    }
    const { traceId, spanId } = spanContext;
    if (traceId !== lastTraceId) {
      // Datadog's 64-bit trace id is the lower half of the 128-bit one (W3C ids keep their randomness there).
      lastTraceDecimal = hexToDecimal(traceId.slice(16));
      lastTraceId = traceId;
    }
    if (spanId !== lastSpanId) {
      lastSpanDecimal = hexToDecimal(spanId);
      lastSpanId = spanId;
    }
    record.fields.dd = { trace_id: lastTraceDecimal, span_id: lastSpanDecimal, ...tags };
    return record;
  };
}
