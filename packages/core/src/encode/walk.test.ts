import fc from "fast-check";
import { afterEach, describe, expect, it } from "vitest";
import { diagnostics } from "../internal/diagnostics.js";
import { encodeValue } from "./json.js";
import { DEFAULT_LIMITS, describeError, type Limits, swapLimits, walk } from "./walk.js";

const parse = (value: unknown) => JSON.parse(encodeValue(value) ?? "null");
let limits: Limits = DEFAULT_LIMITS;
/** Sets the walker's limits for one test, as a logger's `limits` option does for its calls. */
function use(changes: Partial<Limits>): void {
  limits = { ...DEFAULT_LIMITS, ...changes };
  swapLimits(limits);
}
afterEach(() => {
  limits = DEFAULT_LIMITS;
  swapLimits(DEFAULT_LIMITS);
});

describe("walk() through encodeValue()", () => {
  it("encodes what JSON.stringify encodes the same way", () => {
    const value = { a: 1, b: "two", c: [true, null, { d: -0.5 }], e: 'quote"and\\slash\n' };
    expect(encodeValue(value)).toBe(JSON.stringify(value));
  });

  it("leaves out undefined members and turns undefined items into null", () => {
    expect(parse({ a: undefined, b: [undefined, 1] })).toEqual({ b: [null, 1] });
    expect(encodeValue(undefined)).toBeUndefined();
  });

  it("marks cycles and counts them", () => {
    const before = diagnostics.unencodable;
    const a: Record<string, unknown> = { name: "a" };
    a.self = a;
    a.list = [a];
    expect(parse(a)).toEqual({ name: "a", self: "[Circular]", list: ["[Circular]"] });
    expect(diagnostics.unencodable - before).toBe(2);
  });

  it("repeats a shared (non-circular) object instead of marking it", () => {
    const shared = { x: 1 };
    expect(parse({ a: shared, b: shared })).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });

  it("encodes BigInt, Map, Set, Buffer, typed arrays, Date, symbols and functions", () => {
    expect(
      parse({
        big: 12345678901234567890n,
        map: new Map<unknown, unknown>([
          ["k", 1],
          [2, "two"],
        ]),
        set: new Set(["a", "b"]),
        buf: Buffer.from("hello"),
        floats: new Float32Array([1.5, 2]),
        date: new Date(Date.UTC(2024, 0, 15, 14, 32, 1)),
        bad: new Date(Number.NaN),
        sym: Symbol("s"),
        fn: function predict() {},
      }),
    ).toEqual({
      big: "12345678901234567890",
      map: { k: 1, "2": "two" },
      set: ["a", "b"],
      buf: { type: "Buffer", base64: Buffer.from("hello").toString("base64") },
      floats: [1.5, 2],
      date: "2024-01-15T14:32:01.000Z",
      bad: null,
      sym: "Symbol(s)",
      fn: "[Function: predict]",
    });
  });

  it("writes NaN and Infinity as marker strings", () => {
    expect(parse([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])).toEqual([
      "NaN",
      "Infinity",
      "-Infinity",
    ]);
  });

  it("survives throwing getters, throwing toJSON and hostile Proxies", () => {
    const getter = {
      ok: 1,
      get broken() {
        throw new Error("no");
      },
    };
    const toJSON = {
      toJSON() {
        throw new Error("nope");
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("trap");
        },
      },
    );
    expect(parse({ getter, toJSON, proxy })).toEqual({
      getter: { ok: 1, broken: "[Unserializable: Error: no]" },
      toJSON: "[Unserializable: Error: nope]",
      proxy: "[Unserializable: Error: trap]",
    });
  });

  it("encodes errors with type, message, stack, own fields and cause", () => {
    const error = Object.assign(new RangeError("too big", { cause: "limit" }), { code: "E_BIG" });
    expect(parse(error)).toMatchObject({
      type: "RangeError",
      message: "too big",
      code: "E_BIG",
      cause: "limit",
    });
    expect(parse(error).stacktrace).toContain("RangeError: too big");
  });

  it("reads only the items it writes of a large typed array (an embedding, a tensor)", () => {
    class Counted extends Float32Array {
      read = 0;
      override *[Symbol.iterator](): ArrayIterator<number> {
        for (let i = 0; i < this.length; i++) {
          this.read++;
          yield this[i]!;
        }
      }
    }
    const tensor = new Counted(1_000_000).fill(0.5);
    const encoded = parse({ tensor, view: new DataView(new ArrayBuffer(8)) });
    expect(encoded.tensor).toHaveLength(limits.maxItems + 1);
    expect(encoded.tensor.at(-1)).toBe(`[${1_000_000 - limits.maxItems} more items]`);
    expect(encoded.view).toEqual({ type: "DataView", byteLength: 8 });
    expect(tensor.read).toBeLessThanOrEqual(limits.maxItems + 1);
  });

  it("converts only the part of a large Buffer it writes (an image, a model file)", () => {
    use({ maxStringLength: 102 });
    const bytes = Buffer.alloc(1_000_000, 7);
    const full = bytes.toString("base64");
    // Converting the whole payload would cost a base64 string 4/3 its size, only to cut it.
    bytes.toString = () => {
      throw new Error("the whole buffer was converted");
    };
    expect(parse({ bytes })).toEqual({
      bytes: { type: "Buffer", base64: `${full.slice(0, 74)}...[truncated ${full.length - 74} chars]` },
    });
    const small = Buffer.from("hello");
    expect(parse(small)).toEqual({ type: "Buffer", base64: small.toString("base64") });
  });

  it("writes an error whose name is not a string as valid JSON", () => {
    const unnamed = Object.assign(new Error("no name"), { name: undefined });
    const numbered = Object.assign(new Error("numbered"), { name: 42 });
    expect(parse({ unnamed, numbered })).toMatchObject({
      unnamed: { type: "Error", message: "no name" },
      numbered: { type: "42", message: "numbered" },
    });
  });

  it("caps depth, string length and collection size with markers", () => {
    use({ maxDepth: 3, maxStringLength: 64, maxItems: 2, maxKeys: 2 });
    // (maxKeys below 8 only through the walker's own options; a logger refuses it.)
    const before = diagnostics.truncated;
    expect(parse({ a: { b: { c: { d: 1 } } } })).toEqual({ a: { b: { c: "[Object]" } } });
    // The cut string, its marker included, fits the limit.
    expect(parse("x".repeat(100))).toBe(`${"x".repeat(40)}...[truncated 60 chars]`);
    expect(parse([1, 2, 3, 4])).toEqual([1, 2, "[2 more items]"]);
    expect(parse({ a: 1, b: 2, c: 3 })).toEqual({ a: 1, b: 2, "...": "[1 more keys]" });
    expect(
      parse(
        new Map([
          ["a", 1],
          ["b", 2],
          ["c", 3],
        ]),
      ),
    ).toEqual({ a: 1, b: 2, "...": "[1 more keys]" });
    expect(diagnostics.truncated - before).toBe(5);
  });

  it("writes Map keys that stringify alike once each, the later ones as counted duplicates", () => {
    const before = diagnostics.unencodable;
    const map = new Map<unknown, unknown>([
      [1, "number"],
      ["1", "string"],
      [{}, "a"],
      [{}, "b"],
    ]);
    expect(parse(map)).toEqual({
      "1": "number",
      "1 [duplicate 2]": "string",
      "[object Object]": "a",
      "[object Object] [duplicate 2]": "b",
    });
    expect(diagnostics.unencodable - before).toBe(2);
  });

  it("describes an Error with no key twice, whatever its own properties repeat", () => {
    const error = Object.assign(new TypeError("bad"), {
      type: "own type",
      message: "own message",
      detail: 1,
    });
    const line = encodeValue({ failure: error })!;
    expect(line.match(/"type"/g)).toHaveLength(1);
    expect(line.match(/"message"/g)).toHaveLength(1);
    expect(JSON.parse(line).failure).toMatchObject({ type: "TypeError", message: "own message", detail: 1 });
  });

  it("applies the limits to causes and AggregateError members: a typed array in a cause costs maxItems", () => {
    use({ maxItems: 3, maxDepth: 4 });
    const tensor = new Float32Array(50_000_000);
    const error = new Error("outer", { cause: Object.assign(new Error("inner"), { tensor }) });
    const info = describeError(error) as unknown as { cause: { tensor: unknown[] } };
    expect(info.cause.tensor).toEqual([0, 0, 0, "[49999997 more items]"]);
    const members = Array.from({ length: 10 }, (_, i) => new Error(`e${i}`));
    const aggregate = describeError(new AggregateError(members, "many"));
    expect(aggregate.errors).toHaveLength(4);
    expect(aggregate.errors?.[3]).toBe("[7 more items]");
    let deep: Error = new Error("0");
    for (let i = 1; i < 20; i++) deep = new Error(String(i), { cause: deep });
    expect(JSON.stringify(describeError(deep))).toContain('"[Object]"');
  });

  it("marks a cause met again on its own chain as [Circular]", () => {
    const a = new Error("a");
    const b = new Error("b", { cause: a });
    (a as { cause?: unknown }).cause = b;
    expect(describeError(a).cause).toMatchObject({ message: "b", cause: "[Circular]" });
  });

  it("reads a sparse array only up to maxItems, and an object only up to maxKeys", () => {
    const sparse: unknown[] = [];
    sparse[100_000_000] = "secret";
    const walked = walk(sparse) as unknown[];
    expect(walked).toHaveLength(limits.maxItems + 1);
    expect(walked.at(-1)).toBe(`[${100_000_001 - limits.maxItems} more items]`);
    const wide: Record<string, number> = {};
    for (let i = 0; i < 200_000; i++) wide[`k${i}`] = i;
    const keys = Object.keys(walk(wide) as object);
    expect(keys).toHaveLength(limits.maxKeys + 1);
    expect((walk(wide) as Record<string, unknown>)["..."]).toBe(`[${200_000 - limits.maxKeys} more keys]`);
  });

  it("copies an array of numbers without its caller's array, reading each item once", () => {
    const scores = [0.1, 0.2, 0.3];
    const walked = walk(scores) as number[];
    expect(walked).toEqual(scores);
    expect(walked).not.toBe(scores);
    let reads = 0;
    const tricky: unknown[] = [1, 2];
    Object.defineProperty(tricky, 1, {
      enumerable: true,
      get: () => (++reads === 1 ? 2 : "x".repeat(1_000_000)),
    });
    Object.defineProperty(tricky, "slice", { value: () => ["forged"] });
    expect(walk(tricky)).toEqual([1, 2]);
    expect(reads).toBe(1);
    use({ maxItems: 2 });
    const before = diagnostics.truncated;
    expect(parse([1, 2, 3, 4])).toEqual([1, 2, "[2 more items]"]);
    expect(parse([1, Number.NaN, 3])).toEqual([1, "NaN", "[1 more items]"]);
    expect(diagnostics.truncated - before).toBe(2);
  });

  it("reads each getter once: a second walk of the result returns it as it is", () => {
    let reads = 0;
    const value = {
      get token() {
        reads++;
        return { n: reads };
      },
    };
    const first = walk(value);
    expect(walk(first)).toBe(first);
    expect(reads).toBe(1);
  });

  it("turns a revoked Proxy into a marker", () => {
    const { proxy, revoke } = Proxy.revocable({}, {});
    revoke();
    expect(parse({ proxy }).proxy).toMatch(/^\[Unserializable: TypeError: /);
  });

  it("is idempotent: walking a copy of a walked tree gives the same tree and counts nothing (property)", () => {
    use({ maxStringLength: 64, maxItems: 4, maxKeys: 8, maxDepth: 4 });
    const error = fc
      .tuple(fc.string(), fc.anything())
      .map(([message, cause]) => new AggregateError([new Error(message, { cause })], "many", { cause }));
    fc.assert(
      fc.property(
        fc.oneof(
          fc.anything({ withBigInt: true, withMap: true, withSet: true, withTypedArray: true, maxDepth: 6 }),
          error,
          fc.string({ minLength: 60, maxLength: 200 }),
        ),
        (value) => {
          const tree = walk(value);
          const copy = JSON.parse(JSON.stringify(tree ?? null));
          const before = diagnostics.truncated + diagnostics.unencodable;
          expect(walk(copy)).toEqual(copy);
          expect(diagnostics.truncated + diagnostics.unencodable).toBe(before);
        },
      ),
      { seed: 7, numRuns: 2_000 },
    );
  });

  it("always gives valid JSON, whatever the input (property)", () => {
    fc.assert(
      fc.property(
        fc.anything({
          withBigInt: true,
          withMap: true,
          withSet: true,
          withDate: true,
          withTypedArray: true,
          withSparseArray: true,
          withNullPrototype: true,
          withBoxedValues: true,
        }),
        (value) => {
          const encoded = encodeValue(value);
          if (encoded !== undefined) JSON.parse(encoded);
        },
      ),
      { numRuns: 2_000 },
    );
  });
});
