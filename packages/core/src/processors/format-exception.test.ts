import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { describeError } from "../encode/walk.js";
import type { Fields } from "../record.js";
import { createLogCapture } from "../testing.js";
import { formatException } from "./format-exception.js";

function logged(fields: Fields | Error): Fields {
  const capture = createLogCapture();
  createLogger({ outputs: [capture], processors: [formatException()] }).error("prediction_failed", fields);
  return capture.entries[0]!;
}

class ModelError extends Error {
  override name = "ModelError";
}

describe("formatException()", () => {
  it("turns an Error given as the fields into error and exception, without err", () => {
    const error = new TypeError("features must be an array");
    const entry = logged(error);
    expect(entry).not.toHaveProperty("err");
    expect(entry.error).toBe("TypeError: features must be an array");
    expect(entry.exception).toEqual({
      type: "TypeError",
      message: "features must be an array",
      stacktrace: error.stack,
    });
    expect((entry.exception as Fields).stacktrace).toContain("format-exception.test.ts");
  });

  it("finds the Error under err, error or exception, keeping the other fields", () => {
    expect(logged({ err: new RangeError("r"), model: "m" })).toMatchObject({
      error: "RangeError: r",
      model: "m",
    });
    expect(logged({ error: new ModelError("e") })).toMatchObject({
      error: "ModelError: e",
      exception: { type: "ModelError" },
    });
    const entry = logged({ exception: new Error("x") });
    expect(entry.error).toBe("Error: x");
    expect(entry.exception).toMatchObject({ type: "Error", message: "x" });
  });

  it("leaves fields that are not Errors as they are", () => {
    expect(logged({ err: "timeout", error: { code: 1 } })).toEqual({
      event: "prediction_failed",
      err: "timeout",
      error: { code: 1 },
    });
  });

  it("follows the cause chain, walking causes that are not Errors like any value", () => {
    const root = new Error("socket closed", { cause: { errno: -104 } });
    const middle = new Error("fetch failed", { cause: root });
    const top = new ModelError("prediction failed", { cause: middle });
    const exception = logged(top).exception as Fields;
    expect(exception).toMatchObject({
      type: "ModelError",
      message: "prediction failed",
      cause: {
        type: "Error",
        message: "fetch failed",
        cause: { message: "socket closed", cause: { errno: -104 } },
      },
    });
    expect((logged(new Error("a", { cause: 42 })).exception as Fields).cause).toBe(42);
    expect((logged(new Error("a", { cause: "disk full" })).exception as Fields).cause).toBe("disk full");
  });

  it("terminates on a cause cycle, marking the error met again", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect((logged(a).exception as Fields).cause).toMatchObject({ message: "b", cause: "[Circular]" });
    const self = new Error("self");
    (self as { cause?: unknown }).cause = self;
    expect((logged(self).exception as Fields).cause).toBe("[Circular]");
  });

  it("cuts a very long cause chain at maxDepth with a marker, as any nesting", () => {
    let error = new Error("e0");
    for (let i = 1; i < 20; i++) error = new Error(`e${i}`, { cause: error });
    let info = logged(error).exception as Fields;
    let depth = 0;
    while (typeof info.cause === "object") {
      info = info.cause as Fields;
      depth++;
    }
    // exception is at depth 1 of the fields, so 9 causes fit maxDepth 10.
    expect(depth).toBe(9);
    expect(info.cause).toBe("[Object]");
  });

  it("describes the errors of an AggregateError, Errors or not", () => {
    const aggregate = new AggregateError(
      [new Error("model a down"), "model b timed out"],
      "all models failed",
    );
    const entry = logged(aggregate);
    expect(entry.error).toBe("AggregateError: all models failed");
    expect(entry.exception).toMatchObject({
      type: "AggregateError",
      errors: [{ type: "Error", message: "model a down" }, "model b timed out"],
    });
    const many = new AggregateError(
      Array.from({ length: 40 }, (_, i) => new Error(`e${i}`)),
      "many",
    );
    const errors = (logged(many).exception as Fields).errors as unknown[];
    const capture = createLogCapture();
    createLogger({ outputs: [capture], processors: [formatException()], limits: { maxItems: 32 } }).error(
      "x",
      many,
    );
    const cut = (capture.entries[0]!.exception as Fields).errors as unknown[];
    expect(errors).toHaveLength(40);
    expect(cut).toHaveLength(33);
    expect(cut[32]).toBe("[8 more items]");
  });

  it("keeps a system error's code", () => {
    const error = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:4318"), { code: "ECONNREFUSED" });
    expect(logged(error).exception).toMatchObject({ code: "ECONNREFUSED" });
  });

  it("formats Errors from another realm", () => {
    const foreign = vm.runInNewContext('new RangeError("from a vm")') as Error;
    expect(foreign instanceof Error).toBe(false);
    expect(logged({ err: foreign })).toMatchObject({
      error: "RangeError: from a vm",
      exception: { type: "RangeError" },
    });
  });

  it("never throws on an Error whose properties throw", () => {
    const hostile = new Error("x");
    for (const key of ["stack", "message", "name", "cause"]) {
      Object.defineProperty(hostile, key, {
        get() {
          throw new Error("no");
        },
      });
    }
    const entry = logged(hostile);
    expect(entry).not.toHaveProperty("logging_error");
    expect(entry.error).toBe("Error: ");
    expect(entry.exception).toMatchObject({
      type: "Error",
      message: "",
      cause: "[Unserializable: Error: no]",
    });
  });

  it("describeError() describes an Error on its own", () => {
    expect(describeError(new Error("x", { cause: new TypeError("y") }))).toMatchObject({
      type: "Error",
      message: "x",
      cause: { type: "TypeError", message: "y" },
    });
  });
});
