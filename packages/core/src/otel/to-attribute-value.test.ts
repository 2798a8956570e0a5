import { afterEach, describe, expect, it } from "vitest";
import { limits } from "../internal/json.js";
import { toAttributeValue } from "./to-attribute-value.js";

const saved = { ...limits };
afterEach(() => {
  Object.assign(limits, saved);
});

describe("toAttributeValue()", () => {
  it("keeps scalars, null and bytes; leaves undefined out", () => {
    expect(toAttributeValue("a")).toBe("a");
    expect(toAttributeValue(1.5)).toBe(1.5);
    expect(toAttributeValue(false)).toBe(false);
    expect(toAttributeValue(null)).toBeNull();
    expect(toAttributeValue(undefined)).toBeUndefined();
    const bytes = new Uint8Array([1, 2]);
    expect(toAttributeValue(bytes)).toBe(bytes);
  });

  it("turns NaN and Infinity into the JSON output's markers (OTLP/JSON would send null, which the collector rejects)", () => {
    expect(toAttributeValue(Number.NaN)).toBe("NaN");
    expect(toAttributeValue(Number.NEGATIVE_INFINITY)).toBe("-Infinity");
    expect(toAttributeValue({ score: Number.POSITIVE_INFINITY, list: [Number.NaN] })).toEqual({
      score: "Infinity",
      list: ["NaN"],
    });
  });

  it("turns lists, Sets, typed arrays and Maps into lists and maps", () => {
    expect(toAttributeValue([1, "a", [true]])).toEqual([1, "a", [true]]);
    expect(toAttributeValue(new Set([1, 2]))).toEqual([1, 2]);
    expect(toAttributeValue(new Float32Array([0.5, 1]))).toEqual([0.5, 1]);
    expect(toAttributeValue(new Map([[{ id: 1 }, "x"]]))).toEqual({ "[object Object]": "x" });
    expect(toAttributeValue([undefined])).toEqual([null]);
  });

  it("describes Errors with their causes and own fields", () => {
    const error = Object.assign(new TypeError("bad", { cause: "upstream" }), { code: "E_BAD" });
    expect(toAttributeValue(error)).toMatchObject({
      type: "TypeError",
      message: "bad",
      stacktrace: expect.stringContaining("TypeError: bad"),
      code: "E_BAD",
      cause: "upstream",
    });
  });

  it("uses toJSON, and keeps a `__proto__` key as data", () => {
    expect(toAttributeValue({ toJSON: () => ({ v: 1 }) })).toEqual({ v: 1 });
    const value = toAttributeValue(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<
      string,
      unknown
    >;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.hasOwn(value, "__proto__")).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("applies the string, depth and item limits with markers", () => {
    Object.assign(limits, { maxStringLength: 3, maxDepth: 2, maxItems: 2 });
    expect(toAttributeValue("abcdef")).toBe("abc...[truncated 3 chars]");
    expect(toAttributeValue({ a: { b: { c: 1 } } })).toEqual({ a: { b: "[Object]" } });
    expect(toAttributeValue([1, 2, 3, 4])).toEqual([1, 2, "[2 more items]"]);
    expect(
      toAttributeValue(
        new Map([
          ["a", 1],
          ["b", 2],
          ["c", 3],
        ]),
      ),
    ).toEqual({ a: 1, b: 2, "...": "[1 more entries]" });
  });

  it("never throws: a throwing toJSON or Proxy becomes a marker", () => {
    const badJson = {
      toJSON() {
        throw new Error("nope");
      },
    };
    expect(toAttributeValue(badJson)).toBe("[Unserializable: Error: nope]");
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect(toAttributeValue(proxy)).toBe("[Unserializable: Error: trap]");
  });
});
