import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { bindContext, getContext, withContext } from "../scope.js";
import { createLogCapture } from "../testing.js";
import { mergeContext } from "./merge-context.js";

function setup() {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [mergeContext()] });
  return { capture, log };
}

describe("mergeContext()", () => {
  it("adds the fields bound with withContext() inside the scope, and none outside", async () => {
    const { capture, log } = setup();
    await withContext({ request_id: "r-1", user_id: "u-1" }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 1));
      log.info("inside");
    });
    log.info("outside");
    expect(capture.entries[0]).toEqual({ event: "inside", request_id: "r-1", user_id: "u-1" });
    expect(capture.entries[1]).toEqual({ event: "outside" });
  });

  it("lets the call's fields win over context fields", () => {
    const { capture, log } = setup();
    withContext({ model: "ctx", region: "eu" }, () => log.info("x", { model: "call" }));
    expect(capture.entries[0]).toEqual({ event: "x", model: "call", region: "eu" });
  });

  it("lets fields bound to the logger win over context fields, as structlog does", () => {
    const { capture, log } = setup();
    withContext({ model: "ctx", region: "eu" }, () => log.bind({ model: "bound" }).info("x"));
    expect(capture.entries[0]).toEqual({ event: "x", model: "bound", region: "eu" });
  });

  it("adds context keys that share a name with Object.prototype members", () => {
    const { capture, log } = setup();
    withContext({ constructor: "c", toString: "t" }, () => log.info("x"));
    expect(capture.entries[0]).toEqual({ event: "x", constructor: "c", toString: "t" });
  });

  it("follows bindContext() and leaves the context's own fields unchanged", async () => {
    const { capture, log } = setup();
    await withContext({}, async () => {
      bindContext({ request_id: "r-2" });
      log.info("x", { request_id: "own" });
      log.info("y");
      expect(getContext()).toEqual({ request_id: "r-2" });
    });
    expect(capture.entries.map((entry) => entry.request_id)).toEqual(["own", "r-2"]);
  });
});
