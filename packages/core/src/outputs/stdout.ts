import { consoleRenderer } from "../encode/console.js";
import { renderJsonShared } from "../encode/json.js";
import { shared } from "../internal/global.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { LineSink, reportWriteErrors } from "../internal/sink.js";
import type { LogRecord, Output } from "../record.js";

/** Options of `stdoutOutput()`. */
export interface StdoutOutputOptions {
  /**
   * `json` (one JSON line per record) or `console` (colored, for people). Default: `LOG_FORMAT`,
   * else `console` on a terminal when NODE_ENV is not `production`, else `json`.
   */
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

// One sink per standard stream for every copy of this package (ES module and CommonJS builds).
const sharedSinks = shared("standardSinks", () => new Map<number, LineSink>());

/** The process-wide buffered sink of a standard stream, shared by every output writing to it. */
function standardSink(fd: number): LineSink {
  let sink = sharedSinks.get(fd);
  if (sink === undefined) {
    // Creating Node's own stream of a pipe makes the descriptor non-blocking (libuv), so a stalled
    // reader answers EAGAIN, which the sink waits out off the event loop, instead of blocking it.
    if (fd === 1) void process.stdout;
    else if (fd === 2) void process.stderr;
    sink = new LineSink(fd);
    sink.onError = reportWriteErrors(`fd ${fd}`);
    sharedSinks.set(fd, sink);
  }
  return sink;
}

/**
 * The stdout format: the option, then LOG_FORMAT (any case), then `console` on a terminal outside
 * production, else `json`. Invalid values throw, naming where they came from.
 */
export function resolveFormat(option: unknown): "json" | "console" {
  const chosen =
    option ?? (process.env.LOG_FORMAT === "" ? undefined : process.env.LOG_FORMAT?.toLowerCase());
  if (chosen === undefined) {
    return process.stdout.isTTY && process.env.NODE_ENV !== "production" ? "console" : "json";
  }
  if (chosen === "json" || chosen === "console") return chosen;
  const source = option === undefined ? "LOG_FORMAT" : "option format";
  throw new TypeError(
    `mlobs: invalid ${source} ${JSON.stringify(option ?? process.env.LOG_FORMAT)}: expected one of ${FORMATS.join(", ")}`,
  );
}

/**
 * Writes records to stdout, buffered: JSON lines by default, or the console renderer.
 * @example
 * createLogger({ outputs: [stdoutOutput({ format: "console" })] });
 */
export function stdoutOutput(options: StdoutOutputOptions = {}): Output {
  validate(options);
  const render =
    options.render ?? (resolveFormat(options.format) === "console" ? consoleRenderer() : renderJsonShared);
  const sink = standardSink(options.fd ?? 1);
  return {
    write(record) {
      sink.write(render(record));
    },
    flush: () => sink.flush(),
    shutdown: () => sink.flush(),
  };
}
