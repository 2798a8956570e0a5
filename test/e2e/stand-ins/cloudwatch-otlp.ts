/**
 * A stand-in for CloudWatch's OTLP endpoints on 127.0.0.1, one path each: `/v1/logs` (CloudWatch
 * Logs, SigV4 service `logs`), `/v1/traces` (X-Ray, `xray`), `/v1/metrics` (CloudWatch metrics,
 * `monitoring`). It verifies the SigV4 signature with @smithy/signature-v4 (the AWS SDK for
 * JavaScript's signer) against the credentials it is given and the path's service, requires on logs
 * `x-aws-log-group` / `x-aws-log-stream` naming a group and stream that "exist" and are signed, and
 * decodes the (gzipped) protobuf bodies into flat records, spans and data points.
 */
import type { IncomingHttpHeaders } from "node:http";
import { SignatureV4 } from "@smithy/signature-v4";
import {
  decodeOtlpLogs,
  type FlatRecord,
  type Received,
  receiveOtlp,
} from "../../../packages/core/test/decode-otlp.js";
import { NodeSha256 } from "./node-sha256.js";
import { type ReceivedRequest, serveStandIn } from "./serve-stand-in.js";

export type { ReceivedRequest };

/** The credentials and scope a request must be signed with. */
export interface SigningCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  service: string;
}

/** The verdict of `verifySigV4`: `ok`, or why not. */
export type Verdict = { ok: true; signedHeaders: string[] } | { ok: false; reason: string };

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/;

/**
 * Recomputes the request's SigV4 signature over the headers it says it signed, with the expected
 * credentials, and compares it with the one it carries.
 */
export async function verifySigV4(request: ReceivedRequest, expected: SigningCredentials): Promise<Verdict> {
  const authorization = header(request.headers, "authorization");
  const match = authorization?.match(AUTHORIZATION);
  if (!match) return { ok: false, reason: "missing or malformed Authorization header" };
  const [, accessKeyId, , region, service, signedList = ""] = match;
  if (accessKeyId !== expected.accessKeyId) return { ok: false, reason: `unknown access key ${accessKeyId}` };
  if (region !== expected.region || service !== expected.service) {
    return {
      ok: false,
      reason: `signed for ${region}/${service}, expected ${expected.region}/${expected.service}`,
    };
  }
  const amzDate = header(request.headers, "x-amz-date");
  const signingDate = amzDate?.match(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/);
  if (!signingDate) return { ok: false, reason: "missing or malformed X-Amz-Date" };
  const [, y, mo, d, h, mi, s] = signingDate.map(Number);
  const signedHeaders = signedList.split(";");
  const headers: Record<string, string> = {};
  for (const name of signedHeaders) headers[name] = header(request.headers, name) ?? "";

  const signer = new SignatureV4({
    credentials: { accessKeyId: expected.accessKeyId, secretAccessKey: expected.secretAccessKey },
    region: expected.region,
    service: expected.service,
    sha256: NodeSha256,
    // Sign exactly what the client signed: no x-amz-content-sha256 header of our own.
    applyChecksum: false,
  });
  const [path = "/", query = ""] = request.path.split("?");
  const host = headers.host ?? "";
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: "http:",
      hostname: host.split(":")[0] ?? "",
      path,
      query: Object.fromEntries(new URLSearchParams(query)),
      headers,
      body: request.body,
    },
    { signingDate: new Date(Date.UTC(y ?? 0, (mo ?? 1) - 1, d, h, mi, s)) },
  );
  if (signed.headers.authorization !== authorization) {
    return {
      ok: false,
      reason: "The request signature we calculated does not match the signature you provided.",
    };
  }
  return { ok: true, signedHeaders };
}

/** The running stand-in; what it accepted is in `records`, `spans` and `points`, in arrival order. */
export interface CloudWatchOtlp extends Received {
  /** The base URL; the collector gets `${url}/v1/logs` and so on (CLOUDWATCH_OTLP_*_ENDPOINT). */
  url: string;
  /** Records accepted so far, with the group and stream they were written to. */
  records: (FlatRecord & { logGroup: string; logStream: string })[];
  /** Every request: its path, its answer, and the reason when refused. */
  requests: { path: string; status: number; reason?: string; contentEncoding: string | undefined }[];
  close(): Promise<void>;
}

/** The SigV4 service each path is signed for, as at the real endpoints. */
export const SERVICE_OF_PATH: Record<string, string> = {
  "/v1/logs": "logs",
  "/v1/traces": "xray",
  "/v1/metrics": "monitoring",
};

/** Starts the stand-in on a free port, accepting requests signed with `credentials` for one group/stream. */
export async function startCloudWatchOtlp(options: {
  credentials: Omit<SigningCredentials, "service">;
  logGroup: string;
  logStream: string;
}): Promise<CloudWatchOtlp> {
  const records: CloudWatchOtlp["records"] = [];
  const received: Received = { records, spans: [], points: [] };
  const requests: CloudWatchOtlp["requests"] = [];

  const handle = async (request: ReceivedRequest): Promise<{ status: number; reason?: string }> => {
    const service = SERVICE_OF_PATH[request.path];
    if (request.method !== "POST" || !service) return { status: 404, reason: "not found" };
    const verdict = await verifySigV4(request, { ...options.credentials, service });
    if (!verdict.ok) return { status: 403, reason: verdict.reason };
    const type = header(request.headers, "content-type");
    if (type !== "application/x-protobuf") return { status: 415, reason: `unsupported content type ${type}` };
    const encoding = { contentEncoding: header(request.headers, "content-encoding") };
    if (service !== "logs") {
      receiveOtlp(received, request.path, request.body, encoding);
      return { status: 200 };
    }
    const group = header(request.headers, "x-aws-log-group");
    const stream = header(request.headers, "x-aws-log-stream");
    if (!group || !stream)
      return { status: 400, reason: "x-aws-log-group and x-aws-log-stream are required" };
    if (
      !verdict.signedHeaders.includes("x-aws-log-group") ||
      !verdict.signedHeaders.includes("x-aws-log-stream")
    ) {
      return { status: 403, reason: "x-aws-log-group and x-aws-log-stream must be signed" };
    }
    if (group !== options.logGroup || stream !== options.logStream) {
      return { status: 400, reason: `ResourceNotFoundException: ${group}/${stream} does not exist` };
    }
    const decoded = decodeOtlpLogs(request.body, encoding);
    records.push(...decoded.map((r) => ({ ...r, logGroup: group, logStream: stream })));
    return { status: 200 };
  };

  const server = await serveStandIn(async (request) => {
    const { status, reason } = await handle(request).catch((e: Error) => ({
      status: 400,
      reason: `undecodable body: ${e.message}`,
    }));
    const contentEncoding = header(request.headers, "content-encoding");
    requests.push({ path: request.path, status, reason, contentEncoding });
    return { status, json: reason === undefined ? undefined : { message: reason } };
  });
  return { url: server.url, ...received, records, requests, close: server.close };
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}
