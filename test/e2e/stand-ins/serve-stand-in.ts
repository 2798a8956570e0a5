/**
 * The HTTP side the backend stand-ins share: a server on a free port of 127.0.0.1 that reads each
 * request whole and answers as `handle` decides, with a JSON body that says why, or with an empty
 * protobuf export response (zero bytes: full success).
 */
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** A request as it reached the stand-in: what SigV4 covers. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** How the stand-in answers a request: a status, and a JSON body when it refuses one. */
export interface StandInAnswer {
  status: number;
  json?: unknown;
}

/** A running stand-in server. */
export interface StandInServer {
  url: string;
  close(): Promise<void>;
}

/** Starts a stand-in server that answers each request with what `handle` returns for it. */
export async function serveStandIn(
  handle: (request: ReceivedRequest) => Promise<StandInAnswer> | StandInAnswer,
): Promise<StandInServer> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", async () => {
      const body = Buffer.concat(chunks);
      const { status, json } = await handle({
        method: req.method ?? "",
        path: req.url ?? "",
        headers: req.headers,
        body,
      });
      res.writeHead(status, {
        "content-type": json === undefined ? "application/x-protobuf" : "application/json",
      });
      res.end(json === undefined ? undefined : JSON.stringify(json));
    });
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections(); // the collector keeps connections alive
      }),
  };
}
