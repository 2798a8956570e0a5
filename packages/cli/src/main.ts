import { CliError, EXIT_FAILURE, EXIT_USAGE } from "./cli-error.js";
import type { Command } from "./commands/command.js";
import { init } from "./commands/init.js";
import { pretty } from "./commands/pretty.js";
import { query } from "./commands/query.js";
import { report } from "./commands/report.js";
import { trace } from "./commands/trace.js";

const COMMANDS: readonly Command[] = [pretty, query, report, trace, init];

const HELP = `Usage: mlobs <command> [options] [FILE...]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)}${c.summary}`).join("\n")}

FILE: mlobs JSON lines (stdout captures, fileOutput files), the collector's file exporter output
(OTLP/JSON, one batch per line), .gz files, quoted globs ("logs/*.jsonl"), or "-" for stdin.
Run "mlobs <command> --help" for a command's options. Exit codes: 0 done, 1 failed, 2 usage.`;

/**
 * Runs the `mlobs` command line (the arguments after the program name) and resolves to its exit
 * code: 0 done, 1 failed (one line on stderr naming the input), 2 usage.
 * @example
 * process.exitCode = await main(["report", "logs/predictions.log"]);
 */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === "--help" || name === "-h" || name === "help") {
    const out = name === undefined ? process.stderr : process.stdout;
    out.write(`${HELP}\n`);
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (command === undefined) {
    process.stderr.write(
      `mlobs: unknown command ${JSON.stringify(name)} (commands: ${COMMANDS.map((c) => c.name).join(", ")})\n`,
    );
    return EXIT_USAGE;
  }
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(`${command.help}\n`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CliError) {
      const hint = error.exitCode === EXIT_USAGE ? ` (mlobs ${name} --help)` : "";
      process.stderr.write(`mlobs ${name}: ${error.message.replace(/^mlobs \w+: /, "")}${hint}\n`);
      return error.exitCode;
    }
    // A bug of ours still gets one line, and the stack only when asked for.
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(`mlobs ${name}: unexpected error: ${message.split("\n")[0]}\n`);
    if (process.env.MLOBS_DEBUG) process.stderr.write(`${(error as Error)?.stack}\n`);
    return EXIT_FAILURE;
  }
}
