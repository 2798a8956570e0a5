import { closeSync, openSync, readSync, statSync } from "node:fs";
import { StringDecoder } from "node:string_decoder";
import { usageError } from "../cli-error.js";
import { expandInputs, STDIN } from "../inputs/expand-inputs.js";
import { parseLine } from "../inputs/parse-line.js";
import { isGzipFile, readLines } from "../inputs/read-lines.js";
import type { Command } from "./command.js";
import { oneOf, parse } from "./parse.js";
import { createRecordRenderer, TIME_FORMATS } from "./render-records.js";

const FOLLOW_POLL_MS = 200;

/** `mlobs pretty`: core's console renderer over JSON lines, OTLP batches or stdin; other lines as they are. */
export const pretty: Command = {
  name: "pretty",
  summary: "render JSON-lines or OTLP logs for people (stdin or files; -f follows)",
  help: `Usage: mlobs pretty [options] [FILE...]

Renders each record as core's console renderer does (time, level, event, key=value fields,
exception stacks below the line). Reads stdin when no FILE is given, or for "-". Lines that are
not JSON records pass through unchanged. Records of the collector's OTLP file show service_name
of their resource attributes. Colors when stdout is a terminal; NO_COLOR turns them off,
FORCE_COLOR on.

Options:
  -f, --follow          keep reading each FILE as it grows (like tail -f)
      --time FORMAT     short (local HH:MM:SS.mmm, default), iso or none
  -h, --help            show this help`,
  async run(args) {
    const { values, positionals } = parse("pretty", args, {
      follow: { type: "boolean", short: "f" },
      time: { type: "string" },
    });
    const time = oneOf("pretty", "time", values.time, TIME_FORMATS, "short");
    const files = expandInputs(positionals.length === 0 ? [STDIN] : positionals);
    const render = createRecordRenderer(time);
    const show = (text: string): void => {
      const records = parseLine(text, "service");
      if (records === undefined) process.stdout.write(`${text}\n`);
      else for (const record of records) process.stdout.write(render(record));
    };
    if (values.follow) {
      for (const file of files) {
        if (file === STDIN) throw usageError("mlobs pretty: -f follows files; stdin is followed anyway");
        if (isGzipFile(file)) throw usageError(`mlobs pretty: -f cannot follow ${file}: it is gzip`);
      }
      await Promise.all(files.map((file) => follow(file, show)));
      return 0;
    }
    for (const file of files) for await (const { text } of readLines(file)) show(text);
    return 0;
  },
};

/**
 * Shows the file's lines, then polls it for appended ones until the process is stopped. A line is
 * shown once its newline is written; a file cut shorter (truncated, or rotated and recreated) is
 * read again from its start.
 */
function follow(file: string, show: (text: string) => void): Promise<never> {
  let position = 0;
  let partial = "";
  // A character whose bytes straddle two reads is decoded once both are in.
  let decoder = new StringDecoder("utf8");
  const buffer = Buffer.alloc(1 << 16);
  const readNew = (): void => {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return; // rotated away: wait for the new file
    }
    if (size < position) {
      position = 0;
      partial = "";
      decoder = new StringDecoder("utf8");
    }
    if (size === position) return;
    const fd = openSync(file, "r");
    try {
      for (;;) {
        const n = readSync(fd, buffer, 0, buffer.length, position);
        if (n === 0) break;
        position += n;
        const lines = (partial + decoder.write(buffer.subarray(0, n))).split("\n");
        partial = lines.pop() ?? "";
        for (const line of lines) show(line.endsWith("\r") ? line.slice(0, -1) : line);
      }
    } finally {
      closeSync(fd);
    }
  };
  readNew();
  return new Promise<never>(() => {
    setInterval(readNew, FOLLOW_POLL_MS);
  });
}
