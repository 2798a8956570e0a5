import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { CliError } from "../cli-error.js";
import { TEMPLATE_FILES } from "../init/template-files.js";
import type { Command } from "./command.js";
import { parse } from "./parse.js";

/** Where the build puts the template files: `dist/templates`, beside the bundled command. */
const TEMPLATES_DIR = fileURLToPath(new URL("./templates/", import.meta.url));

/** `mlobs init`: the collector config, compose file and backend overlays, written into a project. */
export const init: Command = {
  name: "init",
  summary: "write otel-collector.yaml, docker-compose.yml and the backend overlays into a project",
  help: `Usage: mlobs init [options] [DIR]

Writes the local collector stack into DIR (default: the current directory):
${TEMPLATE_FILES.map((f) => `  ${f}`).join("\n")}
These are the files the mlobs repository runs and tests. Existing files are left alone unless
--force is given.

Options:
      --force           overwrite files that exist
  -h, --help            show this help`,
  async run(args) {
    const { values, positionals } = parse("init", args, { force: { type: "boolean" } });
    const dir = positionals[0] ?? ".";
    if (positionals.length > 1) throw new CliError("mlobs init: one DIR at most", 2);
    if (!existsSync(join(TEMPLATES_DIR, TEMPLATE_FILES[0]))) {
      throw new CliError(`the templates are missing from ${TEMPLATES_DIR}: build the package first`);
    }
    const targets = TEMPLATE_FILES.map((file) => ({ file, target: join(dir, file) }));
    const existing = targets.filter(({ target }) => existsSync(target));
    if (existing.length > 0 && !values.force) {
      throw new CliError(
        `${existing.map((e) => e.target).join(", ")} already ${existing.length === 1 ? "exists" : "exist"}: pass --force to overwrite`,
      );
    }
    for (const { file, target } of targets) {
      mkdirSync(dirname(target), { recursive: true });
      copyFileSync(join(TEMPLATES_DIR, file), target);
      process.stdout.write(`wrote ${relative(".", target) || target}\n`);
    }
    process.stdout.write(
      "\nnext: docker compose up (see the comments at the top of docker-compose.yml), then send OTLP to http://localhost:4318\n",
    );
    return 0;
  },
};
