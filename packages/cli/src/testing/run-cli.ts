import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built command (`pnpm build` first), run as a user runs it. */
export const CLI_BIN = fileURLToPath(new URL("../../dist/bin.js", import.meta.url));
/** The built prediction service the tests log through (test/predict-service.mjs). */
export const PREDICT_SERVICE = fileURLToPath(new URL("../../test/predict-service.mjs", import.meta.url));

/** What one run of the command left. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `mlobs ARGS` in a child process, with `input` on its stdin, colors off unless env says otherwise. */
export function runCli(
  args: readonly string[],
  options: { input?: string | Buffer; env?: Record<string, string>; cwd?: string } = {},
): Promise<CliRun> {
  // FORCE_COLOR set to anything but 0 or false turns colors on: it must be absent, not empty.
  const { FORCE_COLOR: _, ...inherited } = process.env;
  const child = spawn(process.execPath, [CLI_BIN, ...args], {
    cwd: options.cwd,
    env: { ...inherited, NO_COLOR: "1", TZ: "UTC", ...options.env },
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (s: string) => {
    stdout += s;
  });
  child.stderr.setEncoding("utf8").on("data", (s: string) => {
    stderr += s;
  });
  child.stdin.end(options.input ?? "");
  return new Promise((done) => child.once("close", (code) => done({ code, stdout, stderr })));
}

/** Parses JSON lines. */
export function jsonLines(text: string): Record<string, unknown>[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}
