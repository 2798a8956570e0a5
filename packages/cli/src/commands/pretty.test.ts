import { spawn } from "node:child_process";
import { appendFileSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { consoleRenderer, createLogger, defaultProcessors, fileOutput, type Output } from "@mlobs/core";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../../../../test/e2e/collector.js";
import { CLI_BIN, runCli } from "../testing/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-pretty-"));

/** Logs the same records to a JSON-lines file and through core's console renderer, in process. */
async function logBoth(file: string): Promise<string> {
  const render = consoleRenderer({ colors: false, time: "iso" });
  let rendered = "";
  const consoleOutput: Output = {
    write: (record) => {
      rendered += render(record);
    },
    flush: async () => {},
    shutdown: async () => {},
  };
  const output = fileOutput({ path: file });
  const log = createLogger({
    name: "ml_model",
    processors: defaultProcessors(),
    outputs: [output, consoleOutput],
  });
  const bound = log.bind({ model_version: "v2.1", user_id: "u-1" });
  bound.info("prediction_complete", { prediction: 0.87, latency_ms: 142, note: "two words" });
  bound.warn("low_confidence_prediction", { prediction: 0.51, confidence: 0.51, features: { age: 3 } });
  bound.error("prediction_failed", { err: new TypeError("input has NaN", { cause: new RangeError("age") }) });
  createLogger({ processors: defaultProcessors(), outputs: [output, consoleOutput] }).debug("bare");
  await output.shutdown();
  return rendered;
}

describe("mlobs pretty", () => {
  it("renders JSON lines as core's console renderer renders the same records", async () => {
    const file = join(dir, "known.jsonl");
    const expected = await logBoth(file);
    expect(expected.split("\n").length).toBeGreaterThan(6); // the stack trace is there
    const fromFile = await runCli(["pretty", "--time", "iso", file]);
    expect(fromFile.stderr).toBe("");
    expect(fromFile.code).toBe(0);
    expect(fromFile.stdout).toBe(expected);
    const fromStdin = await runCli(["pretty", "--time", "iso"], { input: `${file}` });
    expect(fromStdin.stdout).toBe(`${file}\n`); // a line that is not JSON passes through
  });

  it("passes lines that are not JSON records through unchanged, between rendered ones", async () => {
    const input = [
      "> service starting",
      '{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","event":"ready","port":8080}',
      "[1, 2]",
      "{not json",
      "",
      "   indented text",
    ].join("\n");
    const run = await runCli(["pretty", "--time", "iso"], { input });
    expect(run.code).toBe(0);
    expect(run.stdout.split("\n")).toEqual([
      "> service starting",
      "2026-01-02T03:04:05.678Z [info ] ready                          port=8080",
      "[1, 2]",
      "{not json",
      "",
      "   indented text",
      "",
    ]);
  });

  it("colors by FORCE_COLOR and not under NO_COLOR", async () => {
    const input = '{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","event":"ready"}\n';
    const forced = await runCli(["pretty"], { input, env: { FORCE_COLOR: "1" } });
    const plain = await runCli(["pretty"], { input, env: { NO_COLOR: "1" } });
    expect(forced.stdout).toContain("\x1b[");
    expect(plain.stdout).not.toContain("\x1b[");
  });

  const children: ReturnType<typeof spawn>[] = [];
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  it("-f shows the lines appended to a growing file, a record written in two pieces once whole", async () => {
    const file = join(dir, "growing.jsonl");
    writeFileSync(file, '{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","event":"first"}\n');
    const { FORCE_COLOR: _, ...env } = process.env;
    const child = spawn(process.execPath, [CLI_BIN, "pretty", "-f", "--time", "none", file], {
      env: { ...env, NO_COLOR: "1" },
    });
    children.push(child);
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (s: string) => {
      out += s;
    });
    await waitFor(() => out.includes("first"), 20_000, 20);
    appendFileSync(file, '{"level":"warn","event":"sec');
    appendFileSync(file, 'ond","n":2}\nplain text\n');
    await waitFor(() => out.includes("plain text"), 20_000, 20);
    child.kill("SIGTERM");
    expect(out.split("\n")).toEqual([
      "[info ] first",
      "[warn ] second                         n=2",
      "plain text",
      "",
    ]);
  });
});
