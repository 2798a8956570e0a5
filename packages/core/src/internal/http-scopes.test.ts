import { readFileSync } from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import express from "express";
import Fastify from "fastify";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Logger } from "../logger.js";
import { bindContext } from "../scope.js";
import { createLogCapture, type LogCapture } from "../testing.js";
import { currentScope } from "./scope.js";

const REQUESTS = 1_000;
/** A self-signed certificate for 127.0.0.1, for the HTTPS server and its client. */
const TLS = {
  cert: readFileSync(new URL("../../../../test/fixtures/localhost-cert.pem", import.meta.url)),
  key: readFileSync(new URL("../../../../test/fixtures/localhost-key.pem", import.meta.url)),
};
/** Every third request binds an optional field that no other request has. */
const hasCoupon = (n: number) => n % 3 === 0;
const randomWait = () => sleep(Math.floor(Math.random() * 3));

function setup() {
  const capture = createLogCapture();
  return { capture, log: createLogger({ outputs: [capture] }) };
}

/** What one request binds, in two steps: its id first, then (after an await) the user and the coupon. */
function bindUser(n: number): void {
  bindContext({ user_id: `user-${n}` });
  if (hasCoupon(n)) bindContext({ coupon: `coupon-${n}` });
}

/** Logs from the response's 'finish' and 'close' listeners, added before the fields are bound. */
function logOnEnd(log: Logger, res: http.ServerResponse, n: number): void {
  res.once("finish", () => log.info("response_finished", { n }));
  res.once("close", () => log.info("response_closed", { n }));
}

/**
 * POSTs `{ n }` (and `n` in an `x-n` header, for code that runs before the body is read) for every
 * request at once, over a keep-alive agent of 4 sockets; checks that the server saw 4 connections at most.
 */
/**
 * Resolves when the server has closed `total` responses: the client may read a response before the
 * server's own 'finish' and 'close' listeners have run.
 */
function responsesClosed(server: http.Server | https.Server, total: number): Promise<void> {
  let closed = 0;
  return new Promise((resolve) => {
    server.on("request", (_req, res: http.ServerResponse) =>
      res.once("close", () => {
        if (++closed === total) resolve();
      }),
    );
  });
}

async function sendAll(server: http.Server | https.Server, port: number): Promise<void> {
  const allClosed = responsesClosed(server, REQUESTS);
  let connections = 0;
  server.on("connection", () => connections++);
  const secure = server instanceof https.Server;
  const client = secure ? https : http;
  const agent = secure
    ? new https.Agent({ keepAlive: true, maxSockets: 4, ca: TLS.cert })
    : new http.Agent({ keepAlive: true, maxSockets: 4 });
  const post = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const headers = { "content-type": "application/json", "x-n": String(n) };
      const req = client.request(
        { host: "127.0.0.1", port, path: "/score", method: "POST", agent, headers },
        (res) => {
          res.resume();
          res.once("end", () =>
            res.statusCode === 200 ? resolve() : reject(new Error(`${res.statusCode}`)),
          );
        },
      );
      req.once("error", reject);
      req.end(JSON.stringify({ n }));
    });
  try {
    await Promise.all(Array.from({ length: REQUESTS }, (_, n) => post(n)));
    await allClosed;
  } finally {
    agent.destroy();
  }
  expect(connections).toBeGreaterThan(0);
  expect(connections).toBeLessThanOrEqual(4);
}

/**
 * Every record carries its own request's fields and no other's: none before the bind, all of them
 * after it (in the 'finish' and 'close' listeners too), and one correlation id per request.
 */
function expectOwnFieldsOnly(capture: LogCapture, events: readonly string[], total = REQUESTS): void {
  const ids = new Map<number, string>();
  const seen = new Map<number, string[]>();
  for (const entry of capture.entries) {
    const n = entry.n as number;
    expect(n, JSON.stringify(entry)).toBeTypeOf("number");
    const fields = { request_id: entry.request_id, user_id: entry.user_id, coupon: entry.coupon };
    const own = {
      request_id: `req-${n}`,
      user_id: `user-${n}`,
      coupon: hasCoupon(n) ? `coupon-${n}` : undefined,
    };
    if (entry.event === "request_received") expect(fields, entry.event).toEqual({});
    else if (entry.event === "request_bound")
      expect(fields, entry.event).toEqual({ request_id: own.request_id });
    else expect(fields, `${entry.event} of request ${n}`).toEqual(own);
    // Without an OpenTelemetry SDK the scope's own id is the trace_id, the same for the whole request.
    expect(entry.trace_id).toMatch(/^[0-9a-f]{32}$/);
    expect(entry.span_id).toBeUndefined();
    if (!ids.has(n)) ids.set(n, entry.trace_id as string);
    expect(entry.trace_id, `request ${n}`).toBe(ids.get(n));
    seen.set(n, [...(seen.get(n) ?? []), entry.event as string]);
  }
  expect(seen.size).toBe(total);
  for (const got of seen.values()) expect([...got].sort()).toEqual([...events].sort());
  expect(new Set(ids.values()).size).toBe(total);
}

const EVENTS = [
  "request_received",
  "request_bound",
  "prediction_complete",
  "response_finished",
  "response_closed",
];

async function listen(server: http.Server | https.Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return (server.address() as AddressInfo).port;
}

/** Starts `server`, sends it every request, and stops it. */
async function serveAll(server: http.Server | https.Server): Promise<void> {
  try {
    await sendAll(server, await listen(server));
  } finally {
    await close(server);
  }
}

function close(server: http.Server | https.Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) => server.close(() => resolve()));
}

/** The node:http handler: body read from 'data' / 'end' listeners, as body parsers do. */
function nodeHandler(log: Logger): http.RequestListener {
  return (req, res) => {
    let body = "";
    req.on("data", (chunk) => {
      body += chunk;
    });
    req.on("end", async () => {
      const { n } = JSON.parse(body) as { n: number };
      log.info("request_received", { n });
      logOnEnd(log, res, n);
      bindContext({ request_id: `req-${n}` });
      log.info("request_bound", { n });
      await randomWait();
      bindUser(n);
      await randomWait();
      log.info("prediction_complete", { n });
      res.end("ok");
    });
  };
}

describe("request scopes on HTTP servers", () => {
  it("node:http, keep-alive: 1,000 requests, every record has only its own request's fields", async () => {
    const { capture, log } = setup();
    const server = http.createServer(nodeHandler(log));
    await serveAll(server);
    expectOwnFieldsOnly(capture, EVENTS);
  }, 60_000);

  it("node:https, keep-alive: 1,000 requests, every record has only its own request's fields", async () => {
    const { capture, log } = setup();
    await serveAll(https.createServer(TLS, nodeHandler(log)));
    expectOwnFieldsOnly(capture, EVENTS);
  }, 60_000);

  it("node:http, pipelining: 200 requests written at once on one connection", async () => {
    const { capture, log } = setup();
    const server = http.createServer(nodeHandler(log));
    const total = 200;
    try {
      const port = await listen(server);
      const allClosed = responsesClosed(server, total);
      await new Promise<void>((resolve, reject) => {
        const socket = net.connect(port, "127.0.0.1");
        let answers = 0;
        socket.on("data", (chunk: Buffer) => {
          answers += chunk.toString().split("HTTP/1.1 200").length - 1;
          if (answers === total) socket.end(resolve);
        });
        socket.once("error", reject);
        const requests = Array.from({ length: total }, (_, n) => {
          const body = JSON.stringify({ n });
          return `POST /score HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
        });
        socket.write(requests.join(""));
      });
      await allClosed;
    } finally {
      await close(server);
    }
    expectOwnFieldsOnly(capture, EVENTS, total);
  }, 60_000);

  it("Express 5, keep-alive: a middleware binds the id, express.json() parses, the route binds the user", async () => {
    const { capture, log } = setup();
    const app = express();
    app.use((req, _res, next) => {
      // Before anything is bound: the body is not parsed yet, so the id comes from the header.
      log.info("request_received", { n: Number(req.headers["x-n"]) });
      next();
    });
    app.use(express.json());
    app.use((req, res, next) => {
      const n = (req.body as { n: number }).n;
      logOnEnd(log, res, n);
      bindContext({ request_id: `req-${n}` });
      log.info("request_bound", { n });
      next();
    });
    app.post("/score", async (req, res) => {
      const n = (req.body as { n: number }).n;
      await randomWait();
      bindUser(n);
      await randomWait();
      log.info("prediction_complete", { n });
      res.send("ok");
    });
    const server = http.createServer(app);
    await serveAll(server);
    expectOwnFieldsOnly(capture, EVENTS);
  }, 60_000);

  it("Fastify 5, keep-alive: an onRequest hook binds the id, the route binds the user", async () => {
    const { capture, log } = setup();
    const app = Fastify({ logger: false });
    app.addHook("onRequest", async (request, reply) => {
      const n = Number(request.headers["x-n"]);
      log.info("request_received", { n });
      logOnEnd(log, reply.raw, n);
      await randomWait();
      bindContext({ request_id: `req-${n}` });
      log.info("request_bound", { n });
    });
    app.post("/score", async (request) => {
      const { n } = request.body as { n: number };
      await randomWait();
      bindUser(n);
      await randomWait();
      log.info("prediction_complete", { n });
      return "ok";
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    try {
      await sendAll(app.server, (app.server.address() as AddressInfo).port);
    } finally {
      await app.close();
    }
    expectOwnFieldsOnly(capture, EVENTS);
  }, 60_000);

  it("ends a request's scope with the response's close, also when the client goes away first", async () => {
    const ended: string[] = [];
    let allEnded!: () => void;
    const done = new Promise<void>((resolve) => {
      allEnded = resolve;
    });
    let received!: () => void;
    const abandonedReceived = new Promise<void>((resolve) => {
      received = resolve;
    });
    const server = http.createServer((req, res) => {
      const scope = currentScope()!;
      scope.onEnd((s) => {
        expect(s).toBe(scope);
        ended.push(req.url!);
        if (ended.length === 11) allEnded();
      });
      if (req.url === "/abandoned") return received(); // never answered: the client gives up
      setImmediate(() => res.end("ok"));
    });
    const port = await listen(server);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
    try {
      const get = (path: string) =>
        new Promise<void>((resolve) => {
          http.get({ host: "127.0.0.1", port, path, agent }, (res) => res.resume().once("end", resolve));
        });
      const abandoned = http.get({ host: "127.0.0.1", port, path: "/abandoned", agent: false });
      abandoned.once("error", () => {});
      await abandonedReceived;
      abandoned.destroy();
      await Promise.all(Array.from({ length: 10 }, (_, i) => get(`/r${i}`)));
      await done;
    } finally {
      agent.destroy();
      await close(server);
    }
    expect(ended.sort()).toEqual(["/abandoned", ...Array.from({ length: 10 }, (_, i) => `/r${i}`)].sort());
  });
});
