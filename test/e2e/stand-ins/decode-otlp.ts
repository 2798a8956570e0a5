/**
 * Decodes OTLP/HTTP protobuf export requests (what `otlp_http` sends with `encoding: proto`) for
 * logs, traces and metrics into flat objects, so stand-ins compare what they received field by field.
 */
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { decodeAttributes } from "../../../collector/flatten-logs.mjs";
import { type FlatRecord, flattenLogsBatch } from "../collector.js";

// The part of opentelemetry-proto (collector/{logs,trace,metrics}/v1 and the messages they use)
// that the collector sends, with the upstream field numbers. Unknown fields (entity refs, exemplars,
// newer additions) are skipped by the decoder, as protobuf requires.
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
  fixed64 count = 4; double sum = 5;
}
`;

const root = protobuf.parse(OTLP_PROTO).root;
const LOGS = root.lookupType("otlp.ExportLogsServiceRequest");
const TRACES = root.lookupType("otlp.ExportTraceServiceRequest");
const METRICS = root.lookupType("otlp.ExportMetricsServiceRequest");

/** One span as a stand-in received it. */
export interface FlatSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string;
  name: string;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** One metric data point as a stand-in received it; `temporality` 1 is delta, 2 cumulative. */
export interface FlatPoint {
  name: string;
  type: "gauge" | "sum" | "histogram";
  temporality: number | undefined;
  /** The number of a gauge or sum point, the count of a histogram point. */
  value: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

// The object form is OTLP/JSON's, except that ids are bytes (JSON has hex) and int64 are strings.
// biome-ignore lint/suspicious/noExplicitAny: the decoded request is walked as OTLP/JSON
type Json = any;
const toObject = (type: protobuf.Type, body: Buffer, contentEncoding?: string): Json =>
  type.toObject(type.decode(contentEncoding === "gzip" ? gunzipSync(body) : body), {
    longs: String,
    bytes: Array,
  });
const hex = (bytes: number[] | undefined): string => Buffer.from(bytes ?? []).toString("hex");

/** Decodes a logs request body (gunzipped first when `contentEncoding` says gzip) into flat records. */
export function decodeOtlpLogs(body: Buffer, contentEncoding?: string): FlatRecord[] {
  const json = toObject(LOGS, body, contentEncoding);
  for (const rl of json.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        record.traceId = hex(record.traceId);
        record.spanId = hex(record.spanId);
      }
    }
  }
  return flattenLogsBatch(json);
}

/** Decodes a traces request body into flat spans. */
export function decodeOtlpTraces(body: Buffer, contentEncoding?: string): FlatSpan[] {
  const json = toObject(TRACES, body, contentEncoding);
  return (json.resourceSpans ?? []).flatMap((rs: Json) => {
    const resource = decodeAttributes(rs.resource?.attributes);
    return (rs.scopeSpans ?? []).flatMap((ss: Json) =>
      (ss.spans ?? []).map((s: Json) => ({
        traceId: hex(s.traceId),
        spanId: hex(s.spanId),
        parentSpanId: hex(s.parentSpanId),
        name: s.name ?? "",
        attributes: decodeAttributes(s.attributes),
        resource,
      })),
    );
  });
}

/** Decodes a metrics request body into flat data points (gauges, sums, histograms). */
export function decodeOtlpMetrics(body: Buffer, contentEncoding?: string): FlatPoint[] {
  const json = toObject(METRICS, body, contentEncoding);
  return (json.resourceMetrics ?? []).flatMap((rm: Json) => {
    const resource = decodeAttributes(rm.resource?.attributes);
    return (rm.scopeMetrics ?? []).flatMap((sm: Json) =>
      (sm.metrics ?? []).flatMap((m: Json) => {
        const [type, data] = m.sum
          ? ["sum", m.sum]
          : m.histogram
            ? ["histogram", m.histogram]
            : ["gauge", m.gauge];
        return (data?.dataPoints ?? []).map((p: Json) => ({
          name: m.name,
          type,
          temporality: data?.aggregationTemporality,
          value: Number(type === "histogram" ? p.count : (p.asDouble ?? p.asInt ?? 0)),
          attributes: decodeAttributes(p.attributes),
          resource,
        }));
      }),
    );
  });
}
