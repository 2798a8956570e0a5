import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../configure.js";
import { getDiagnostics } from "../internal/diagnostics.js";
import { fileOutput } from "./file.js";

const run = promisify(execFile);
const dist = pathToFileURL(fileURLToPath(new URL("../../dist/index.js", import.meta.url))).href;
const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-file-"));
let count = 0;
const tempPath = (name: string) => path.join(root, `case-${++count}`, name);

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

function readLines(file: string): string[] {
  const text = fs.readFileSync(file, "utf8");
  expect(text.endsWith("\n") || text === "").toBe(true);
  return text === "" ? [] : text.slice(0, -1).split("\n");
}

/** Parses every line of `file` and its rotated siblings, oldest file first. */
function readRotated(file: string): { files: string[]; records: Record<string, unknown>[] } {
  const dir = path.dirname(file);
  const base = path.basename(file);
  const rotated = fs
    .readdirSync(dir)
    .filter((name) => name.startsWith(`${base}.`))
    .map((name) => Number(name.slice(base.length + 1)))
    .sort((a, b) => b - a)
    .map((n) => path.join(dir, `${base}.${n}`));
  const files = [...rotated, file];
  const records = files.flatMap((f) =>
    readLines(f).map((line) => JSON.parse(line) as Record<string, unknown>),
  );
  return { files, records };
}

describe("fileOutput()", () => {
  it("appends: two loggers one after the other keep every line, and what the file held before", async () => {
    const file = tempPath("predictions.log");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, '{"event":"from_before"}\n');
    for (const name of ["first", "second"]) {
      const log = createLogger({ name, outputs: [fileOutput({ path: file })] });
      log.info("prediction_complete", { prediction: 0.87 });
      await log.shutdown();
    }
    const records = readLines(file).map((line) => JSON.parse(line));
    expect(records).toMatchObject([
      { event: "from_before" },
      { event: "prediction_complete", logger: "first", level: "info", prediction: 0.87 },
      { event: "prediction_complete", logger: "second", level: "info", prediction: 0.87 },
    ]);
  });

  it("creates missing parent folders", async () => {
    const file = tempPath(path.join("logs", "2026", "01", "predictions.log"));
    const log = createLogger({ outputs: [fileOutput({ path: file })] });
    log.info("service_started", { port: 8080 });
    await log.flush();
    expect(JSON.parse(readLines(file)[0]!)).toMatchObject({ event: "service_started", port: 8080 });
    await log.shutdown();
  });

  it("writes with a custom renderer", async () => {
    const file = tempPath("events.txt");
    const log = createLogger({
      outputs: [fileOutput({ path: file, render: (r) => `${r.level} ${r.event}\n` })],
    });
    log.warn("high_latency_detected");
    await log.shutdown();
    expect(readLines(file)).toEqual(["warn high_latency_detected"]);
  });

  it("rotates by size between lines: every line is kept whole, in order, and no file passes maxBytes", async () => {
    const file = tempPath("predictions.log");
    const maxBytes = 2_000;
    const log = createLogger({ outputs: [fileOutput({ path: file, rotate: { maxBytes, maxFiles: 100 } })] });
    const total = 500;
    for (let i = 0; i < total; i++) {
      // Lines of varied length, some multi-byte, so byte counting (not character counting) matters.
      log.info("prediction_complete", { i, note: "é".repeat(i % 37), prediction: i / total });
    }
    await log.shutdown();
    const { files, records } = readRotated(file);
    expect(files.length).toBeGreaterThan(10);
    expect(records.map((r) => r.i)).toEqual(Array.from({ length: total }, (_, i) => i));
    for (const f of files) expect(fs.statSync(f).size).toBeLessThanOrEqual(maxBytes);
  });

  it("keeps maxFiles rotated files and removes the oldest", async () => {
    const file = tempPath("predictions.log");
    const log = createLogger({
      outputs: [fileOutput({ path: file, rotate: { maxBytes: 1_000, maxFiles: 2 } })],
    });
    const total = 300;
    for (let i = 0; i < total; i++) log.info("prediction_complete", { i });
    await log.shutdown();
    const { files, records } = readRotated(file);
    expect(files.map((f) => path.basename(f))).toEqual([
      "predictions.log.2",
      "predictions.log.1",
      "predictions.log",
    ]);
    // What is left is the newest records, contiguous, ending with the last one.
    const ids = records.map((r) => r.i as number);
    expect(ids.at(-1)).toBe(total - 1);
    expect(ids).toEqual(Array.from({ length: ids.length }, (_, k) => total - ids.length + k));
    expect(ids.length).toBeLessThan(total);
  });

  it("counts the size the file had when opened", async () => {
    const file = tempPath("predictions.log");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ event: "old", pad: "x".repeat(900) })}\n`);
    const log = createLogger({
      outputs: [fileOutput({ path: file, rotate: { maxBytes: 1_000, maxFiles: 1 } })],
    });
    log.info("new_record", { pad: "y".repeat(200) });
    await log.shutdown();
    expect(readLines(`${file}.1`).map((l) => JSON.parse(l).event)).toEqual(["old"]);
    expect(readLines(file).map((l) => JSON.parse(l).event)).toEqual(["new_record"]);
  });

  it("writes a line longer than maxBytes whole, alone in its file", async () => {
    const file = tempPath("predictions.log");
    const log = createLogger({
      outputs: [fileOutput({ path: file, rotate: { maxBytes: 100, maxFiles: 5 } })],
    });
    log.info("small");
    log.info("huge", { blob: "z".repeat(500) });
    log.info("after");
    await log.shutdown();
    const { files, records } = readRotated(file);
    expect(records.map((r) => r.event)).toEqual(["small", "huge", "after"]);
    expect(files).toHaveLength(3);
    expect(readLines(files[1]!)).toHaveLength(1);
  });

  it("keeps appending when rotation fails, counting the failure", async () => {
    const file = tempPath("predictions.log");
    // A non-empty folder where the rotated file must go makes the rename fail.
    fs.mkdirSync(path.join(`${file}.1`, "occupied"), { recursive: true });
    const before = getDiagnostics().outputErrors;
    const log = createLogger({
      outputs: [fileOutput({ path: file, rotate: { maxBytes: 200, maxFiles: 1 } })],
    });
    for (let i = 0; i < 40; i++) log.info("prediction_complete", { i });
    await log.shutdown();
    expect(readLines(file).map((l) => JSON.parse(l).i)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    // Tried again only after another maxBytes, not on every line.
    const failures = getDiagnostics().outputErrors - before;
    expect(failures).toBeGreaterThan(1);
    expect(failures).toBeLessThan(40);
  });

  it("counts records written after shutdown as dropped", async () => {
    const file = tempPath("predictions.log");
    const output = fileOutput({ path: file });
    const log = createLogger({ outputs: [output] });
    log.info("before_shutdown");
    await log.shutdown();
    await output.shutdown();
    const before = getDiagnostics().dropped;
    log.info("after_shutdown");
    log.info("after_shutdown");
    expect(getDiagnostics().dropped - before).toBe(2);
    await output.flush();
    expect(readLines(file).map((l) => JSON.parse(l).event)).toEqual(["before_shutdown"]);
  });

  it("says once on stderr that rotation failed, and once that records came after shutdown", async () => {
    const dir = path.dirname(tempPath("x"));
    const file = path.join(dir, "predictions.log");
    fs.mkdirSync(path.join(`${file}.1`, "occupied"), { recursive: true });
    const script = path.join(dir, "warn.mjs");
    fs.writeFileSync(
      script,
      `import { createLogger, fileOutput, getDiagnostics } from ${JSON.stringify(dist)};
const log = createLogger({ outputs: [fileOutput({ path: process.argv[2], rotate: { maxBytes: 200, maxFiles: 1 } })] });
for (let i = 0; i < 40; i++) log.info("prediction_complete", { i });
await log.shutdown();
log.info("late");
log.info("late");
process.stdout.write(JSON.stringify(getDiagnostics()));
`,
    );
    const { stdout, stderr } = await run(process.execPath, [script, file]);
    expect(JSON.parse(stdout)).toMatchObject({ dropped: 2 });
    const warnings = stderr.trimEnd().split("\n");
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/^mlobs: rotating .*predictions\.log failed \(.+\); still appending to it$/);
    expect(warnings[1]).toMatch(
      /^mlobs: a record was written to .*predictions\.log after shutdown\(\); it was dropped$/,
    );
  });

  it("throws at creation on invalid options, naming the option and the accepted values", () => {
    const file = tempPath("x.log");
    expect(() => fileOutput(undefined as never)).toThrow(
      /expected an options object with any of path, rotate, render/,
    );
    expect(() => fileOutput({ path: "" })).toThrow(/invalid option path "": expected a non-empty file path/);
    expect(() => fileOutput({ path: file, rotation: {} } as never)).toThrow(
      /unknown option "rotation": expected one of path, rotate, render/,
    );
    expect(() => fileOutput({ path: file, render: "json" } as never)).toThrow(/invalid option render/);
    expect(() => fileOutput({ path: file, rotate: 5 } as never)).toThrow(
      /rotate: expected \{ maxBytes, maxFiles \}/,
    );
    expect(() => fileOutput({ path: file, rotate: { maxBytes: 10, maxFiles: 1, keep: 2 } } as never)).toThrow(
      /unknown option rotate.keep: expected one of maxBytes, maxFiles/,
    );
    expect(() => fileOutput({ path: file, rotate: { maxBytes: 0, maxFiles: 1 } })).toThrow(
      /rotate.maxBytes 0: expected an integer >= 1/,
    );
    expect(() => fileOutput({ path: file, rotate: { maxBytes: 10 } } as never)).toThrow(
      /rotate.maxFiles undefined: expected an integer >= 1/,
    );
    expect(fs.existsSync(file)).toBe(false);
  });

  it("writes every buffered line when the process exits right after logging (50,000 lines, process.exit)", async () => {
    const dir = path.dirname(tempPath("x"));
    fs.mkdirSync(dir, { recursive: true });
    const script = path.join(dir, "exit.mjs");
    fs.writeFileSync(
      script,
      `import { createLogger, fileOutput } from ${JSON.stringify(dist)};
const log = createLogger({ outputs: [fileOutput({ path: process.argv[2] }), fileOutput({ path: process.argv[3], rotate: { maxBytes: 1000000, maxFiles: 50 } })] });
for (let i = 0; i < 50000; i++) log.info("prediction_complete", { i, prediction: 0.87, latency_ms: 142 });
process.exit(0);
`,
    );
    const plain = path.join(dir, "plain", "predictions.log");
    const rotating = path.join(dir, "rotating", "predictions.log");
    await run(process.execPath, [script, plain, rotating]);
    const ids = readLines(plain).map((line) => JSON.parse(line).i);
    expect(ids).toHaveLength(50_000);
    expect(ids).toEqual(Array.from({ length: 50_000 }, (_, i) => i));
    const { files, records } = readRotated(rotating);
    expect(files.length).toBeGreaterThan(1);
    expect(records.map((r) => r.i)).toEqual(ids);
  });
});
