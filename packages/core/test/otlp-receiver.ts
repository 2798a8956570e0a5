/**
 * An OTLP/HTTP receiver on 127.0.0.1 for tests: it decodes what the exporters send (protobuf, the
 * default, or JSON; gzip or not) into plain records, and can refuse requests or start late to play
 * a collector that is down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import protobuf from "protobufjs";

/** One log record as the receiver decoded it. */
export interface ReceivedLog {
  timeUnixNano: bigint;
  observedTimeUnixNano: bigint;
  severityNumber: number;
  severityText: string;
  eventName: string;
  body: unknown;
  /** Lowercase hex; "" when the record has no trace context. */
  traceId: string;
  spanId: string;
  flags: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: { name: string; version: string };
}

/** One span as the receiver decoded it. */
export interface ReceivedSpan {
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

/** One data point of a sum or gauge metric. */
export interface ReceivedMetricPoint {
  name: string;
  value: number;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
}

/** A request as it arrived. */
export interface ReceivedRequest {
  path: string;
  contentType: string;
  headers: IncomingMessage["headers"];
  bytes: number;
}

/** How the receiver answers, see `TestReceiver.answer()`. */
export type ReceiverAnswer =
  | "accept"
  | "hang"
  | { status: number; headers?: Record<string, string>; body?: string };

/** A running (or reserved) OTLP/HTTP receiver. */
export interface TestReceiver {
  /** The base URL to give as the OTLP endpoint, e.g. `http://127.0.0.1:43123`. */
  readonly url: string;
  readonly port: number;
  readonly logs: ReceivedLog[];
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetricPoint[];
  readonly requests: ReceivedRequest[];
  /** Answers the next `count` requests (to `path` only, when given) with `status` instead of decoding them. */
  failNext(count: number, status?: number, path?: string): void;
  /**
   * From now on answers every request with `answer` (a status, its headers and body) without
   * decoding it, or never answers (`"hang"`), or decodes and accepts again (`"accept"`).
   */
  answer(answer: ReceiverAnswer): void;
  /** Starts listening (again) on the same port. */
  start(): Promise<void>;
  /** Stops listening and closes open connections. */
  stop(): Promise<void>;
}

/**
 * Starts an OTLP/HTTP receiver on 127.0.0.1 (a free port), or only reserves the port when
 * `listen` is false, so a test can start it later.
 * @example
 * const receiver = await startTestReceiver();
 * startTelemetry({ endpoint: receiver.url });
 */
export async function startTestReceiver(options: { listen?: boolean } = {}): Promise<TestReceiver> {
  const port = await freePort();
  const logs: ReceivedLog[] = [];
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetricPoint[] = [];
  const requests: ReceivedRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  let failPath: string | undefined;
  let server: Server | undefined;
  let answer: ReceiverAnswer = "accept";

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const contentType = String(request.headers["content-type"] ?? "");
    const path = request.url ?? "";
    requests.push({ path, contentType, headers: request.headers, bytes: body.length });
    if (answer === "hang") return;
    if (answer !== "accept") {
      response.writeHead(answer.status, answer.headers).end(answer.body ?? "");
      return;
    }
    if (failures > 0 && (failPath === undefined || path === failPath)) {
      failures--;
      response.writeHead(failStatus).end();
      return;
    }
    if (request.headers["content-encoding"] === "gzip") body = gunzipSync(body);
    const json = contentType.includes("json");
    if (path.endsWith("/v1/logs")) logs.push(...(json ? logsFromJson(body) : logsFromProto(body)));
    else if (path.endsWith("/v1/traces")) spans.push(...(json ? [] : spansFromProto(body)));
    else if (path.endsWith("/v1/metrics")) metrics.push(...(json ? [] : metricsFromProto(body)));
    else {
      response.writeHead(404).end();
      return;
    }
    // An empty ExportServiceResponse: full success in either encoding.
    response.writeHead(200, { "content-type": json ? "application/json" : "application/x-protobuf" });
    response.end(json ? "{}" : "");
  }

  const receiver: TestReceiver = {
    url: `http://127.0.0.1:${port}`,
    port,
    logs,
    spans,
    metrics,
    requests,
    failNext(count, status = 503, path) {
      failures = count;
      failStatus = status;
      failPath = path;
    },
    answer(next) {
      answer = next;
    },
    async start() {
      if (server !== undefined) return;
      const started = createServer((request, response) => {
        handle(request, response).catch((error: unknown) => {
          response.writeHead(400).end(String(error));
        });
      });
      server = started;
      await new Promise<void>((resolve, reject) => {
        started.once("error", reject);
        started.listen(port, "127.0.0.1", () => resolve());
      });
    },
    async stop() {
      const current = server;
      server = undefined;
      if (current === undefined) return;
      current.closeAllConnections();
      await new Promise<void>((resolve) => current.close(() => resolve()));
    },
  };
  if (options.listen !== false) await receiver.start();
  return receiver;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

// ---- OTLP protobuf, decoded by protobufjs ----

// The part of opentelemetry-proto (collector/{logs,trace,metrics}/v1 and the messages they use) that
// the exporters send, with the upstream field numbers; unknown fields are skipped, as protobuf requires.
const OTLP_PROTO = `
syntax = "proto3";
package otlp;
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message ExportMetricsServiceRequest { repeated ResourceMetrics resource_metrics = 1; }
message Resource { repeated KeyValue attributes = 1; }
message InstrumentationScope { string name = 1; string version = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message LogRecord {
  fixed64 time_unix_nano = 1; int32 severity_number = 2; string severity_text = 3; AnyValue body = 5;
  repeated KeyValue attributes = 6; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
  fixed64 observed_time_unix_nano = 11; string event_name = 12;
}
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  repeated KeyValue attributes = 9;
}
message ResourceMetrics { Resource resource = 1; repeated ScopeMetrics scope_metrics = 2; }
message ScopeMetrics { InstrumentationScope scope = 1; repeated Metric metrics = 2; }
message Metric { string name = 1; Gauge gauge = 5; Sum sum = 7; }
message Gauge { repeated NumberDataPoint data_points = 1; }
message Sum { repeated NumberDataPoint data_points = 1; }
message NumberDataPoint { double as_double = 4; sfixed64 as_int = 6; repeated KeyValue attributes = 7; }
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

const root = protobuf.parse(OTLP_PROTO).root;

/**
 * Decodes a protobuf request into the object form of OTLP/JSON (camelCase keys, int64 as strings),
 * except that ids are still bytes: the JSON decoders below then read both encodings.
 */
function decodeProto(type: string, body: Buffer): Record<string, unknown> {
  const message = root.lookupType(`otlp.${type}`);
  return message.toObject(message.decode(body), { longs: String, bytes: Buffer.from, oneofs: false });
}

function logsFromProto(body: Buffer): ReceivedLog[] {
  return logsFromRequest(decodeProto("ExportLogsServiceRequest", body) as JsonLogsRequest);
}

function spansFromProto(body: Buffer): ReceivedSpan[] {
  const request = decodeProto("ExportTraceServiceRequest", body) as JsonTraceRequest;
  const out: ReceivedSpan[] = [];
  for (const rs of request.resourceSpans ?? []) {
    const resource = jsonKeyValues(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        out.push({
          traceId: hexOf(s.traceId),
          spanId: hexOf(s.spanId),
          parentSpanId: hexOf(s.parentSpanId),
          name: s.name ?? "",
          kind: s.kind ?? 0,
          attributes: jsonKeyValues(s.attributes),
          scope: ss.scope?.name ?? "",
          resource,
        });
      }
    }
  }
  return out;
}

function metricsFromProto(body: Buffer): ReceivedMetricPoint[] {
  const request = decodeProto("ExportMetricsServiceRequest", body) as JsonMetricsRequest;
  const out: ReceivedMetricPoint[] = [];
  for (const rm of request.resourceMetrics ?? []) {
    const resource = jsonKeyValues(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const metric of sm.metrics ?? []) {
        for (const point of (metric.sum ?? metric.gauge)?.dataPoints ?? []) {
          out.push({
            name: metric.name ?? "",
            value: point.asInt !== undefined ? Number(point.asInt) : (point.asDouble ?? 0),
            attributes: jsonKeyValues(point.attributes),
            resource,
          });
        }
      }
    }
  }
  return out;
}

/** Ids are bytes in protobuf and hex strings in OTLP/JSON. */
function hexOf(id: Uint8Array | string | undefined): string {
  if (id === undefined) return "";
  return typeof id === "string" ? id.toLowerCase() : Buffer.from(id).toString("hex");
}

interface JsonTraceRequest {
  resourceSpans?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeSpans?: {
      scope?: { name?: string };
      spans?: {
        traceId?: Uint8Array;
        spanId?: Uint8Array;
        parentSpanId?: Uint8Array;
        name?: string;
        kind?: number;
        attributes?: JsonKeyValue[];
      }[];
    }[];
  }[];
}

interface JsonMetricsRequest {
  resourceMetrics?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeMetrics?: {
      metrics?: {
        name?: string;
        sum?: { dataPoints?: JsonNumberPoint[] };
        gauge?: { dataPoints?: JsonNumberPoint[] };
      }[];
    }[];
  }[];
}

interface JsonNumberPoint {
  asDouble?: number;
  asInt?: string;
  attributes?: JsonKeyValue[];
}

// ---- OTLP/JSON (https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding) ----

interface JsonKeyValue {
  key: string;
  value?: JsonAnyValue;
}

interface JsonAnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: string | number;
  doubleValue?: number;
  arrayValue?: { values?: JsonAnyValue[] };
  kvlistValue?: { values?: JsonKeyValue[] };
  bytesValue?: string | Uint8Array;
}

function jsonAnyValue(value: JsonAnyValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonAnyValue);
  if (value.kvlistValue !== undefined) return jsonKeyValues(value.kvlistValue.values);
  if (value.bytesValue !== undefined) {
    const bytes = value.bytesValue;
    return new Uint8Array(typeof bytes === "string" ? Buffer.from(bytes, "base64") : bytes);
  }
  return null;
}

function jsonKeyValues(list: JsonKeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list ?? []) out[kv.key] = jsonAnyValue(kv.value);
  return out;
}

interface JsonLogsRequest {
  resourceLogs?: {
    resource?: { attributes?: JsonKeyValue[] };
    scopeLogs?: {
      scope?: { name?: string; version?: string };
      logRecords?: {
        timeUnixNano?: string;
        observedTimeUnixNano?: string;
        severityNumber?: number;
        severityText?: string;
        eventName?: string;
        body?: JsonAnyValue;
        traceId?: string | Uint8Array;
        spanId?: string | Uint8Array;
        flags?: number;
        attributes?: JsonKeyValue[];
      }[];
    }[];
  }[];
}

function logsFromJson(body: Buffer): ReceivedLog[] {
  return logsFromRequest(JSON.parse(body.toString("utf8")) as JsonLogsRequest);
}

function logsFromRequest(request: JsonLogsRequest): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const rl of request.resourceLogs ?? []) {
    const resource = jsonKeyValues(rl.resource?.attributes);
    for (const sl of rl.scopeLogs ?? []) {
      const scope = { name: sl.scope?.name ?? "", version: sl.scope?.version ?? "" };
      for (const r of sl.logRecords ?? []) {
        out.push({
          timeUnixNano: BigInt(r.timeUnixNano ?? 0),
          observedTimeUnixNano: BigInt(r.observedTimeUnixNano ?? 0),
          severityNumber: r.severityNumber ?? 0,
          severityText: r.severityText ?? "",
          eventName: r.eventName ?? "",
          body: jsonAnyValue(r.body),
          traceId: hexOf(r.traceId),
          spanId: hexOf(r.spanId),
          flags: r.flags ?? 0,
          attributes: jsonKeyValues(r.attributes),
          resource,
          scope,
        });
      }
    }
  }
  return out;
}
