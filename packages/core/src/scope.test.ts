import { once } from "node:events";
import type { AddressInfo } from "node:net";
import * as net from "node:net";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "./configure.js";
import { currentScope, type Scope } from "./internal/scope.js";
import { mergeContext } from "./processors/merge-context.js";
import type { Fields } from "./record.js";
import { bindContext, clearContext, getContext, scoped, unbindContext, withContext } from "./scope.js";
import { createLogCapture } from "./testing.js";

function setup() {
  const capture = createLogCapture();
  return { capture, log: createLogger({ outputs: [capture] }) };
}

describe("withContext()", () => {
  it("binds fields for the scope, across awaits, and not after it", async () => {
    const { capture, log } = setup();
    await withContext({ request_id: "r-1" }, async () => {
      log.info("inside");
      await sleep(1);
      log.info("after_await");
    });
    log.info("outside");
    expect(capture.entries.map((e) => e.request_id)).toEqual(["r-1", "r-1", undefined]);
  });

  it("nests: the inner scope adds to the outer one and call fields win", () => {
    const { capture, log } = setup();
    withContext({ a: 1, b: 1 }, () => withContext({ b: 2 }, () => log.info("x", { a: 3 })));
    expect(capture.entries[0]).toMatchObject({ a: 3, b: 2 });
  });
});

describe("bindContext()", () => {
  it("binds until cleared, like structlog's bind_contextvars", async () => {
    const { capture, log } = setup();
    await withContext({}, async () => {
      bindContext({ user_id: "u-1", model_version: "v2" });
      log.info("one");
      unbindContext("model_version");
      log.info("two");
      clearContext();
      log.info("three");
    });
    expect(capture.entries.map(({ user_id, model_version }) => ({ user_id, model_version }))).toEqual([
      { user_id: "u-1", model_version: "v2" },
      { user_id: "u-1", model_version: undefined },
      { user_id: undefined, model_version: undefined },
    ]);
    expect(getContext()).toEqual({});
  });

  it("keeps 10,000 interleaved async requests apart when each runs in its own scope", async () => {
    const { capture, log } = setup();
    // The tutorial's handle_request: bind at the start, random awaits, clear in finally.
    const handleRequest = scoped(async (i: number) => {
      bindContext({ request_id: `req-${i}`, user_id: `user-${i % 97}` });
      if (i % 2 === 0) bindContext({ even: true });
      try {
        log.info("request_received", { i });
        await sleep(Math.floor(Math.random() * 3));
        if (i % 10 === 0) throw new Error(`failed ${i}`);
        await Promise.resolve();
        log.info("prediction_complete", { i });
      } catch (err) {
        log.error("request_failed", { i, err });
      } finally {
        clearContext();
      }
      log.info("after_clear", { i });
    });
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => handleRequest(i)));
    expect(capture.entries).toHaveLength(30_000);
    let interleaved = 0;
    capture.entries.forEach((entry, n) => {
      const i = entry.i as number;
      if (entry.event === "after_clear") {
        expect(entry.request_id).toBeUndefined();
        expect(entry.even).toBeUndefined();
      } else {
        expect(entry.request_id).toBe(`req-${i}`);
        expect(entry.user_id).toBe(`user-${i % 97}`);
        expect(entry.even).toBe(i % 2 === 0 ? true : undefined);
      }
      if (n > 0 && capture.entries[n - 1]!.i !== i) interleaved++;
    });
    // The requests really did interleave.
    expect(interleaved).toBeGreaterThan(10_000);
    expect(capture.entries.filter((e) => e.event === "request_failed")).toHaveLength(1_000);
  });

  it("clears the bindings after an exception when cleared in finally", async () => {
    const { capture, log } = setup();
    await withContext({}, async () => {
      try {
        bindContext({ request_id: "leaky" });
        throw new Error("boom");
      } catch {
        // the request failed
      } finally {
        clearContext();
      }
      log.info("next_request");
    });
    expect(capture.entries[0]!.request_id).toBeUndefined();
  });
});

/** A logger whose records hold the call's and the context's fields only. */
function contextOnly() {
  const capture = createLogCapture();
  return { capture, log: createLogger({ outputs: [capture], processors: [mergeContext()] }) };
}

describe("scopes", () => {
  afterEach(() => clearContext());

  it("1,000 concurrent async handlers from one dispatcher: no field reaches the dispatcher or another handler", async () => {
    const { capture, log } = contextOnly();
    const handle = scoped(async (i: number) => {
      log.info("handler_started", { i });
      bindContext({ request_id: `req-${i}`, user_id: `user-${i}` });
      if (i % 3 === 0) bindContext({ coupon: `c-${i}` });
      try {
        await sleep(Math.floor(Math.random() * 3));
        log.info("handler_working", { i });
        await Promise.resolve();
        log.info("handler_done", { i });
      } finally {
        clearContext();
      }
    });
    await withContext({ dispatcher: "d-1" }, async () => {
      log.info("batch_started");
      await Promise.all(Array.from({ length: 1_000 }, (_, i) => handle(i)));
      log.info("batch_done");
    });
    const dispatcher = capture.entries.filter((e) => e.i === undefined);
    expect(dispatcher).toEqual([
      { event: "batch_started", dispatcher: "d-1" },
      { event: "batch_done", dispatcher: "d-1" },
    ]);
    const handlers = capture.entries.filter((e) => e.i !== undefined);
    expect(handlers).toHaveLength(3_000);
    for (const { event, i, ...rest } of handlers) {
      const n = i as number;
      if (event === "handler_started") expect(rest).toEqual({});
      else {
        const own: Record<string, unknown> = { request_id: `req-${n}`, user_id: `user-${n}` };
        if (n % 3 === 0) own.coupon = `c-${n}`;
        expect(rest).toEqual(own);
      }
    }
  });

  it("outside any scope, bindContext() binds process-wide; a scope starts with what was bound before it", async () => {
    const { capture, log } = contextOnly();
    const before = scoped(async () => {
      await sleep(5);
      log.info("scope_started_before");
    })();
    bindContext({ service: "ranker" });
    await new Promise<void>((resolve) => setImmediate(() => resolve(log.info("callback"))));
    await scoped(async () => {
      log.info("scope_started_after");
      clearContext();
      log.info("scope_cleared");
    })();
    await before;
    log.info("top_level");
    expect(capture.entries.map((e) => [e.event, e.service])).toEqual([
      ["callback", "ranker"],
      ["scope_started_after", "ranker"],
      ["scope_cleared", undefined],
      ["scope_started_before", undefined],
      ["top_level", "ranker"],
    ]);
  });

  it("withContext() inside a scope: sees what the scope bound before it, and nothing of it reaches the scope", async () => {
    const { capture, log } = contextOnly();
    await scoped(async () => {
      bindContext({ request_id: "r-1" });
      const child = withContext({ step: "score" }, async () => {
        await sleep(2);
        bindContext({ model: "m" });
        log.info("child");
      });
      bindContext({ late: true });
      await child;
      log.info("parent");
    })();
    expect(capture.entries).toEqual([
      { event: "child", request_id: "r-1", step: "score", model: "m" },
      { event: "parent", request_id: "r-1", late: true },
    ]);
  });

  it("a bind after an await is seen by everything else in the scope, e.g. a listener added earlier", async () => {
    const { capture, log } = contextOnly();
    await scoped(async () => {
      const later = new Promise<void>((resolve) => setTimeout(() => resolve(log.info("timer")), 10));
      await sleep(1);
      bindContext({ user_id: "u-1" });
      await later;
    })();
    expect(capture.entries).toEqual([{ event: "timer", user_id: "u-1" }]);
  });
});

describe("scoped() for a queue consumer", () => {
  it("a consumer reading newline-delimited messages from one socket: each message's records carry only its ids", async () => {
    const { capture, log } = contextOnly();
    const total = 200;
    const server = net.createServer((socket) => {
      const lines = Array.from({ length: total }, (_, n) =>
        JSON.stringify({
          job_id: `job-${n}`,
          user_id: `user-${n}`,
          priority: n % 4 === 0 ? "high" : undefined,
        }),
      );
      socket.end(`${lines.join("\n")}\n`);
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const done: Promise<void>[] = [];
    try {
      const socket = net.connect((server.address() as AddressInfo).port, "127.0.0.1");
      const handle = scoped(async (line: string) => {
        const message = JSON.parse(line) as Fields;
        log.info("message_received", { n: Number(String(message.job_id).slice(4)) });
        bindContext(message);
        await sleep(Math.floor(Math.random() * 3));
        log.info("message_done", { n: Number(String(message.job_id).slice(4)) });
      });
      createInterface({ input: socket }).on("line", (line) => done.push(handle(line)));
      await once(socket, "close");
      await Promise.all(done);
    } finally {
      server.close();
    }
    expect(capture.entries).toHaveLength(2 * total);
    for (const { event, n, ...fields } of capture.entries) {
      if (event === "message_received") expect(fields).toEqual({});
      else {
        const i = n as number;
        const own = { job_id: `job-${i}`, user_id: `user-${i}`, priority: i % 4 === 0 ? "high" : undefined };
        expect(fields).toEqual(own);
      }
    }
  });
});

describe("Scope (internal)", () => {
  it("ends when the function returns, throws or its promise settles, and runs its end hooks once", async () => {
    const ended: string[] = [];
    const track = (name: string) => currentScope()!.onEnd(() => ended.push(name));
    scoped(() => track("sync"))();
    expect(() =>
      scoped(() => {
        track("throws");
        throw new Error("boom");
      })(),
    ).toThrow("boom");
    const pending = scoped(async () => {
      track("async");
      await sleep(1);
    })();
    expect(ended).toEqual(["sync", "throws"]);
    await pending;
    await Promise.resolve();
    await expect(
      withContext({}, async () => {
        track("rejects");
        throw new Error("no");
      }),
    ).rejects.toThrow("no");
    expect(ended).toEqual(["sync", "throws", "async", "rejects"]);
  });

  it("gives each root scope its own correlation id and shares it with the scopes started inside", () => {
    const ids: string[] = [];
    let inner: Scope | undefined;
    for (let i = 0; i < 100; i++) {
      scoped(() => {
        ids.push(currentScope()!.traceId);
        withContext({}, () => {
          inner = currentScope();
        });
        expect(inner!.traceId).toBe(ids.at(-1));
        expect(inner!.parent).toBe(currentScope());
      })();
    }
    expect(new Set(ids).size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(currentScope()).toBeUndefined();
  });

  it("keeps per-scope state apart", async () => {
    const key = Symbol("test");
    const seen = await Promise.all(
      [1, 2].map(
        scoped(async (n: number) => {
          currentScope()!.state.set(key, n);
          await sleep(1);
          return currentScope()!.state.get(key);
        }),
      ),
    );
    expect(seen).toEqual([1, 2]);
  });
});
