/**
 * Decodes OTLP/HTTP protobuf log export requests (what `otlp_http` sends with `encoding: proto`) into
 * the flat records of ../collector.ts, so stand-ins and the file output compare field by field.
 */
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";
import { type FlatRecord, flattenLogsBatch } from "../collector.js";

// The part of opentelemetry-proto (collector/logs/v1, logs/v1, common/v1, resource/v1) that a log
// export request uses, with the upstream field numbers. Unknown fields (entity refs, newer
// additions) are skipped by the decoder, as protobuf requires.
const OTLP_LOGS_PROTO = `
syntax = "proto3";
package otlp;
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message InstrumentationScope {
  string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4;
}
message LogRecord {
  fixed64 time_unix_nano = 1;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  uint32 dropped_attributes_count = 7;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  fixed64 observed_time_unix_nano = 11;
  string event_name = 12;
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
`;

const requestType = protobuf.parse(OTLP_LOGS_PROTO).root.lookupType("otlp.ExportLogsServiceRequest");

/** Decodes one request body (gunzipped first when `contentEncoding` says gzip) into flat records. */
export function decodeOtlpLogs(body: Buffer, contentEncoding?: string): FlatRecord[] {
  const raw = contentEncoding === "gzip" ? gunzipSync(body) : body;
  // The object form is OTLP/JSON's, except that ids are bytes (JSON has hex) and int64 are strings.
  const json = requestType.toObject(requestType.decode(raw), { longs: String, bytes: Array });
  for (const rl of json.resourceLogs ?? []) {
    for (const sl of rl.scopeLogs ?? []) {
      for (const record of sl.logRecords ?? []) {
        record.traceId = toHex(record.traceId);
        record.spanId = toHex(record.spanId);
      }
    }
  }
  return flattenLogsBatch(json);
}

function toHex(bytes: number[] | undefined): string {
  return Buffer.from(bytes ?? []).toString("hex");
}
