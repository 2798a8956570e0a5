/**
 * An OTLP/HTTP receiver on 127.0.0.1 for tests: it decodes what the exporters send (protobuf, the
 * default, or JSON; gzip or not) into plain records, and can refuse requests or start late to play
 * a collector that is down.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { type FlatPoint, type FlatRecord, type FlatSpan, receiveOtlp } from "./decode-otlp.js";

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
  readonly logs: FlatRecord[];
  readonly spans: FlatSpan[];
  readonly metrics: FlatPoint[];
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
  const logs: FlatRecord[] = [];
  const spans: FlatSpan[] = [];
  const metrics: FlatPoint[] = [];
  const requests: ReceivedRequest[] = [];
  let failures = 0;
  let failStatus = 503;
  let failPath: string | undefined;
  let server: Server | undefined;
  let answer: ReceiverAnswer = "accept";

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
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
    const encoding = { contentType, contentEncoding: request.headers["content-encoding"] };
    if (!receiveOtlp({ records: logs, spans, points: metrics }, path, body, encoding)) {
      response.writeHead(404).end();
      return;
    }
    // An empty ExportServiceResponse: full success in either encoding.
    const json = contentType.includes("json");
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
