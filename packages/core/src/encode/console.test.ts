import { ROOT_CONTEXT } from "@opentelemetry/api";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Level } from "../levels.js";
import { createBindings } from "../logger.js";
import { addLogLevel } from "../processors/add-log-level.js";
import { addTimestamp } from "../processors/add-timestamp.js";
import { formatException } from "../processors/format-exception.js";
import type { Fields, LogRecord } from "../record.js";
import { consoleRenderer } from "./console.js";

// 2026-01-02T03:04:05.678Z; the short time is local, so the tests run in UTC.
const TIME = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
const ANSI = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`);

function record(
  level: Level,
  event: string,
  fields: Fields = {},
  options: { logger?: string; bound?: Fields } = {},
) {
  return {
    time: TIME,
    level,
    event,
    logger: options.logger,
    context: ROOT_CONTEXT,
    bindings: createBindings(options.bound ?? {}),
    fields: { timestamp: new Date(TIME).toISOString(), level, ...fields },
  } satisfies LogRecord;
}

/** Logs through a real logger and returns the console lines it rendered. */
function renderThroughLogger(log: (logger: ReturnType<typeof createLogger>) => void): string {
  const render = consoleRenderer({ colors: false, time: "none" });
  let out = "";
  const logger = createLogger({
    processors: [addLogLevel(), addTimestamp(), formatException()],
    outputs: [
      {
        write: (r) => {
          out += render(r);
        },
        flush: async () => {},
        shutdown: async () => {},
      },
    ],
  });
  log(logger);
  return out;
}

const saved = { ...process.env };
beforeAll(() => {
  process.env.TZ = "UTC";
});
afterEach(() => {
  for (const key of ["FORCE_COLOR", "NO_COLOR"]) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

describe("consoleRenderer()", () => {
  const plain = consoleRenderer({ colors: false });

  it("renders the tutorial's first steps as aligned lines: time, level, event, fields", () => {
    const lines = [
      plain(record("info", "prediction_complete", { prediction: 0.87, latency_ms: 142 })),
      plain(record("warn", "low_confidence", { prediction: 0.51, threshold: 0.6 })),
      plain(record("error", "model_failed", { error: "ValueError: input has NaN" })),
    ];
    expect(lines).toEqual([
      "03:04:05.678 [info ] prediction_complete            prediction=0.87 latency_ms=142\n",
      "03:04:05.678 [warn ] low_confidence                 prediction=0.51 threshold=0.6\n",
      '03:04:05.678 [error] model_failed                   error="ValueError: input has NaN"\n',
    ]);
  });

  it("shows the logger name in brackets and bound fields before the call's, the call's winning", () => {
    const line = plain(
      record(
        "info",
        "prediction_complete",
        { prediction: 0.87, model_version: "v2.2" },
        {
          logger: "ml_model",
          bound: { model_version: "v2.1", user_id: "u-1" },
        },
      ),
    );
    expect(line).toBe(
      "03:04:05.678 [info ] prediction_complete            [ml_model] user_id=u-1 prediction=0.87 model_version=v2.2\n",
    );
  });

  it("quotes strings only when needed and writes other values as JSON", () => {
    const line = consoleRenderer({ colors: false, time: "none", padEvent: 0 })(
      record("debug", "values", {
        simple: "churn-v3",
        spaced: "two words",
        empty: "",
        quote: 'say "hi"',
        equals: "a=b",
        list: [1, "x"],
        nested: { a: { b: null } },
        big: 10n,
        nan: Number.NaN,
        yes: true,
        gone: undefined,
        "odd key": 1,
      }),
    );
    expect(line).toBe(
      '[debug] values simple=churn-v3 spaced="two words" empty="" quote="say \\"hi\\"" equals="a=b" ' +
        'list=[1,"x"] nested={"a":{"b":null}} big="10" nan="NaN" yes=true "odd key"=1\n',
    );
  });

  it("writes the time as ISO-8601 UTC when asked, and no trailing blanks after a bare event", () => {
    const line = consoleRenderer({ colors: false, time: "iso" })(record("fatal", "shutdown"));
    expect(line).toBe("2026-01-02T03:04:05.678Z [fatal] shutdown\n");
  });

  it("writes the exception's stack indented below the line, with its cause chain", () => {
    const out = renderThroughLogger((log) => {
      const root = new RangeError("feature out of range");
      log.error("model_failed", { err: new TypeError("input has NaN", { cause: root }), model: "churn-v3" });
    });
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe(
      '[error] model_failed                   model=churn-v3 error="TypeError: input has NaN"',
    );
    expect(lines[1]).toBe("    TypeError: input has NaN");
    expect(lines[2]).toMatch(/^ {4}\s+at /);
    const causedAt = lines.indexOf("    Caused by: RangeError: feature out of range");
    expect(causedAt).toBeGreaterThan(2);
    expect(lines[causedAt + 1]).toMatch(/^ {4}\s+at /);
    // Every line below the first belongs to the exception: indented, none lost to the next record.
    expect(lines.slice(1).every((l) => l.startsWith("    "))).toBe(true);
  });

  it("writes aggregated errors and non-Error causes below the line", () => {
    const out = renderThroughLogger((log) => {
      const batch = new AggregateError([new Error("row 1 failed"), "row 2 timed out"], "batch failed", {
        cause: "upstream 503",
      });
      log.error("batch_failed", batch);
    });
    expect(out).toContain("\n        [0] Error: row 1 failed\n");
    expect(out).toContain("\n        [1] row 2 timed out\n");
    expect(out).toContain("\n    Caused by: upstream 503\n");
  });

  it("writes an Error field's stack even without formatException in the chain", () => {
    const render = consoleRenderer({ colors: false, time: "none", padEvent: 0 });
    const error = new Error("disk full", { cause: new Error("quota") });
    const out = render(record("error", "save_failed", { err: error }));
    const lines = out.trimEnd().split("\n");
    expect(lines[0]).toBe('[error] save_failed err="Error: disk full"');
    expect(lines[1]).toBe("    Error: disk full");
    expect(out).toContain("\n    Caused by: Error: quota\n");
  });

  it("renders an exception without a stack as type and message, and a non-exception value as a field", () => {
    const render = consoleRenderer({ colors: false, time: "none", padEvent: 0 });
    expect(render(record("error", "failed", { exception: { type: "ValueError", message: "bad" } }))).toBe(
      "[error] failed\n    ValueError: bad\n",
    );
    expect(render(record("error", "failed", { exception: "plain text" }))).toBe(
      '[error] failed exception="plain text"\n',
    );
  });

  it("never throws: a field that defeats iteration gives a line that says so", () => {
    const hostile = new Proxy(
      {},
      {
        ownKeys() {
          throw new Error("no keys");
        },
      },
    );
    const broken = { ...record("info", "hostile"), fields: hostile };
    const line = plain(broken);
    expect(line).toBe("hostile [console rendering failed: Error: no keys]\n");
    expect(
      plain(
        record("info", "cyclic", {
          self: (() => {
            const a: Fields = {};
            a.a = a;
            return a;
          })(),
        }),
      ),
    ).toBe('03:04:05.678 [info ] cyclic                         self={"a":"[Circular]"}\n');
  });

  it("colors level, event, keys and values when colors are on", () => {
    const colored = consoleRenderer({ colors: true, time: "short" });
    const line = colored(record("info", "prediction_complete", { prediction: 0.87 }, { logger: "ml_model" }));
    expect(line).toContain("\x1b[2m03:04:05.678\x1b[0m");
    expect(line).toContain("[\x1b[32minfo \x1b[0m]");
    expect(line).toContain("\x1b[1mprediction_complete");
    expect(line).toContain("\x1b[34m[ml_model]\x1b[0m");
    expect(line).toContain("\x1b[36mprediction\x1b[0m=\x1b[35m0.87\x1b[0m");
    expect(colored(record("fatal", "down"))).toContain("\x1b[31m\x1b[1mfatal\x1b[0m");
    expect(colored(record("debug", "x"))).toContain("\x1b[34mdebug");
    expect(colored(record("warn", "x"))).toContain("\x1b[33mwarn");
    expect(colored(record("error", "x"))).toContain("\x1b[31merror");
    const failed = colored(
      record("error", "failed", {
        exception: { type: "Error", message: "boom", stacktrace: "Error: boom\n    at f (x.js:1:1)" },
      }),
    );
    expect(failed).toContain("\n\x1b[31m    Error: boom\x1b[0m\n\x1b[2m        at f (x.js:1:1)\x1b[0m\n");
    // Without colors, not one escape code.
    expect(plain(record("info", "prediction_complete", { prediction: 0.87 }))).not.toMatch(ANSI);
  });

  it("chooses colors from FORCE_COLOR, then NO_COLOR, then whether stdout is a terminal", () => {
    const colorsOf = () => ANSI.test(consoleRenderer()(record("info", "x")));
    const tty = Object.getOwnPropertyDescriptor(process.stdout, "isTTY");
    try {
      Object.defineProperty(process.stdout, "isTTY", { value: true, configurable: true });
      delete process.env.FORCE_COLOR;
      delete process.env.NO_COLOR;
      expect(colorsOf()).toBe(true);
      process.env.NO_COLOR = "1";
      expect(colorsOf()).toBe(false);
      process.env.FORCE_COLOR = "1";
      expect(colorsOf()).toBe(true);
      process.env.FORCE_COLOR = "0";
      expect(colorsOf()).toBe(false);
      Object.defineProperty(process.stdout, "isTTY", { value: false, configurable: true });
      delete process.env.FORCE_COLOR;
      delete process.env.NO_COLOR;
      expect(colorsOf()).toBe(false);
      process.env.FORCE_COLOR = "";
      expect(colorsOf()).toBe(true);
      process.env.FORCE_COLOR = "false";
      expect(colorsOf()).toBe(false);
    } finally {
      if (tty) Object.defineProperty(process.stdout, "isTTY", tty);
      else delete (process.stdout as { isTTY?: boolean }).isTTY;
    }
  });

  it("throws at creation on invalid options, naming the option and the accepted values", () => {
    expect(() => consoleRenderer({ colour: true } as never)).toThrow(
      /unknown option "colour": expected one of colors, time, padEvent/,
    );
    expect(() => consoleRenderer({ colors: "yes" } as never)).toThrow(
      /colors: "yes".*expected true or false/,
    );
    expect(() => consoleRenderer({ time: "local" } as never)).toThrow(
      /time: "local".*expected one of short, iso, none/,
    );
    expect(() => consoleRenderer({ padEvent: -1 })).toThrow(/padEvent: -1.*integer >= 0/);
    expect(() => consoleRenderer(null as never)).toThrow(/expected an object/);
  });

  it("escapes control characters: an event, a value or a message cannot forge a line or a color", () => {
    const esc = String.fromCharCode(27);
    const out = renderThroughLogger((log) => {
      log.info("ok\n[error] forged", { note: `a\rb${esc}[31mred`, key_ok: 1 });
      log.error("failed", new Error("boom\n[info ] fake"));
    });
    const lines = out.split("\n").filter((line) => line !== "");
    expect(lines[0]).toContain("ok\\n[error] forged");
    expect(lines.some((line) => line.startsWith("[error] forged"))).toBe(false);
    expect(out).not.toContain(esc);
    expect(out).not.toContain("\r");
    // The stack keeps its own line breaks; the message's newline cannot start a record of its own.
    expect(lines.some((line) => line.startsWith("[info ] fake"))).toBe(false);
  });
});
