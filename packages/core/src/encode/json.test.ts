import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { fileOutput } from "../outputs/file.js";
import { formatException } from "../processors/format-exception.js";
import type { LogRecord } from "../record.js";
import { createLogCapture } from "../testing.js";
import { renderJson } from "./json.js";
import { describeError } from "./walk.js";

describe("renderJson()", () => {
  it("renders a record again after a processor changed it, even when it was rendered before", async () => {
    const capture = createLogCapture();
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-render-")), "out.log");
    const sizes: number[] = [];
    const measure = (record: LogRecord) => {
      sizes.push(renderJson(record).length);
      return record;
    };
    const stamp = (record: LogRecord) => {
      record.fields.stamped = true;
      return record;
    };
    const log = createLogger({
      outputs: [capture, fileOutput({ path: file })],
      processors: [measure, stamp],
    });
    log.info("prediction_complete");
    await log.shutdown();
    expect(sizes).toHaveLength(1);
    const expected = { event: "prediction_complete", stamped: true };
    expect(capture.entries).toEqual([expected]);
    expect(JSON.parse(fs.readFileSync(file, "utf8"))).toEqual(expected);
    fs.rmSync(path.dirname(file), { recursive: true });
  });

  it("writes an Error's description as JSON.stringify does, the same each time it is logged", () => {
    const lines: string[] = [];
    const log = createLogger({
      processors: [formatException()],
      outputs: [
        { write: (r) => void lines.push(renderJson(r)), flush: async () => {}, shutdown: async () => {} },
      ],
    });
    const cause = new TypeError(`quote " backslash \\ tab \t lone \ud800 ${"x".repeat(80)}`);
    const error = Object.assign(new Error("line one\nline two", { cause }), { code: "E_MODEL", attempt: 2 });
    log.error("prediction_failed", error);
    log.error("prediction_failed", { err: error, latency_ms: 12 });
    log.error("prediction_failed", error);
    const first = JSON.parse(lines[0]!);
    expect(first.exception).toEqual(JSON.parse(JSON.stringify(describeError(error))));
    expect(first.error).toBe("Error: line one\nline two");
    expect(lines[2]).toBe(lines[0]);
    const second = JSON.parse(lines[1]!);
    expect(second).not.toHaveProperty("err");
    expect(second.exception).toEqual(first.exception);
    expect(second.latency_ms).toBe(12);
  });

  it("writes each record's own strings when records follow one another with other values at the same places", () => {
    const lines: string[] = [];
    const log = createLogger({
      processors: [],
      outputs: [
        { write: (r) => void lines.push(renderJson(r)), flush: async () => {}, shutdown: async () => {} },
      ],
    });
    const values = ["plain", 'with "quote"', "plain", `${"pla"}in`, "line\nbreak", "x".repeat(300), "plain"];
    for (const value of values)
      log.info(value.length < 20 ? value : "long", { a: value, b: "same", c: value });
    expect(lines.map((line) => JSON.parse(line))).toEqual(
      values.map((value) => ({ event: value.length < 20 ? value : "long", a: value, b: "same", c: value })),
    );
  });
});
