import { consoleRenderer } from "../encode/console.js";
import { renderJsonShared } from "../encode/json.js";
import { diagnostics } from "../internal/diagnostics.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { LineSink } from "../internal/sink.js";
import { warn } from "../internal/warn.js";
import type { LogRecord, Output } from "../record.js";

/** Options of `stdoutOutput()`. */
export interface StdoutOutputOptions {
  /** `json` (one JSON line per record) or `console` (colored, for people). Default: `json`. */
  format?: "json" | "console";
  /** A custom renderer; overrides `format`. */
  render?: (record: LogRecord) => string;
  /** The file descriptor to write to (1 is stdout, 2 is stderr). */
  fd?: number;
}

const OPTION_NAMES = ["format", "render", "fd"];
const FORMATS = ["json", "console"];

function validate(options: StdoutOutputOptions): void {
  const invalid = (message: string) => new TypeError(`mlobs: stdoutOutput(): ${message}`);
  if (typeof options !== "object" || options === null) {
    throw invalid(`expected an options object with any of ${OPTION_NAMES.join(", ")}`);
  }
  rejectUnknownOptions("stdoutOutput()", options, OPTION_NAMES);
  if (options.format !== undefined && !FORMATS.includes(options.format)) {
    throw invalid(
      `invalid option format ${JSON.stringify(options.format)}: expected one of ${FORMATS.join(", ")}`,
    );
  }
  if (options.render !== undefined && typeof options.render !== "function") {
    throw invalid("invalid option render: expected a function (record) => string");
  }
  if (options.fd !== undefined && !(Number.isInteger(options.fd) && options.fd >= 0)) {
    throw invalid(
      `invalid option fd ${JSON.stringify(options.fd)}: expected a file descriptor (an integer >= 0)`,
    );
  }
}

let sharedSinks: Map<number, LineSink> | undefined;

/** The process-wide buffered sink of a standard stream, shared by every output writing to it. */
export function standardSink(fd: number): LineSink {
  sharedSinks ??= new Map();
  let sink = sharedSinks.get(fd);
  if (sink === undefined) {
    sink = new LineSink(fd);
    sink.onError = reportWriteError(`fd ${fd}`);
    sharedSinks.set(fd, sink);
  }
  return sink;
}

/** Counts lines a write could not deliver and says so once on stderr. */
export function reportWriteError(where: string): (error: Error, lines: number) => void {
  let warned = false;
  return (error, lines) => {
    diagnostics.outputErrors++;
    diagnostics.dropped += lines;
    if (!warned) {
      warned = true;
      warn(`mlobs: writing to ${where} failed (${error.message}); ${lines} records lost`);
    }
  };
}

/**
 * Writes records to stdout, buffered: JSON lines by default, or the console renderer.
 * @example
 * createLogger({ outputs: [stdoutOutput({ format: "console" })] });
 */
export function stdoutOutput(options: StdoutOutputOptions = {}): Output {
  validate(options);
  const render = options.render ?? (options.format === "console" ? consoleRenderer() : renderJsonShared);
  const sink = standardSink(options.fd ?? 1);
  return {
    write(record) {
      sink.write(render(record));
    },
    flush: () => sink.flush(),
    shutdown: () => sink.flush(),
  };
}
