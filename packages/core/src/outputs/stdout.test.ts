import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { getDiagnostics } from "../internal/diagnostics.js";
import { reportWriteErrors } from "../internal/sink.js";
import { stdoutOutput } from "./stdout.js";

const run = promisify(execFile);
const dist = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-stdout-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Runs an ES module body that can use the built package as `mlobs`, stdout piped; returns its lines. */
async function runChild(body: string, env: Record<string, string | undefined> = {}): Promise<string[]> {
  const { stdout } = await runChildFull(body, env);
  return stdout === "" ? [] : stdout.replace(/\n$/, "").split("\n");
}

async function runChildFull(body: string, env: Record<string, string | undefined> = {}) {
  const script = path.join(root, `child-${Math.random().toString(36).slice(2)}.mjs`);
  fs.writeFileSync(script, `import * as mlobs from ${JSON.stringify(dist)};\n${body}\n`);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, LOG_FORMAT: undefined, LOG_LEVEL: undefined };
  for (const key of ["FORCE_COLOR", "NO_COLOR", "NODE_ENV"]) delete childEnv[key];
  Object.assign(childEnv, env);
  for (const key of Object.keys(childEnv)) if (childEnv[key] === undefined) delete childEnv[key];
  return run(process.execPath, [script], { env: childEnv, maxBuffer: 256 * 1024 * 1024 });
}

function tempFile(): { file: string; fd: number } {
  const file = path.join(root, `out-${Math.random().toString(36).slice(2)}.log`);
  return { file, fd: fs.openSync(file, "a") };
}

const FIRST_STEPS = `const log = mlobs.createLogger(OPTIONS);
log.info("prediction_complete", { prediction: 0.87, latency_ms: 142 });
log.warn("low_confidence", { prediction: 0.51, threshold: 0.6 });`;

describe("stdoutOutput()", () => {
  it("delivers every line to a pipe when the process exits right after logging (50,000 lines, process.exit)", async () => {
    const lines = await runChild(`const log = mlobs.createLogger({ format: "json" });
for (let i = 0; i < 50000; i++) log.info("prediction_complete", { i, prediction: 0.87, latency_ms: 142 });
process.exit(0);`);
    expect(lines).toHaveLength(50_000);
    const ids = lines.map((line) => JSON.parse(line).i);
    expect(ids).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
  });

  it("writes JSON lines by default when stdout is not a terminal", async () => {
    const lines = await runChild(FIRST_STEPS.replace("OPTIONS", "{}"));
    expect(lines.map((line) => JSON.parse(line))).toMatchObject([
      { level: "info", event: "prediction_complete", prediction: 0.87, latency_ms: 142 },
      { level: "warn", event: "low_confidence", prediction: 0.51, threshold: 0.6 },
    ]);
  });

  it("writes console lines, without colors in a pipe, when LOG_FORMAT=console", async () => {
    const lines = await runChild(FIRST_STEPS.replace("OPTIONS", "{}"), { LOG_FORMAT: "console" });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} \[info \] prediction_complete +prediction=0.87 latency_ms=142$/,
    );
    expect(lines[1]).toMatch(
      /^\d\d:\d\d:\d\d\.\d{3} \[warn \] low_confidence +prediction=0.51 threshold=0.6$/,
    );
  });

  it("colors console lines when FORCE_COLOR is set, even in a pipe", async () => {
    const lines = await runChild(FIRST_STEPS.replace("OPTIONS", "{}"), {
      LOG_FORMAT: "console",
      FORCE_COLOR: "1",
    });
    expect(lines[0]).toContain("\x1b[32minfo \x1b[0m");
  });

  it("lets the format option win over LOG_FORMAT, both ways", async () => {
    const json = await runChild(FIRST_STEPS.replace("OPTIONS", '{ format: "json" }'), {
      LOG_FORMAT: "console",
    });
    expect(JSON.parse(json[0]!)).toMatchObject({ event: "prediction_complete" });
    const console = await runChild(FIRST_STEPS.replace("OPTIONS", '{ format: "console" }'), {
      LOG_FORMAT: "json",
    });
    expect(console[0]).toMatch(/\[info \] prediction_complete/);
  });

  it("rejects an unknown LOG_FORMAT at creation, naming the accepted values", async () => {
    const lines = await runChild(
      `try { mlobs.createLogger(); } catch (error) { process.stdout.write(error.message + "\\n"); }`,
      { LOG_FORMAT: "xml" },
    );
    expect(lines).toEqual(['mlobs: invalid LOG_FORMAT "xml": expected one of json, console']);
  });

  it("writes JSON, console or a custom rendering to the descriptor it is given, in call order", async () => {
    const { file, fd } = tempFile();
    const json = stdoutOutput({ fd });
    const console = stdoutOutput({ fd, format: "console" });
    const custom = stdoutOutput({ fd, render: (r) => `custom ${r.event}\n` });
    const log = createLogger({ outputs: [json, console, custom] });
    log.info("model_loaded", { model: "churn-v3" });
    await log.shutdown();
    fs.closeSync(fd);
    const lines = fs.readFileSync(file, "utf8").trimEnd().split("\n");
    expect(JSON.parse(lines[0]!)).toMatchObject({ event: "model_loaded", model: "churn-v3" });
    expect(lines[1]).toMatch(/\[info \] model_loaded +model=churn-v3$/);
    expect(lines[2]).toBe("custom model_loaded");
  });

  it("throws at creation on invalid options, naming the option and the accepted values", () => {
    expect(() => stdoutOutput({ format: "pretty" } as never)).toThrow(
      'mlobs: stdoutOutput(): invalid option format "pretty": expected one of json, console',
    );
    expect(() => stdoutOutput({ colors: true } as never)).toThrow(
      'mlobs: stdoutOutput(): unknown option "colors": expected one of format, render, fd',
    );
    expect(() => stdoutOutput({ render: "json" } as never)).toThrow(
      "mlobs: stdoutOutput(): invalid option render: expected a function (record) => string",
    );
    expect(() => stdoutOutput({ fd: "2" } as never)).toThrow(
      'mlobs: stdoutOutput(): invalid option fd "2": expected a file descriptor (an integer >= 0)',
    );
  });

  it("follows LOG_FORMAT (any case) without a format option, as the default output does", async () => {
    const body =
      'mlobs.createLogger({ outputs: [mlobs.stdoutOutput()] }).info("model_loaded", { model: "churn" });';
    const [consoleLine] = await runChild(body, { LOG_FORMAT: "Console" });
    expect(() => JSON.parse(consoleLine as string)).toThrow();
    expect(consoleLine).toContain("model_loaded");
    const [jsonLine] = await runChild(body, { LOG_FORMAT: "JSON" });
    expect(JSON.parse(jsonLine as string)).toMatchObject({ event: "model_loaded", model: "churn" });
  });

  it("counts lines a failed write lost", () => {
    const before = getDiagnostics();
    const report = reportWriteErrors("a test destination");
    report(new Error("EBADF: bad file descriptor"), 3);
    report(new Error("EBADF: bad file descriptor"), 2);
    const after = getDiagnostics();
    expect(after.dropped - before.dropped).toBe(5);
    expect(after.outputErrors - before.outputErrors).toBe(2);
  });

  it("says on stderr how many records a failed write lost, even at exit", async () => {
    const { stdout, stderr } = await runChildFull(`import * as fs from "node:fs";
const log = mlobs.createLogger({ format: "json" });
fs.closeSync(1);
log.info("lost_one");
log.info("lost_two");
process.exit(0);`);
    expect(stdout).toBe("");
    expect(stderr).toMatch(/^mlobs: writing to fd 1 failed \(EBADF[^)]*\); 2 records lost \(2 in total\)\n$/);
  });
});
