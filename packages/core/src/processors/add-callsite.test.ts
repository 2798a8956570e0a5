import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import * as vm from "node:vm";
import { describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import type { Logger } from "../logger.js";
import type { Fields } from "../record.js";
import { createLogCapture } from "../testing.js";
import { type AddCallsiteOptions, addCallsite } from "./add-callsite.js";

const THIS_FILE = relative(process.cwd(), fileURLToPath(import.meta.url));

function setup(options?: AddCallsiteOptions) {
  const capture = createLogCapture();
  const log = createLogger({ outputs: [capture], processors: [addCallsite(options)] });
  return { capture, log };
}

/** The line this is called from, read from a stack trace as V8 (and its source maps) reports it. */
function lineHere(): number {
  const frame = new Error().stack!.split("\n")[2]!;
  return Number(/:(\d+):\d+\)?$/.exec(frame)![1]);
}

describe("addCallsite()", () => {
  it("adds the file, line and function that called the log method, past mlobs's own frames", () => {
    const { capture, log } = setup();
    function handlePrediction(): number {
      const line = lineHere() + 1;
      log.info("prediction_complete");
      return line;
    }
    const line = handlePrediction();
    expect(capture.entries[0]!.callsite).toEqual({ file: THIS_FILE, line, function: "handlePrediction" });
  });

  it("names methods with their class, and leaves anonymous functions unnamed", () => {
    const { capture, log } = setup({ key: "src" });
    class Model {
      predict(): void {
        log.warn("low_confidence_prediction");
      }
    }
    new Model().predict();
    [1].forEach(() => {
      log.info("anonymous");
    });
    const [method, anonymous] = capture.entries.map((entry) => entry.src as Fields);
    expect(method).toMatchObject({ file: THIS_FILE, function: "Model.predict" });
    expect(anonymous!.file).toBe(THIS_FILE);
    expect(anonymous).not.toHaveProperty("function");
  });

  it("skips the frames of wrappers given as ignoreFiles", () => {
    const wrap = vm.runInThisContext("(log) => function wrapper(event) { log.info(event); }", {
      filename: "/opt/app/log-wrapper.js",
    }) as (log: Logger) => (event: string) => void;
    const plain = setup();
    const ignoring = setup({ ignoreFiles: [/log-wrapper\.js$/] });
    wrap(plain.log)("x");
    const line = lineHere() + 1;
    wrap(ignoring.log)("x");
    expect(plain.capture.entries[0]!.callsite).toEqual({
      file: "/opt/app/log-wrapper.js",
      line: 1,
      function: "wrapper",
    });
    expect(ignoring.capture.entries[0]!.callsite).toMatchObject({ file: THIS_FILE, line });
  });

  it("finds the caller even when Error.stackTraceLimit is 0, and restores it", () => {
    const { capture, log } = setup();
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      log.info("x");
    } finally {
      Error.stackTraceLimit = limit;
    }
    expect(capture.entries[0]!.callsite).toMatchObject({ file: THIS_FILE });
    expect(limit).toBeGreaterThan(0);
  });

  it("throws at creation on invalid options, naming them", () => {
    expect(() => addCallsite({ key: "" })).toThrow(
      /addCallsite\(\{ key: "" \}\): expected a non-empty string/,
    );
    expect(() => addCallsite({ ignoreFiles: ["x"] } as unknown as AddCallsiteOptions)).toThrow(
      /ignoreFiles.*array of RegExps/,
    );
    expect(() => addCallsite({ ignore: [/wrapper/] } as unknown as AddCallsiteOptions)).toThrow(
      'mlobs: addCallsite(): unknown option "ignore": expected one of key, ignoreFiles',
    );
  });
});
