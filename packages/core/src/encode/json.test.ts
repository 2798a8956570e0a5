import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { fileOutput } from "../outputs/file.js";
import type { LogRecord } from "../record.js";
import { createLogCapture } from "../testing.js";
import { renderJson } from "./json.js";

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
});
