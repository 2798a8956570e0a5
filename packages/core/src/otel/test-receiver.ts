/**
 * An OTLP/HTTP receiver on 127.0.0.1 for tests: it decodes what the exporters send (protobuf, the
 * default, or JSON; gzip or not) into plain records, and can refuse requests or start late to play
 * a collector that is down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";

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

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    let body = Buffer.concat(chunks);
    const contentType = String(request.headers["content-type"] ?? "");
    const path = request.url ?? "";
    requests.push({ path, contentType, headers: request.headers, bytes: body.length });
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

// ---- protobuf wire format (https://protobuf.dev/programming-guides/encoding/) ----

type WireValue = bigint | Buffer | number;

interface WireField {
  field: number;
  value: WireValue;
}

/** A varint as a number while it fits in 49 bits (tags, lengths, most values), else as a BigInt. */
function readVarint(buf: Buffer, offset: number): [number | bigint, number] {
  let value = 0;
  for (let i = 0; i < 7; i++) {
    const byte = buf[offset + i];
    if (byte === undefined) throw new Error("protobuf: truncated varint");
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return [value, offset + i + 1];
  }
  let result = 0n;
  let shift = 0n;
  for (;;) {
    const byte = buf[offset++];
    if (byte === undefined) throw new Error("protobuf: truncated varint");
    result |= BigInt(byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) return [result, offset];
    shift += 7n;
  }
}

function decodeFields(buf: Buffer): WireField[] {
  const fields: WireField[] = [];
  let offset = 0;
  while (offset < buf.length) {
    const [tagValue, next] = readVarint(buf, offset);
    const tag = Number(tagValue);
    offset = next;
    const field = Math.floor(tag / 8);
    switch (tag % 8) {
      case 0: {
        const [value, after] = readVarint(buf, offset);
        fields.push({ field, value });
        offset = after;
        break;
      }
      case 1:
        fields.push({ field, value: buf.subarray(offset, offset + 8) });
        offset += 8;
        break;
      case 2: {
        const [length, after] = readVarint(buf, offset);
        const end = after + Number(length);
        fields.push({ field, value: buf.subarray(after, end) });
        offset = end;
        break;
      }
      case 5:
        fields.push({ field, value: buf.readUInt32LE(offset) });
        offset += 4;
        break;
      default:
        throw new Error(`protobuf: unsupported wire type in tag ${tag}`);
    }
  }
  return fields;
}

function each(buf: Buffer, field: number): Buffer[] {
  return decodeFields(buf)
    .filter((f) => f.field === field)
    .map((f) => f.value as Buffer);
}

function first(fields: WireField[], field: number): WireValue | undefined {
  return fields.find((f) => f.field === field)?.value;
}

function text(value: WireValue | undefined): string {
  return Buffer.isBuffer(value) ? value.toString("utf8") : "";
}

function hex(value: WireValue | undefined): string {
  return Buffer.isBuffer(value) ? value.toString("hex") : "";
}

function fixed64(value: WireValue | undefined): bigint {
  return Buffer.isBuffer(value) ? value.readBigUInt64LE(0) : 0n;
}

function anyValue(buf: Buffer): unknown {
  const f = decodeFields(buf)[0];
  if (f === undefined) return null;
  const value = f.value;
  switch (f.field) {
    case 1:
      return text(value);
    case 2:
      return Number(value) === 1;
    case 3: {
      if (typeof value === "number") return value;
      const n = BigInt.asIntN(64, value as bigint);
      return Number.isSafeInteger(Number(n)) ? Number(n) : n;
    }
    case 4:
      return (value as Buffer).readDoubleLE(0);
    case 5:
      return each(value as Buffer, 1).map(anyValue);
    case 6:
      return keyValues(each(value as Buffer, 1));
    case 7:
      return new Uint8Array(value as Buffer);
    default:
      return null;
  }
}

function keyValues(list: Buffer[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const kv of list) {
    const fields = decodeFields(kv);
    const value = first(fields, 2);
    out[text(first(fields, 1))] = Buffer.isBuffer(value) ? anyValue(value) : null;
  }
  return out;
}

function resourceOf(buf: Buffer | undefined): Record<string, unknown> {
  return buf === undefined ? {} : keyValues(each(buf, 1));
}

function logsFromProto(body: Buffer): ReceivedLog[] {
  const out: ReceivedLog[] = [];
  for (const resourceLogs of each(body, 1)) {
    const rl = decodeFields(resourceLogs);
    const resource = resourceOf(first(rl, 1) as Buffer | undefined);
    for (const scopeLogs of rl.filter((f) => f.field === 2)) {
      const sl = decodeFields(scopeLogs.value as Buffer);
      const scopeFields = decodeFields((first(sl, 1) as Buffer | undefined) ?? Buffer.alloc(0));
      const scope = { name: text(first(scopeFields, 1)), version: text(first(scopeFields, 2)) };
      for (const recordField of sl.filter((f) => f.field === 2)) {
        const r = decodeFields(recordField.value as Buffer);
        const body = first(r, 5);
        out.push({
          timeUnixNano: fixed64(first(r, 1)),
          observedTimeUnixNano: fixed64(first(r, 11)),
          severityNumber: Number(first(r, 2) ?? 0n),
          severityText: text(first(r, 3)),
          eventName: text(first(r, 12)),
          body: Buffer.isBuffer(body) ? anyValue(body) : undefined,
          traceId: hex(first(r, 9)),
          spanId: hex(first(r, 10)),
          flags: Number(first(r, 8) ?? 0),
          attributes: keyValues(r.filter((f) => f.field === 6).map((f) => f.value as Buffer)),
          resource,
          scope,
        });
      }
    }
  }
  return out;
}

function spansFromProto(body: Buffer): ReceivedSpan[] {
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of each(body, 1)) {
    const rs = decodeFields(resourceSpans);
    const resource = resourceOf(first(rs, 1) as Buffer | undefined);
    for (const scopeSpans of rs.filter((f) => f.field === 2)) {
      for (const span of each(scopeSpans.value as Buffer, 2)) {
        const s = decodeFields(span);
        out.push({
          traceId: hex(first(s, 1)),
          spanId: hex(first(s, 2)),
          parentSpanId: hex(first(s, 4)),
          name: text(first(s, 5)),
          kind: Number(first(s, 6) ?? 0n),
          resource,
        });
      }
    }
  }
  return out;
}

function metricsFromProto(body: Buffer): ReceivedMetricPoint[] {
  const out: ReceivedMetricPoint[] = [];
  for (const resourceMetrics of each(body, 1)) {
    const rm = decodeFields(resourceMetrics);
    const resource = resourceOf(first(rm, 1) as Buffer | undefined);
    for (const scopeMetrics of rm.filter((f) => f.field === 2)) {
      for (const metric of each(scopeMetrics.value as Buffer, 2)) {
        const m = decodeFields(metric);
        const name = text(first(m, 1));
        // gauge = 5, sum = 7: both hold NumberDataPoints in field 1.
        const data = (first(m, 7) ?? first(m, 5)) as Buffer | undefined;
        if (data === undefined) continue;
        for (const point of each(data, 1)) {
          const p = decodeFields(point);
          const asDouble = first(p, 4);
          const asInt = first(p, 6);
          const value = Buffer.isBuffer(asInt)
            ? Number(asInt.readBigInt64LE(0))
            : Buffer.isBuffer(asDouble)
              ? asDouble.readDoubleLE(0)
              : 0;
          const attributes = keyValues(p.filter((f) => f.field === 7).map((f) => f.value as Buffer));
          out.push({ name, value, attributes, resource });
        }
      }
    }
  }
  return out;
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
  bytesValue?: string;
}

function jsonAnyValue(value: JsonAnyValue | undefined): unknown {
  if (value === undefined) return null;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return Number(value.intValue);
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(jsonAnyValue);
  if (value.kvlistValue !== undefined) return jsonKeyValues(value.kvlistValue.values);
  if (value.bytesValue !== undefined) return new Uint8Array(Buffer.from(value.bytesValue, "base64"));
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
        traceId?: string;
        spanId?: string;
        flags?: number;
        attributes?: JsonKeyValue[];
      }[];
    }[];
  }[];
}

function logsFromJson(body: Buffer): ReceivedLog[] {
  const request = JSON.parse(body.toString("utf8")) as JsonLogsRequest;
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
          traceId: r.traceId ?? "",
          spanId: r.spanId ?? "",
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
