/**
 * Runs test/shutdown-child.ts as a real process against an OTLP receiver: bundled once (our sources
 * in, node_modules out) with tsup's esbuild, then forked with the environment a test gives.
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bundle = join(here, "../.cache/test-child/shutdown-child.mjs");
let built: Promise<unknown> | undefined;

/** Bundles the child (once per test file). */
export function buildChild(): Promise<unknown> {
  const require = createRequire(createRequire(import.meta.url).resolve("tsup"));
  const esbuild = require("esbuild") as { build(options: Record<string, unknown>): Promise<unknown> };
  mkdirSync(dirname(bundle), { recursive: true });
  built ??= esbuild.build({
    entryPoints: [join(here, "shutdown-child.ts")],
    outfile: bundle,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    logLevel: "silent",
  });
  return built;
}

/** How the child ends, see test/shutdown-child.ts. */
export type ChildEnd = "signal" | "signal-exit" | "throw" | "exit" | "process-exit" | "shutdown";

/** A running child: what it has logged, its output, and its exit. */
export interface RunningChild {
  child: ChildProcess;
  logged(): number;
  /** When the child said it logged everything (Date.now()), or undefined. */
  doneAt(): number | undefined;
  stderr(): string;
  /** The JSON lines it wrote to stdout. */
  lines(): Record<string, unknown>[];
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** Forks the child against `url` (a receiver's base URL). */
export function runChild(
  url: string,
  end: ChildEnd,
  records: number,
  env: Record<string, string> = {},
): RunningChild {
  const child = fork(bundle, [], {
    env: { ...process.env, RECEIVER_URL: url, CHILD_END: end, RECORDS: String(records), ...env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  let stdoutText = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    stdoutText += chunk.toString();
  });
  let stderr = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let logged = 0;
  let doneAt: number | undefined;
  child.on("message", (message: { logged: number }) => {
    logged = message.logged;
    if (logged >= records) doneAt ??= Date.now();
  });
  return {
    child,
    logged: () => logged,
    doneAt: () => doneAt,
    stderr: () => stderr,
    lines: () =>
      stdoutText
        .split("\n")
        .filter((line) => line !== "")
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    // "close", not "exit": the child's last stdout lines may still be on their way at its exit.
    exited: once(child, "close") as Promise<[number | null, NodeJS.Signals | null]>,
  };
}

/** Waits until `condition` holds, failing if the child exits first. */
export async function until(condition: () => boolean, child: ChildProcess): Promise<void> {
  while (!condition()) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error("the child exited early");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
