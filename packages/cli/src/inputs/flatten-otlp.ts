/** An OTLP/JSON AnyValue. */
type AnyValue = {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number | string;
  bytesValue?: string;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
};
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface OtlpLogRecord {
  timeUnixNano?: string;
  observedTimeUnixNano?: string;
  severityNumber?: number;
  severityText?: string;
  eventName?: string;
  body?: AnyValue;
  attributes?: KeyValue[];
  flags?: number;
  traceId?: string;
  spanId?: string;
}
/** One line of the collector's file exporter: an OTLP/JSON ExportLogsServiceRequest. */
export interface OtlpLogsBatch {
  resourceLogs?: {
    resource?: { attributes?: KeyValue[] };
    scopeLogs?: { scope?: { name?: string }; logRecords?: OtlpLogRecord[] }[];
  }[];
}

/** The scope core's otelOutput() gives records of loggers without a name. */
const DEFAULT_SCOPE = "@mlobs/core";
// The first severity number of each level's range in the OpenTelemetry log data model.
const LEVEL_BY_SEVERITY: readonly [number, string][] = [
  [21, "fatal"],
  [17, "error"],
  [13, "warn"],
  [9, "info"],
  [5, "debug"],
  [1, "trace"],
];

/** Which resource attributes a flattened record carries. */
export type ResourceKeys = "all" | "service";

/** True when a parsed JSON line is an OTLP/JSON logs batch rather than one log record. */
export function isOtlpBatch(value: unknown): value is OtlpLogsBatch {
  return typeof value === "object" && value !== null && Array.isArray((value as OtlpLogsBatch).resourceLogs);
}

/**
 * Turns one OTLP/JSON logs batch into records shaped like mlobs JSON lines, the mapping of core's
 * toOtelLogRecord() run backwards: `timestamp` (ISO-8601), `level`, `event`, `logger` (a named
 * logger's scope), `trace_id`, `span_id`, `trace_flags`, every attribute under its own key
 * (`exception.*` folded back into `exception` and `error`), then the resource attributes with dots
 * as underscores (`service_name`, `service_version`, ...), which never replace a record's own key;
 * with `resourceKeys: "service"` only `service_name` (what a person reading records needs of the
 * resource: host and process attributes repeat on every record).
 */
export function flattenOtlp(
  batch: OtlpLogsBatch,
  resourceKeys: ResourceKeys = "all",
): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const rl of batch.resourceLogs ?? []) {
    const resource: Record<string, unknown> = {};
    for (const { key, value } of rl.resource?.attributes ?? []) {
      if (resourceKeys === "all" || key === "service.name")
        resource[key.replaceAll(".", "_")] = decodeAnyValue(value);
    }
    for (const sl of rl.scopeLogs ?? []) {
      const scope = sl.scope?.name;
      for (const r of sl.logRecords ?? []) out.push(flattenRecord(r, scope, resource));
    }
  }
  return out;
}

function flattenRecord(
  r: OtlpLogRecord,
  scope: string | undefined,
  resource: Record<string, unknown>,
): Record<string, unknown> {
  const body = decodeAnyValue(r.body);
  const record: Record<string, unknown> = {
    timestamp: isoTime(r.timeUnixNano) ?? isoTime(r.observedTimeUnixNano),
    level: r.severityText || levelOf(r.severityNumber),
    event: r.eventName || (typeof body === "string" ? body : undefined),
  };
  if (scope && scope !== DEFAULT_SCOPE) record.logger = scope;
  if (r.traceId) record.trace_id = r.traceId;
  if (r.spanId) record.span_id = r.spanId;
  if (r.traceId && r.flags !== undefined) record.trace_flags = (r.flags & 1) === 1 ? "01" : "00";
  if (body !== undefined && body !== record.event) record.body = body;
  let exception: Record<string, unknown> | undefined;
  for (const { key, value } of r.attributes ?? []) {
    if (key.startsWith("exception.")) {
      exception ??= {};
      exception[key.slice("exception.".length)] = decodeAnyValue(value);
    } else record[key] = decodeAnyValue(value);
  }
  if (exception !== undefined) {
    if (record.error === undefined && exception.type !== undefined) {
      record.error = `${exception.type}: ${exception.message ?? ""}`;
    }
    record.exception = exception;
  }
  for (const key in resource) if (!(key in record)) record[key] = resource[key];
  return record;
}

function levelOf(severity: number | undefined): string | undefined {
  if (!severity) return undefined;
  return LEVEL_BY_SEVERITY.find(([from]) => severity >= from)?.[1];
}

function isoTime(nanos: string | undefined): string | undefined {
  if (!nanos || nanos === "0") return undefined;
  return new Date(Number(BigInt(nanos) / 1_000_000n)).toISOString();
}

/** The plain value an OTLP/JSON AnyValue stands for; int64 beyond 2^53 stays a decimal string. */
function decodeAnyValue(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) {
    const n = Number(v.intValue);
    return Number.isSafeInteger(n) ? n : String(v.intValue);
  }
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue !== undefined) return (v.arrayValue.values ?? []).map(decodeAnyValue);
  if (v.kvlistValue !== undefined) {
    const map: Record<string, unknown> = {};
    for (const { key, value } of v.kvlistValue.values ?? []) map[key] = decodeAnyValue(value);
    return map;
  }
  return undefined;
}
