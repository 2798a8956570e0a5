import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-file-logging-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the example with its file at `file`, in a clean logging environment. */
function start(file: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, MLOBS_LOG_FILE: file };
  for (const key of ["LOG_FORMAT", "LOG_LEVEL", "NODE_ENV"]) delete env[key];
  return run(process.execPath, ["index.js"], { cwd: here, env });
}

const parseLines = (text: string) =>
  text
    .trimEnd()
    .split("\n")
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("examples/file-logging", () => {
  it("writes the same two records to stdout and to the file, and says where the file is", async () => {
    const file = path.join(tmp, "logs", "predictions.log");
    const { stdout, stderr } = await start(file);
    const printed = parseLines(stdout);
    expect(printed).toEqual([
      {
        timestamp: expect.any(String),
        level: "info",
        event: "service_started",
        port: 8080,
        model_version: "churn-v3",
      },
      {
        timestamp: expect.any(String),
        level: "warn",
        event: "high_latency_detected",
        latency_ms: 850,
        threshold_ms: 500,
      },
    ]);
    expect(parseLines(fs.readFileSync(file, "utf8"))).toEqual(printed);
    expect(stderr).toBe(`The same records were appended to ${file}\n`);
  });

  it("appends: a second run adds its records after the first run's", async () => {
    const file = path.join(tmp, "appended.log");
    await start(file);
    await start(file);
    expect(parseLines(fs.readFileSync(file, "utf8")).map((r) => r.event)).toEqual([
      "service_started",
      "high_latency_detected",
      "service_started",
      "high_latency_detected",
    ]);
  });
});
