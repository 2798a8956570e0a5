/**
 * A stand-in for Datadog's OTLP intake (`/v1/logs`, `/v1/traces`, `/v1/metrics`) on 127.0.0.1:
 * checks the `dd-api-key` header (403 on a wrong or missing key, as the intake answers), accepts
 * OTLP/HTTP protobuf only, and decodes what it accepts into flat records, spans and data points.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { FlatRecord } from "../collector.js";
import {
  decodeOtlpLogs,
  decodeOtlpMetrics,
  decodeOtlpTraces,
  type FlatPoint,
  type FlatSpan,
} from "./decode-otlp.js";

/** One request as the stand-in saw it, and what it answered. */
export interface IntakeRequest {
  path: string | undefined;
  apiKey: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  status: number;
}

export interface DatadogIntake {
  /** The base URL; the collector gets `${url}/v1/logs` and so on (DD_OTLP_*_ENDPOINT). */
  url: string;
  /** Log records accepted so far, in arrival order. */
  records: FlatRecord[];
  spans: FlatSpan[];
  points: FlatPoint[];
  requests: IntakeRequest[];
  /** Answers the next `count` requests with `status` (e.g. 503) before checking anything. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** Starts the stand-in intake on a free port; only `apiKey` is accepted. */
export async function startDatadogIntake(options: { apiKey: string }): Promise<DatadogIntake> {
  const records: FlatRecord[] = [];
  const spans: FlatSpan[] = [];
  const points: FlatPoint[] = [];
  const requests: IntakeRequest[] = [];
  const failures = { count: 0, status: 503 };
  const accept: Record<string, (body: Buffer, encoding?: string) => void> = {
    "/v1/logs": (body, encoding) => records.push(...decodeOtlpLogs(body, encoding)),
    "/v1/traces": (body, encoding) => spans.push(...decodeOtlpTraces(body, encoding)),
    "/v1/metrics": (body, encoding) => points.push(...decodeOtlpMetrics(body, encoding)),
  };

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const seen = {
        path: req.url,
        apiKey: req.headers["dd-api-key"] as string | undefined,
        contentType: req.headers["content-type"],
        contentEncoding: req.headers["content-encoding"],
      };
      const answer = (status: number, message?: string) => {
        requests.push({ ...seen, status });
        res.writeHead(status, { "content-type": message ? "application/json" : "application/x-protobuf" });
        // A 2xx carries an empty export response (zero bytes in protobuf).
        res.end(message ? JSON.stringify({ errors: [message] }) : undefined);
      };
      if (failures.count > 0) {
        failures.count--;
        return answer(failures.status, "stand-in: temporary failure");
      }
      const decode = accept[req.url ?? ""];
      if (req.method !== "POST" || !decode) return answer(404, "not found");
      if (seen.apiKey !== options.apiKey) return answer(403, "Forbidden");
      if (seen.contentType !== "application/x-protobuf") return answer(415, "protobuf only");
      try {
        decode(Buffer.concat(chunks), seen.contentEncoding);
      } catch (e) {
        return answer(400, `undecodable body: ${(e as Error).message}`);
      }
      answer(200);
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    records,
    spans,
    points,
    requests,
    failNext: (count, status) => {
      failures.count = count;
      failures.status = status;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections(); // the collector keeps connections alive
      }),
  };
}
