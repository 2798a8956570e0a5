/**
 * Decodes OTLP export requests (logs, traces, metrics; protobuf or OTLP/JSON, gzipped or not) into
 * flat records, spans and data points, for every test double that receives OTLP: the core tests'
 * receiver, the backend stand-ins and the readers of the collector's file exporter output.
 */
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { decodeAnyValue, decodeAttributes } from "../../../collector/flatten-logs.mjs";

/** One OTLP log record, flattened. */
export interface FlatRecord {
  /** Lowercase hex; "" when the record has no trace context. */
  traceId: string;
  spanId: string;
  severityText: string;
  severityNumber: number;
  eventName: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  /** The instrumentation scope's name. */
  scope: string;
  timeUnixNano: string;
  observedTimeUnixNano: string;
}

/** One span, flattened. */
export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  kind: number;
  attributes: Record<string, unknown>;
  /** The instrumentation scope's name. */
  scope: string;
  resource: Record<string, unknown>;
}

/** One metric data point, flattened; `temporality` 1 is delta, 2 cumulative. */
export interface FlatPoint {
  name: string;
  type: "gauge" | "sum" | "histogram";
  temporality: number | undefined;
  /** The number of a gauge or sum point, the count of a histogram point. */
  value: number;
  /** A histogram point's count, sum and buckets. */
  histogram?: { count: number; sum: number; bucketCounts: number[]; bounds: number[] };
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

// @opentelemetry/otlp-transformer (the exporters' encoder) writes requests with its own hand-made
// writer and reads only responses: it has no schema or decoder for requests. So the part of
// opentelemetry-proto (collector/{logs,trace,metrics}/v1 and the messages they use) that the SDK and
// the collector send stands here once, with the upstream field numbers, for protobufjs. Unknown
// fields (entity refs, exemplars, newer additions) are skipped by the decoder, as protobuf requires.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message AnyValue {
  oneof value {
    string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4;
    ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }

message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message LogRecord {
  fixed64 time_unix_nano = 1; int32 severity_number = 2; string severity_text = 3; AnyValue body = 5;
  repeated KeyValue attributes = 6; uint32 dropped_attributes_count = 7; fixed32 flags = 8;
  bytes trace_id = 9; bytes span_id = 10; fixed64 observed_time_unix_nano = 11; string event_name = 12;
}

message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5;
  int32 kind = 6; fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8;
  repeated KeyValue attributes = 9; Status status = 15;
}
message Status { string message = 2; int32 code = 3; }

message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; string schema_url = 3; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; string schema_url = 3; }
message Metric {
  string name = 1; string description = 2; string unit = 3;
  Gauge gauge = 5; Sum sum = 7; Histogram histogram = 9;
}
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; int32 aggregation_temporality = 2; bool is_monotonic = 3; }
message Histogram { repeated HistogramDataPoint data_points = 1; int32 aggregation_temporality = 2; }
message NumberDataPoint {
  repeated KeyValue attributes = 7; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  double as_double = 4; sfixed64 as_int = 6;
}
message HistogramDataPoint {
  repeated KeyValue attributes = 9; fixed64 start_time_unix_nano = 2; fixed64 time_unix_nano = 3;
  fixed64 count = 4; double sum = 5; repeated fixed64 bucket_counts = 6; repeated double explicit_bounds = 7;
}
`;

const root = protobuf.parse(OTLP_PROTO).root;
const LOGS = root.lookupType("otlp.ExportLogsServiceRequest");
const TRACES = root.lookupType("otlp.ExportTraceServiceRequest");
const METRICS = root.lookupType("otlp.ExportMetricsServiceRequest");

// A request walked as OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding):
// camelCase keys, int64 as decimal strings, ids as hex, other bytes as base64, zero values left out.
// biome-ignore lint/suspicious/noExplicitAny: the shape is OTLP/JSON's, checked by the tests that read it
type Json = any;

/** How a request arrived: its Content-Encoding and Content-Type headers (protobuf when absent). */
export interface Encoding {
  contentEncoding?: string | undefined;
  contentType?: string | undefined;
}

/** Reads an id: hex in OTLP/JSON, "" when left out. */
type IdReader = (id: string | undefined) => string;
const hexId: IdReader = (id) => id ?? "";
// protobufjs gives bytes as base64, as OTLP/JSON does for bytes other than ids.
const base64Id: IdReader = (id) => Buffer.from(id ?? "", "base64").toString("hex");

/** Decodes a request body: OTLP/JSON parsed, protobuf decoded to the same object form; the reader of its ids. */
function decodeRequest(type: protobuf.Type, body: Buffer, encoding: Encoding): [Json, IdReader] {
  const bytes = encoding.contentEncoding === "gzip" ? gunzipSync(body) : body;
  if (encoding.contentType?.includes("json")) return [JSON.parse(bytes.toString("utf8")), hexId];
  return [type.toObject(type.decode(bytes), { longs: String, bytes: String }), base64Id];
}

/**
 * Flat-maps the items of an OTLP/JSON request, whose three levels (resource, scope, item) `keys`
 * names, each with its scope's name and its resource's attributes.
 */
function flatMapItems<T>(
  request: Json,
  keys: [resources: string, scopes: string, items: string],
  flat: (item: Json, scope: string, resource: Record<string, unknown>) => T | T[],
): T[] {
  const [resources, scopes, items] = keys;
  return (request[resources] ?? []).flatMap((r: Json) => {
    const resource = decodeAttributes(r.resource?.attributes);
    return (r[scopes] ?? []).flatMap((s: Json) =>
      (s[items] ?? []).flatMap((item: Json) => flat(item, s.scope?.name ?? "", resource)),
    );
  });
}

/** Flattens an OTLP/JSON ExportLogsServiceRequest (or a file exporter's logs batch) into its records. */
export function flattenLogs(request: Json, id = hexId): FlatRecord[] {
  return flatMapItems(request, ["resourceLogs", "scopeLogs", "logRecords"], (r, scope, resource) => ({
    // OTLP/JSON leaves out fields that hold their zero value.
    traceId: id(r.traceId),
    spanId: id(r.spanId),
    severityText: r.severityText ?? "",
    severityNumber: r.severityNumber ?? 0,
    eventName: r.eventName ?? "",
    body: decodeAnyValue(r.body),
    attributes: decodeAttributes(r.attributes),
    resource,
    scope,
    timeUnixNano: String(r.timeUnixNano ?? "0"),
    observedTimeUnixNano: String(r.observedTimeUnixNano ?? "0"),
  }));
}

/** Flattens an OTLP/JSON ExportTraceServiceRequest into its spans. */
export function flattenSpans(request: Json, id = hexId): FlatSpan[] {
  return flatMapItems(request, ["resourceSpans", "scopeSpans", "spans"], (s, scope, resource) => ({
    traceId: id(s.traceId),
    spanId: id(s.spanId),
    parentSpanId: id(s.parentSpanId),
    name: s.name ?? "",
    kind: s.kind ?? 0,
    attributes: decodeAttributes(s.attributes),
    scope,
    resource,
  }));
}

/** Flattens an OTLP/JSON ExportMetricsServiceRequest into its gauge, sum and histogram points. */
export function flattenMetrics(request: Json): FlatPoint[] {
  return flatMapItems(request, ["resourceMetrics", "scopeMetrics", "metrics"], (m, _scope, resource) => {
    const [type, data]: [FlatPoint["type"], Json] = m.sum
      ? ["sum", m.sum]
      : m.histogram
        ? ["histogram", m.histogram]
        : ["gauge", m.gauge];
    return (data?.dataPoints ?? []).map((p: Json): FlatPoint => {
      const point: FlatPoint = {
        name: m.name ?? "",
        type,
        temporality: data?.aggregationTemporality,
        value: Number(type === "histogram" ? (p.count ?? 0) : (p.asDouble ?? p.asInt ?? 0)),
        attributes: decodeAttributes(p.attributes),
        resource,
      };
      if (type === "histogram") {
        point.histogram = {
          count: point.value,
          sum: Number(p.sum ?? 0),
          bucketCounts: (p.bucketCounts ?? []).map(Number),
          bounds: (p.explicitBounds ?? []).map(Number),
        };
      }
      return point;
    });
  });
}

/** Decodes a logs export request body into flat records. */
export function decodeOtlpLogs(body: Buffer, encoding: Encoding = {}): FlatRecord[] {
  return flattenLogs(...decodeRequest(LOGS, body, encoding));
}

/** Decodes a traces export request body into flat spans. */
export function decodeOtlpTraces(body: Buffer, encoding: Encoding = {}): FlatSpan[] {
  return flattenSpans(...decodeRequest(TRACES, body, encoding));
}

/** Decodes a metrics export request body into flat data points. */
export function decodeOtlpMetrics(body: Buffer, encoding: Encoding = {}): FlatPoint[] {
  return flattenMetrics(decodeRequest(METRICS, body, encoding)[0]);
}

/** What a test double has accepted so far, by signal. */
export interface Received {
  records: FlatRecord[];
  spans: FlatSpan[];
  points: FlatPoint[];
}

/** The signal an OTLP/HTTP request path (…/v1/logs, …/v1/traces, …/v1/metrics) carries. */
export function signalOf(path: string): "logs" | "traces" | "metrics" | undefined {
  return path.match(/\/v1\/(logs|traces|metrics)$/)?.[1] as "logs" | "traces" | "metrics" | undefined;
}

/** Decodes a request to an OTLP/HTTP signal path into `received`; false, decoding nothing, for any other path. */
export function receiveOtlp(received: Received, path: string, body: Buffer, encoding: Encoding): boolean {
  const signal = signalOf(path);
  if (signal === "logs") received.records.push(...decodeOtlpLogs(body, encoding));
  else if (signal === "traces") received.spans.push(...decodeOtlpTraces(body, encoding));
  else if (signal === "metrics") received.points.push(...decodeOtlpMetrics(body, encoding));
  return signal !== undefined;
}
