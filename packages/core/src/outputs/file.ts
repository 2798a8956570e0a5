import * as fs from "node:fs";
import * as path from "node:path";
import { LineSink } from "../internal/sink.js";
import type { LogRecord, Output } from "../record.js";
import { renderJson } from "../renderers/json.js";
import { reportWriteError } from "./stdout.js";

/** Options of `fileOutput()`. */
export interface FileOutputOptions {
  /** The file to append to; missing parent folders are created. */
  path: string;
  /** A custom renderer. Default: JSON lines. */
  render?: (record: LogRecord) => string;
}

/**
 * Appends records to a file as JSON lines, buffered.
 * @example
 * fileOutput({ path: "logs/predictions.log" });
 */
export function fileOutput(options: FileOutputOptions): Output {
  if (typeof options?.path !== "string" || options.path === "") {
    throw new TypeError("mlobs: fileOutput({ path }): expected a non-empty file path");
  }
  fs.mkdirSync(path.dirname(options.path), { recursive: true });
  const sink = new LineSink(fs.openSync(options.path, "a"), { closeFd: true });
  sink.onError = reportWriteError(options.path);
  const render = options.render ?? renderJson;
  let closed = false;
  return {
    write(record) {
      sink.write(render(record));
    },
    flush: () => sink.flush(),
    async shutdown() {
      if (!closed) sink.close();
      closed = true;
    },
  };
}
