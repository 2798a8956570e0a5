import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { createLogger } from "./configure.js";
import { bindContext, clearContext, getContext, unbindContext, withContext } from "./context.js";
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

  it("keeps 10,000 interleaved async requests apart (each record has only its own fields)", async () => {
    const { capture, log } = setup();
    // The tutorial's handle_request: bind at the start, random awaits, clear in finally.
    async function handleRequest(i: number) {
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
    }
    // Each request starts in its own callback, as requests do in a server.
    await Promise.all(
      Array.from(
        { length: 10_000 },
        (_, i) => new Promise<void>((resolve) => setImmediate(() => handleRequest(i).then(resolve))),
      ),
    );
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
