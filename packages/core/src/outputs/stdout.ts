import { diagnostics } from "../internal/diagnostics.js";
import { LineSink } from "../internal/sink.js";
import { warn } from "../internal/warn.js";
import type { LogRecord, Output } from "../record.js";
import { consoleRenderer } from "../renderers/console.js";
import { renderJson } from "../renderers/json.js";

/** Options of `stdoutOutput()`. */
export interface StdoutOutputOptions {
  /** `json` (one JSON line per record) or `console` (colored, for people). Default: `json`. */
  format?: "json" | "console";
  /** A custom renderer; overrides `format`. */
  render?: (record: LogRecord) => string;
  /** The file descriptor to write to (1 is stdout, 2 is stderr). */
  fd?: number;
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
  const render = options.render ?? (options.format === "console" ? consoleRenderer() : renderJson);
  const sink = standardSink(options.fd ?? 1);
  return {
    write(record) {
      sink.write(render(record));
    },
    flush: () => sink.flush(),
    shutdown: () => sink.flush(),
  };
}
