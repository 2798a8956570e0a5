/**
 * A stand-in for Datadog's OTLP intake (`/v1/logs`, `/v1/traces`, `/v1/metrics`) on 127.0.0.1:
 * checks the `dd-api-key` header (403 on a wrong or missing key, as the intake answers), accepts
 * OTLP/HTTP protobuf only, and decodes what it accepts into flat records, spans and data points.
 */
import { type Received, receiveOtlp, signalOf } from "../../../packages/core/test/decode-otlp.js";
import { serveStandIn } from "./serve-stand-in.js";

/** One request as the stand-in saw it, and what it answered. */
export interface IntakeRequest {
  path: string | undefined;
  apiKey: string | undefined;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  status: number;
}

/** The running stand-in; what it accepted is in `records`, `spans` and `points`, in arrival order. */
export interface DatadogIntake extends Received {
  /** The base URL; the collector gets `${url}/v1/logs` and so on (DD_OTLP_*_ENDPOINT). */
  url: string;
  requests: IntakeRequest[];
  /** Answers the next `count` requests with `status` (e.g. 503) before checking anything. */
  failNext(count: number, status: number): void;
  close(): Promise<void>;
}

/** Starts the stand-in intake on a free port; only `apiKey` is accepted. */
export async function startDatadogIntake(options: { apiKey: string }): Promise<DatadogIntake> {
  const received: Received = { records: [], spans: [], points: [] };
  const requests: IntakeRequest[] = [];
  const failures = { count: 0, status: 503 };

  const server = await serveStandIn((req) => {
    const seen = {
      path: req.path,
      apiKey: req.headers["dd-api-key"] as string | undefined,
      contentType: req.headers["content-type"],
      contentEncoding: req.headers["content-encoding"],
    };
    const answer = (status: number, message?: string) => {
      requests.push({ ...seen, status });
      return { status, json: message === undefined ? undefined : { errors: [message] } };
    };
    if (failures.count > 0) {
      failures.count--;
      return answer(failures.status, "stand-in: temporary failure");
    }
    if (req.method !== "POST" || !signalOf(req.path)) return answer(404, "not found");
    if (seen.apiKey !== options.apiKey) return answer(403, "Forbidden");
    if (seen.contentType !== "application/x-protobuf") return answer(415, "protobuf only");
    try {
      receiveOtlp(received, req.path, req.body, seen);
    } catch (e) {
      return answer(400, `undecodable body: ${(e as Error).message}`);
    }
    return answer(200);
  });
  return {
    url: server.url,
    ...received,
    requests,
    failNext: (count, status) => {
      failures.count = count;
      failures.status = status;
    },
    close: server.close,
  };
}
