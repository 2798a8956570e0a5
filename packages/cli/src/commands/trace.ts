import { CliError, usageError } from "../cli-error.js";
import { expandInputs } from "../inputs/expand-inputs.js";
import type { Record } from "../inputs/parse-line.js";
import { inputName } from "../inputs/read-lines.js";
import { readRecords } from "../inputs/read-records.js";
import type { Command } from "./command.js";
import { oneOf, parse } from "./parse.js";
import { createRecordRenderer, TIME_FORMATS } from "./render-records.js";

const TRACE_ID = /^[0-9a-f]{32}$/;

/** `mlobs trace`: every record of one trace, across files and services, in time order. */
export const trace: Command = {
  name: "trace",
  summary: "every record of one trace across files and services, in time order",
  help: `Usage: mlobs trace [options] TRACE_ID FILE...

Prints every record whose trace_id is TRACE_ID (32 hex digits) from all FILEs (mlobs JSON lines,
the collector's OTLP/JSON file, .gz, "-" for stdin), oldest first, as mlobs pretty renders them.

Options:
      --json            one JSON record per line instead
      --time FORMAT     short (default), iso or none
  -h, --help            show this help`,
  async run(args) {
    const { values, positionals } = parse("trace", args, {
      json: { type: "boolean" },
      time: { type: "string" },
    });
    const time = oneOf("trace", "time", values.time, TIME_FORMATS, "short");
    const [given, ...inputs] = positionals;
    if (given === undefined) throw usageError("mlobs trace: the TRACE_ID is missing");
    const id = given.toLowerCase();
    if (!TRACE_ID.test(id))
      throw usageError(`mlobs trace: ${JSON.stringify(given)} is not a trace id (32 hex digits)`);
    if (inputs.length === 0) throw usageError('mlobs trace: no FILE given (use "-" for stdin)');
    const files = expandInputs(inputs);
    const found: { at: number; order: number; record: Record }[] = [];
    for (const file of files) {
      // The id is in the line of each of its records (mlobs JSON and OTLP/JSON both write it in
      // lowercase hex): most lines of a large file are never parsed.
      const keys = values.json ? "all" : "service";
      for await (const record of readRecords(file, (text) => text.includes(id), keys)) {
        if (String(record.trace_id).toLowerCase() !== id) continue;
        const at = Date.parse(String(record.timestamp));
        found.push({ at: Number.isNaN(at) ? Number.POSITIVE_INFINITY : at, order: found.length, record });
      }
    }
    if (found.length === 0)
      throw new CliError(`no record of trace ${id} in ${files.map(inputName).join(", ")}`);
    found.sort((a, b) => a.at - b.at || a.order - b.order);
    const render = values.json ? (r: Record) => `${JSON.stringify(r)}\n` : createRecordRenderer(time);
    for (const { record } of found) process.stdout.write(render(record));
    return 0;
  },
};
