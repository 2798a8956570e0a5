import { context } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { InMemoryLogRecordExporter, LoggerProvider, SimpleLogRecordProcessor } from "@opentelemetry/sdk-logs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consoleRenderer,
  createLogger,
  defaultProcessors,
  type Fields,
  getDiagnostics,
  type LogRecord,
  type Output,
  otelOutput,
  type Processor,
  redact,
  renderJson,
  withContext,
} from "./index.js";

// Seeded and reproducible: a failure prints its seed and path, and the same seed replays it.
const SEED = 20_260_101;
const RUNS = Number(process.env.MLOBS_PROPERTY_RUNS ?? 10_000);
const SECRET = "S3CR3T-VALUE";
const MARKER =
  /^(\[Circular\]|NaN|Infinity|-Infinity|\[Unserializable: [\s\S]*\]|[\s\S]*\.\.\.\[truncated \d+ chars\]|\[\d+ more (items|keys)\]|\[Object\]|\[Array\])$/;
const DUPLICATE_KEY = / \[duplicate \d+\]$/;

/** JSON.parse that throws on a key written twice in one object, which JSON.parse itself accepts. */
function parseStrict(text: string): unknown {
  let i = 0;
  const ws = () => {
    while (i < text.length && " \t\n\r".includes(text[i]!)) i++;
  };
  const string = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === "{") {
      i++;
      const out: Record<string, unknown> = {};
      const keys = new Set<string>();
      ws();
      if (text[i] === "}") {
        i++;
        return out;
      }
      for (;;) {
        ws();
        const key = string();
        if (keys.has(key)) throw new Error(`duplicate key ${JSON.stringify(key)} in ${text}`);
        keys.add(key);
        ws();
        i++; // :
        Object.defineProperty(out, key, { value: value(), enumerable: true });
        ws();
        if (text[i++] === "}") return out;
      }
    }
    if (c === "[") {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === "]") {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        if (text[i++] === "]") return out;
      }
    }
    if (c === '"') return string();
    const start = i;
    while (i < text.length && !",}] \n".includes(text[i]!)) i++;
    return JSON.parse(text.slice(start, i));
  };
  JSON.parse(text); // valid JSON first
  const out = value();
  return out;
}

/** Markers in a parsed line: values and keys the walker made. */
function countMarkers(value: unknown): number {
  if (typeof value === "string") return MARKER.test(value) ? 1 : 0;
  if (Array.isArray(value)) return value.reduce((n: number, item) => n + countMarkers(item), 0);
  if (typeof value === "object" && value !== null) {
    let n = 0;
    for (const [key, item] of Object.entries(value))
      n += (DUPLICATE_KEY.test(key) ? 1 : 0) + countMarkers(item);
    return n;
  }
  return 0;
}

const KEYS = ["a", "b", "secret", "name", "message", "type", "__proto__", "0", "1", "toJSON", "err"];
const text = fc.string({ maxLength: 8 }).filter((s) => !MARKER.test(s) && !s.includes(SECRET));
const key = fc.constantFrom(...KEYS);

/** Values as callers pass them: scalars, Maps, Sets, Errors with causes, getters, typed arrays, cycles. */
const { value } = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    text,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.constant(undefined),
    fc.bigInt(),
    fc.date({ noInvalidDate: false }),
    fc.dictionary(key, tie("value"), { maxKeys: 4 }).map(withSecret),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.array(fc.tuple(key, tie("value")), { maxLength: 3 }).map((entries) => withSecretMap(new Map(entries))),
    fc.array(tie("value"), { maxLength: 3 }).map((items) => new Set(items)),
    fc
      .tuple(text, tie("value"))
      .map(([message, cause]) => Object.assign(new Error(message, { cause }), { secret: SECRET })),
    fc.array(tie("value"), { maxLength: 3 }).map(
      (items) =>
        new AggregateError(
          items.map((item) => new Error("m", { cause: item })),
          "agg",
        ),
    ),
    fc.integer({ min: 0, max: 20 }).map((n) => new Float32Array(n)),
    fc.integer({ min: 0, max: 20 }).map((n) => Buffer.alloc(n, 1)),
    fc.nat().map(cyclic),
    fc.nat().map(getterTwice),
    fc.nat().map(longString),
  ),
}));

function withSecret(fields: Record<string, unknown>): Record<string, unknown> {
  if ("secret" in fields) fields.secret = SECRET;
  return fields;
}

function withSecretMap(map: Map<unknown, unknown>): Map<unknown, unknown> {
  if (map.has("secret")) map.set("secret", { nested: SECRET });
  return map;
}

function cyclic(): unknown {
  const req: Record<string, unknown> = { headers: { secret: SECRET } };
  req.res = { req };
  return req;
}

function getterTwice(): unknown {
  let reads = 0;
  return {
    get a() {
      reads++;
      // Another object on every read: redact() and the encoders must see one snapshot.
      return { secret: `${SECRET}-${reads}` };
    },
  };
}

function longString(n: number): string {
  return "x".repeat(60 + (n % 40));
}

const processor: fc.Arbitrary<Processor> = fc.constantFrom<Processor>(
  (record) => record,
  (record) => record.fields as never,
  () => ({}) as never,
  () => undefined as never,
  () => {
    throw new Error("broken processor");
  },
  (record) => ({ ...record, fields: { ...record.fields, added: 1 } }),
);

const exporter = new InMemoryLogRecordExporter();
const provider = new LoggerProvider({ processors: [new SimpleLogRecordProcessor({ exporter })] });
const manager = new AsyncLocalStorageContextManager();
beforeAll(() => {
  context.setGlobalContextManager(manager.enable());
});
afterAll(() => {
  context.disable();
});

interface Written {
  json: string[];
  console: string[];
  records: LogRecord[];
}

function setup(extra: Processor[]): { log: ReturnType<typeof createLogger>; written: Written } {
  const written: Written = { json: [], console: [], records: [] };
  const render = consoleRenderer({ colors: false, time: "none" });
  const output: Output = {
    write(record: LogRecord) {
      written.records.push(record);
      written.json.push(renderJson(record));
      written.console.push(render(record));
    },
    flush: async () => {},
    shutdown: async () => {},
  };
  const log = createLogger({
    level: "debug",
    processors: [...defaultProcessors(), ...extra, redact(["**.secret"])],
    // Small limits, so that every run reaches them cheaply (strings, items, keys, depth).
    // maxKeys stays above what a top-level fields object can reach here: a value the processors
    // made (and counted) and that maxKeys then cut would be a marker made but not written.
    limits: { maxStringLength: 64, maxItems: 8, maxKeys: 16, maxDepth: 5 },
    outputs: [output, otelOutput({ loggerProvider: provider })],
  });
  return { log, written };
}

const call = fc.record({
  level: fc.constantFrom("debug", "info", "warn", "error", "fatal" as const),
  event: fc.string({ maxLength: 20 }),
  fields: fc.dictionary(key, value, { maxKeys: 5 }).map(withSecret),
  bound: fc.option(fc.dictionary(key, value, { maxKeys: 3 }).map(withSecret), { nil: undefined }),
  scoped: fc.option(fc.dictionary(key, value, { maxKeys: 3 }).map(withSecret), { nil: undefined }),
  processors: fc.array(processor, { maxLength: 2 }),
});

describe("the public surface (property, seeded)", () => {
  it(`log calls through bind, withContext, custom processors and every output keep every promise (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(call, ({ level, event, fields, bound, scoped, processors }) => {
        exporter.reset();
        const { log, written } = setup(processors);
        const before = getDiagnostics();
        const started = performance.now();
        const run = () => {
          const logger = bound === undefined ? log : log.bind(bound);
          logger[level](event, fields as Fields);
        };
        expect(() => (scoped === undefined ? run() : withContext(scoped, run))).not.toThrow();
        const elapsed = performance.now() - started;
        const after = getDiagnostics();
        // One valid JSON line per call, no key twice.
        expect(written.json).toHaveLength(1);
        const line = written.json[0]!;
        expect(line.endsWith("}\n")).toBe(true);
        expect(line.slice(0, -1)).not.toContain("\n");
        const parsed = parseStrict(line);
        // One OTel record per call.
        const records = exporter.getFinishedLogRecords();
        expect(records).toHaveLength(1);
        // No redacted secret anywhere: JSON, console, OTel attributes and body.
        expect(line).not.toContain(SECRET);
        expect(written.console[0]).not.toContain(SECRET);
        expect(JSON.stringify(records[0]!.attributes)).not.toContain(SECRET);
        // Every marker written is counted once.
        const counted = after.unencodable - before.unencodable + (after.truncated - before.truncated);
        // Markers are counted when made: a bound value the call's fields override was counted at bind().
        const record = written.records[0]!;
        let overridden = 0;
        for (const key of Object.keys(record.bindings)) {
          if (key === "event" || Object.hasOwn(record.fields, key)) {
            overridden += countMarkers(JSON.parse(JSON.stringify(record.bindings[key]) ?? "null"));
          }
        }
        expect(counted).toBe(countMarkers(parsed) + overridden);
        // Within the limits: generous, a bound on cost, not a benchmark. On a shared machine a pause
        // (GC, another process) can stall one call, so a slow call is tried once more: cost that the
        // limits fail to bound is slow every time.
        let best = elapsed;
        if (best >= 100) {
          const again = setup(processors).log;
          const start = performance.now();
          const logger = bound === undefined ? again : again.bind(bound);
          scoped === undefined
            ? logger[level](event, fields as Fields)
            : withContext(scoped, () => logger[level](event, fields as Fields));
          best = Math.min(best, performance.now() - start);
        }
        expect(best).toBeLessThan(100);
      }),
      { seed: SEED, numRuns: RUNS },
    );
    // 10,000 runs take about 30 s on a shared 2-core machine, longer under coverage.
  }, 600_000);
});
