import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const here = fileURLToPath(new URL(".", import.meta.url));

async function start(env: Record<string, string> = {}): Promise<string> {
  const base = { ...process.env };
  for (const key of ["LOG_FORMAT", "LOG_LEVEL", "FORCE_COLOR", "NO_COLOR", "NODE_ENV"]) delete base[key];
  const { stdout } = await run(process.execPath, ["index.js"], { cwd: here, env: { ...base, ...env } });
  return stdout;
}

/** Parses a console line: `HH:MM:SS.mmm [level] event key=value ...`, values bare or JSON. */
function parseConsoleLine(line: string): Record<string, unknown> {
  const match = /^(\d\d:\d\d:\d\d\.\d{3}) \[(\w+) *\] (\S+) *(.*)$/.exec(line);
  if (match === null) throw new Error(`not a console line: ${JSON.stringify(line)}`);
  const [, time, level, event, rest] = match;
  const record: Record<string, unknown> = { time, level, event };
  for (const pair of rest!.matchAll(/(\w+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    const [, key, value] = pair;
    record[key!] = value!.startsWith('"')
      ? JSON.parse(value!)
      : Number.isNaN(Number(value))
        ? value
        : Number(value);
  }
  return record;
}

describe("examples/first-steps", () => {
  it("prints the tutorial's three events as console lines, fields as key=value, no colors in a pipe", async () => {
    const stdout = await start();
    expect(stdout).not.toContain("\x1b[");
    const records = stdout.trimEnd().split("\n").map(parseConsoleLine);
    expect(records).toMatchObject([
      { level: "info", event: "prediction_complete", prediction: 0.87, latency_ms: 142 },
      { level: "warn", event: "low_confidence", prediction: 0.51, threshold: 0.6 },
      { level: "error", event: "model_failed", error: "ValueError: input has NaN" },
    ]);
    // The fields start in one column, whatever the length of the event name.
    const columns = stdout
      .trimEnd()
      .split("\n")
      .map((line) => line.search(/ \w+=/));
    expect(new Set(columns).size).toBe(1);
  });

  it("colors the levels when FORCE_COLOR is set", async () => {
    const stdout = await start({ FORCE_COLOR: "1" });
    expect(stdout).toContain("\x1b[32minfo");
    expect(stdout).toContain("\x1b[33mwarn");
    expect(stdout).toContain("\x1b[31merror");
  });
});
