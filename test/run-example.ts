import { spawn } from "node:child_process";

/** A parsed JSON line of an example's stdout. */
export type Entry = Record<string, unknown>;

/** What an example printed and how it ended. */
export interface ExampleRun {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Each non-empty stdout line, parsed as JSON. */
  entries: Entry[];
}

/**
 * Runs `node index.js` in an example's folder as a user would (NODE_ENV=production, no OTEL_*
 * variables inherited from the test runner, plus `env`) and collects its output. An example still
 * running after `timeoutMs` is killed and the run fails with what it printed to stderr.
 */
export async function runExample(
  dir: string,
  env: Record<string, string> = {},
  timeoutMs = 45_000,
): Promise<ExampleRun> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_")),
  );
  const child = spawn(process.execPath, ["index.js"], {
    cwd: dir,
    env: { ...inherited, NODE_ENV: "production", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  // Below vitest's 60 s test timeout, which would fail the test but leave the example running.
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill("SIGKILL");
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", resolve);
  }).finally(() => clearTimeout(timer));
  if (timedOut) throw new Error(`${dir}: still running after ${timeoutMs} ms, killed\n${stderr}`);
  return { code, stdout, stderr, entries: parseLines(stdout) };
}

/** Parses JSON lines, failing with the line that is not JSON. */
export function parseLines(text: string): Entry[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => {
      try {
        return JSON.parse(line) as Entry;
      } catch {
        throw new Error(`not a JSON line: ${line}`);
      }
    });
}
