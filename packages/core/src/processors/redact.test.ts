import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Fields, Processor } from "../record.js";
import { withContext } from "../scope.js";
import { createLogCapture } from "../testing.js";
import { formatException } from "./format-exception.js";
import { mergeContext } from "./merge-context.js";
import { type RedactOptions, redact } from "./redact.js";

function setup(...processors: Processor[]) {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors });
  return { capture, log };
}

function logged(paths: string[], fields: Fields, options?: RedactOptions): Fields {
  const { capture, log } = setup(redact(paths, options));
  log.info("x", fields);
  const { event: _event, ...rest } = capture.entries[0]!;
  return rest;
}

describe("redact()", () => {
  it("redacts fields an earlier processor froze, sealed or hid behind a Proxy that throws", () => {
    const freeze: Processor = (r) => ({ ...r, fields: Object.freeze({ ...r.fields }) });
    const seal: Processor = (r) => ({ ...r, fields: Object.seal({ ...r.fields }) });
    for (const earlier of [freeze, seal]) {
      const { capture, log } = setup(
        earlier,
        redact(["password", "user.token"], { remove: earlier === seal }),
      );
      log.info("login", { password: "hunter2", user: { token: "tok_secret" }, ok: 1 });
      const line = JSON.stringify(capture.entries[0]);
      expect(line).not.toContain("hunter2");
      expect(line).not.toContain("tok_secret");
      expect(capture.entries[0]).toMatchObject({ event: "login", ok: 1 });
    }
    const hostile: Processor = (r) => ({
      ...r,
      fields: new Proxy({ password: "hunter2" } as Fields, {
        set: () => {
          throw new Error("no");
        },
        ownKeys: () => {
          throw new Error("no");
        },
      }),
    });
    const { capture, log } = setup(hostile, redact(["password"]));
    log.info("login", { password: "hunter2" });
    expect(JSON.stringify(capture.entries)).not.toContain("hunter2");
    expect(capture.entries).toHaveLength(1);
  });

  it("replaces top-level keys with [REDACTED], or a replacement, or removes them", () => {
    const fields = { password: "hunter2", user: "ann" };
    expect(logged(["password"], fields)).toEqual({ password: "[REDACTED]", user: "ann" });
    expect(logged(["password"], fields, { replacement: "***" })).toEqual({ password: "***", user: "ann" });
    expect(logged(["password"], fields, { remove: true })).toEqual({ user: "ann" });
  });

  it("follows dotted paths into nested objects, keeping the siblings", () => {
    const fields = { req: { headers: { authorization: "Bearer t", accept: "json" }, path: "/predict" } };
    expect(logged(["req.headers.authorization"], fields)).toEqual({
      req: { headers: { authorization: "[REDACTED]", accept: "json" }, path: "/predict" },
    });
    expect(logged(["req.headers.authorization"], fields, { remove: true })).toEqual({
      req: { headers: { accept: "json" }, path: "/predict" },
    });
    expect(logged(["req.body.token", "nothere"], fields)).toEqual(fields);
  });

  it("never changes the caller's objects: it redacts a walked copy", () => {
    const headers = { authorization: "Bearer t" };
    const other = { keep: true };
    const fields = { req: { headers, other } };
    const { capture, log } = setup(redact(["req.headers.authorization"]));
    log.info("x", fields);
    expect(headers.authorization).toBe("Bearer t");
    expect(fields.req.headers).toBe(headers);
    const written = capture.records[0]!.fields.req as { headers: unknown; other: unknown };
    expect(written.headers).toEqual({ authorization: "[REDACTED]" });
    expect(written.other).toEqual(other);
    expect(other).toEqual({ keep: true });
  });

  it("matches one segment with *, including array items, and no deeper", () => {
    const fields = {
      headers: { authorization: "a", cookie: "c" },
      users: [{ name: "ann", token: "t1" }, { name: "bob", token: "t2" }, "plain"],
      deep: { a: { b: { token: "kept" } } },
    };
    expect(logged(["headers.*", "users.*.token", "deep.*.token"], fields)).toEqual({
      headers: { authorization: "[REDACTED]", cookie: "[REDACTED]" },
      users: [{ name: "ann", token: "[REDACTED]" }, { name: "bob", token: "[REDACTED]" }, "plain"],
      deep: { a: { b: { token: "kept" } } },
    });
    expect(logged(["users.1"], fields)).toMatchObject({ users: [{ name: "ann" }, "[REDACTED]", "plain"] });
    expect(logged(["users.*.token"], fields, { remove: true })).toMatchObject({
      users: [{ name: "ann" }, { name: "bob" }, "plain"],
    });
    expect(logged(["users.0"], fields, { remove: true })).toMatchObject({
      users: [{ name: "bob" }, "plain"],
    });
  });

  it("matches any depth with **, the top level included", () => {
    const fields = {
      password: "p0",
      db: { password: "p1", replicas: [{ password: "p2", host: "h" }] },
      keep: { passwords: 1 },
    };
    expect(logged(["**.password"], fields)).toEqual({
      password: "[REDACTED]",
      db: { password: "[REDACTED]", replicas: [{ password: "[REDACTED]", host: "h" }] },
      keep: { passwords: 1 },
    });
    expect(logged(["db.**.host"], fields)).toMatchObject({
      db: { replicas: [{ host: "[REDACTED]", password: "p2" }] },
    });
    expect(logged(["db.**"], fields)).toEqual({ ...fields, db: "[REDACTED]" });
    expect(logged(["**.**.password"], { a: { password: "x" } })).toEqual({ a: { password: "[REDACTED]" } });
    expect(logged(["**"], { a: 1, b: { c: 2 } })).toEqual({ a: "[REDACTED]", b: "[REDACTED]" });
  });

  it("redacts below any depth the walk keeps, since it redacts what the walk keeps", () => {
    let deep: Fields = { password: "hunter2", host: "h" };
    for (let i = 0; i < 70; i++) deep = { next: deep };
    const capture = createLogCapture();
    const log = createLogger({
      outputs: [capture],
      processors: [redact(["**.password"])],
      limits: { maxDepth: 100 },
    });
    log.info("x", { deep, shallow: { password: "p", host: "h" } });
    expect(JSON.stringify(capture.entries[0])).not.toContain("hunter2");
    expect(capture.entries[0]!.shallow).toEqual({ password: "[REDACTED]", host: "h" });
  });

  it("combines wildcards with named keys on the same level", () => {
    const fields = { a: { secret: 1, b: { secret: 2, c: { secret: 3 } } } };
    expect(logged(["a.secret", "a.*.c.secret", "**.b.secret"], fields)).toEqual({
      a: { secret: "[REDACTED]", b: { secret: "[REDACTED]", c: { secret: "[REDACTED]" } } },
    });
  });

  it("redacts fields bound to the logger once per bound logger, not per call", () => {
    const { capture, log } = setup(redact(["user.email", "api_key"]));
    const user = { id: "u-1", email: "ann@example.com" };
    const bound = log.bind({ user, api_key: "k", model: "churn" });
    bound.info("one");
    bound.info("two", { api_key: "call" });
    log.info("unbound");
    expect(capture.entries[0]).toEqual({
      event: "one",
      user: { id: "u-1", email: "[REDACTED]" },
      api_key: "[REDACTED]",
      model: "churn",
    });
    expect(capture.entries[1]).toMatchObject({
      event: "two",
      api_key: "[REDACTED]",
      user: { email: "[REDACTED]" },
    });
    expect(user.email).toBe("ann@example.com");
    expect(bound.bindings.api_key).toBe("k");
    const [first, second, third] = capture.records;
    expect(first!.bindings).toBe(second!.bindings);
    expect(first!.bindings).toEqual({
      user: { id: "u-1", email: "[REDACTED]" },
      api_key: "[REDACTED]",
      model: "churn",
    });
    expect(third!.bindings).toEqual({});
  });

  it("passes the record through as it is when the bound fields hold nothing to redact", () => {
    const { capture, log } = setup(redact(["password"]));
    const bound = log.bind({ model: "churn" });
    bound.info("x");
    expect(capture.entries[0]).toEqual({ event: "x", model: "churn" });
    expect(capture.records[0]!.bindings).toBe(bound.bindings);
  });

  it("removes bound fields with remove: true", () => {
    const { capture, log } = setup(redact(["token"], { remove: true }));
    log.bind({ token: "t", model: "m" }).info("x");
    expect(capture.entries[0]).toEqual({ event: "x", model: "m" });
  });

  it("redacts context fields and Errors' descriptions when it runs after them", () => {
    const { capture, log } = setup(
      mergeContext(),
      formatException(),
      redact(["session", "exception.message", "error"]),
    );
    const context = { session: "s-1" };
    withContext(context, () => log.error("failed", new Error("password=hunter2")));
    expect(capture.entries[0]).toMatchObject({
      session: "[REDACTED]",
      error: "[REDACTED]",
      exception: { message: "[REDACTED]" },
    });
    expect(context.session).toBe("s-1");
  });

  it("walks Maps and class instances, and leaves Errors, Dates and Sets whole", () => {
    class Credentials {
      constructor(
        readonly user: string,
        readonly secret: string,
      ) {}
    }
    const map = new Map<unknown, unknown>([
      ["secret", "m"],
      [1, "one"],
    ]);
    const date = new Date(0);
    const entry = logged(["**.secret", "map.1"], {
      map,
      creds: new Credentials("ann", "s"),
      date,
      set: new Set(["secret"]),
    });
    expect(entry).toEqual({
      map: { secret: "[REDACTED]", 1: "[REDACTED]" },
      creds: { user: "ann", secret: "[REDACTED]" },
      date: "1970-01-01T00:00:00.000Z",
      set: ["secret"],
    });
    expect(map.get("secret")).toBe("m");
    expect(logged(["map.secret"], { map }, { remove: true })).toEqual({ map: { 1: "one" } });
  });

  it("terminates on cyclic objects with **", () => {
    const cyclic: Fields = { token: "t", child: { token: "u" } };
    cyclic.self = cyclic;
    (cyclic.child as Fields).parent = cyclic;
    const entry = logged(["**.token"], { cyclic });
    expect(entry.cyclic).toMatchObject({ token: "[REDACTED]", child: { token: "[REDACTED]" } });
  });

  it("redacts the walked snapshot: what cannot be read is a marker, never the secret", () => {
    const hostile = {
      get secret() {
        throw new Error("no");
      },
    };
    const proxy = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    const { capture, log } = setup(redact(["creds.secret", "**.token"]));
    log.info("x", { creds: hostile, other: proxy, fine: 1 });
    expect(capture.entries[0]).toEqual({
      event: "x",
      creds: { secret: "[REDACTED]" },
      other: "[Unserializable: Error: no keys]",
      fine: 1,
    });
    log.bind({ other: proxy, fine: 1 }).info("y");
    expect(capture.entries[1]).toEqual({ event: "y", other: "[Unserializable: Error: no keys]", fine: 1 });
  });

  it("covers back-references and cycles: req.res.req.headers.authorization under **.authorization", () => {
    const req: Fields = { headers: { authorization: "Bearer s3cret" }, url: "/predict" };
    const res: Fields = { status: 200, req };
    req.res = res;
    const line = JSON.stringify(logged(["**.authorization"], { req, res }));
    expect(line).not.toContain("s3cret");
    expect(line).toContain("[REDACTED]");
  });

  it("redacts exception.message also in error and exception.stacktrace (the README's example)", () => {
    const { capture, log } = setup(formatException(), redact(["exception.message"]));
    log.error("failed", new Error("token=s3cret"));
    const line = JSON.stringify(capture.entries[0]);
    expect(line).not.toContain("s3cret");
    expect(capture.entries[0]).toMatchObject({
      error: "Error: [REDACTED]",
      exception: { message: "[REDACTED]" },
    });
    expect(capture.entries[0]!.exception).toHaveProperty("stacktrace");
  });

  it("reaches into plain-object causes and AggregateError members", () => {
    const { capture, log } = setup(formatException(), redact(["**.password"]));
    log.error("failed", new Error("outer", { cause: { password: "s3cret", user: "ann" } }));
    log.error(
      "failed",
      new AggregateError([Object.assign(new Error("inner"), { password: "s3cret" })], "many"),
    );
    const lines = JSON.stringify(capture.entries);
    expect(lines).not.toContain("s3cret");
    expect(capture.entries[0]!.exception).toMatchObject({ cause: { password: "[REDACTED]", user: "ann" } });
    expect(capture.entries[1]!.exception).toMatchObject({ errors: [{ password: "[REDACTED]" }] });
  });

  it("reads a getter once: one that returns another object on a second read cannot slip a secret through", () => {
    let reads = 0;
    const fields = {
      get creds() {
        reads++;
        return reads === 1 ? { token: "first" } : { token: "s3cret" };
      },
    };
    const { capture, log } = setup(redact(["creds.token"]));
    log.info("x", fields);
    expect(capture.entries[0]).toEqual({ event: "x", creds: { token: "[REDACTED]" } });
    expect(JSON.stringify(capture.records[0]!.fields)).not.toContain("s3cret");
  });

  it("costs maxItems reads for a sparse array with one item at index 1e8", () => {
    const sparse: unknown[] = [];
    sparse[100_000_000] = { token: "s3cret" };
    const entry = logged(["**.token"], { sparse });
    expect(entry.sparse).toHaveLength(1_001);
    expect(JSON.stringify(entry)).not.toContain("s3cret");
  });

  it("leaves no secret anywhere and the caller's fields unchanged, for any nested fields (property)", () => {
    const key = fc.constantFrom("secret", "token", "a", "b", "0");
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.string(),
        fc.integer(),
        fc.array(tie("node"), { maxLength: 3 }),
        fc.dictionary(key, tie("node"), { maxKeys: 4 }),
      ),
    })).node;
    const seen = (node: unknown, found: unknown[]): unknown[] => {
      if (Array.isArray(node)) for (const item of node) seen(item, found);
      else if (typeof node === "object" && node !== null) {
        for (const [k, v] of Object.entries(node)) {
          if (k === "secret") found.push(v);
          seen(v, found);
        }
      }
      return found;
    };
    const processor = redact(["**.secret"]);
    const { capture, log } = setup(processor);
    fc.assert(
      fc.property(fc.dictionary(key, value, { maxKeys: 5 }), (fields) => {
        const before = structuredClone(fields);
        capture.clear();
        log.info("x", fields);
        expect(fields).toEqual(before);
        expect(seen(capture.entries[0], []).every((found) => found === "[REDACTED]")).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("throws at creation on invalid paths or options, naming them", () => {
    expect(() => redact("password" as unknown as string[])).toThrow(/redact\(\): paths must be an array/);
    expect(() => redact([""])).toThrow(/paths\[0\] must be a non-empty string/);
    expect(() => redact(["a", 1 as unknown as string])).toThrow(
      /paths\[1\] must be a non-empty string, got 1/,
    );
    expect(() => redact(["a..b"])).toThrow(/paths\[0\] "a..b" has an empty segment/);
    expect(() => redact(["user.pass*"])).toThrow(/must be whole segments, not part of "pass\*"/);
    expect(() => redact(["a"], { censor: "x" } as unknown as RedactOptions)).toThrow(
      /unknown option "censor"/,
    );
    expect(() => redact(["a"], { replacement: 1 } as unknown as RedactOptions)).toThrow(
      /option replacement must be a string/,
    );
    expect(() => redact(["a"], { remove: "yes" } as unknown as RedactOptions)).toThrow(
      /option remove must be a boolean/,
    );
    expect(() => redact(["a"], { remove: true, replacement: "x" })).toThrow(/exclude each other/);
    expect(() => redact(["a"], null as unknown as RedactOptions)).toThrow(/options must be an object/);
  });
});
