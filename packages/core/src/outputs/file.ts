import * as fs from "node:fs";
import * as path from "node:path";
import { renderJsonShared } from "../encode/json.js";
import { diagnostics } from "../internal/diagnostics.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { LineSink, reportWriteErrors } from "../internal/sink.js";
import { warn } from "../internal/warn.js";
import type { LogRecord, Output } from "../record.js";

/** Options of `fileOutput()`. */
export interface FileOutputOptions {
  /** The file to append to; missing parent folders are created. */
  path: string;
  /**
   * Size-based rotation: once the file would pass `maxBytes`, it becomes `<path>.1` (`.1` becomes
   * `.2`, ...), keeping `maxFiles` rotated files and removing the oldest. Off by default.
   */
  rotate?: { maxBytes: number; maxFiles: number };
  /** A custom renderer. Default: JSON lines. */
  render?: (record: LogRecord) => string;
}

const OPTION_NAMES = ["path", "rotate", "render"];
const ROTATE_NAMES = ["maxBytes", "maxFiles"];

function invalid(message: string): TypeError {
  return new TypeError(`mlobs: fileOutput(): ${message}`);
}

function validate(options: FileOutputOptions): void {
  if (typeof options !== "object" || options === null) {
    throw invalid(`expected an options object with any of ${OPTION_NAMES.join(", ")}`);
  }
  rejectUnknownOptions("fileOutput()", options, OPTION_NAMES);
  if (typeof options.path !== "string" || options.path === "") {
    throw invalid(`invalid option path ${JSON.stringify(options.path)}: expected a non-empty file path`);
  }
  if (options.render !== undefined && typeof options.render !== "function") {
    throw invalid("invalid option render: expected a function (record) => string");
  }
  const rotate = options.rotate;
  if (rotate === undefined) return;
  if (typeof rotate !== "object" || rotate === null) {
    throw invalid("invalid option rotate: expected { maxBytes, maxFiles }");
  }
  for (const key of Object.keys(rotate)) {
    if (!ROTATE_NAMES.includes(key)) {
      throw invalid(`unknown option rotate.${key}: expected one of ${ROTATE_NAMES.join(", ")}`);
    }
  }
  for (const key of ROTATE_NAMES as (keyof typeof rotate)[]) {
    const value = rotate[key];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw invalid(`invalid option rotate.${key} ${JSON.stringify(value)}: expected an integer >= 1`);
    }
  }
}

/**
 * Appends records to a file as JSON lines, buffered, with optional size-based rotation that never
 * splits a line. One process should own a rotating file: rotation is not coordinated across processes.
 * @example
 * fileOutput({ path: "logs/predictions.log", rotate: { maxBytes: 10_000_000, maxFiles: 5 } });
 */
export function fileOutput(options: FileOutputOptions): Output {
  validate(options);
  const file = options.path;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, "a");
  const sink = new LineSink(fd, { closeFd: true });
  sink.onError = reportWriteErrors(file);
  const render = options.render ?? renderJsonShared;
  const rotate = options.rotate;
  // What the file holds once the buffer is written: its size at open plus every byte given since.
  let size = rotate === undefined ? 0 : fs.fstatSync(fd).size;
  let closed = false;
  let warnedClosed = false;
  let warnedRotation = false;

  function rotateNow(maxFiles: number): void {
    try {
      // Everything buffered belongs to the old file: write it before the file changes name.
      sink.flushSync();
      for (let i = maxFiles - 1; i >= 1; i--) {
        if (fs.existsSync(`${file}.${i}`)) fs.renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      }
      fs.renameSync(file, `${file}.1`);
      sink.reopen(fs.openSync(file, "a"));
      size = 0;
    } catch (error) {
      // Rotation failed (permissions, a full disk): keep appending to the file we have, say so once,
      // and try again only after another maxBytes rather than on every line.
      diagnostics.outputErrors++;
      size = 0;
      if (!warnedRotation) {
        warnedRotation = true;
        warn(`mlobs: rotating ${file} failed (${(error as Error).message}); still appending to it`);
      }
    }
  }

  return {
    write(record) {
      if (closed) {
        diagnostics.dropped++;
        if (!warnedClosed) {
          warnedClosed = true;
          warn(`mlobs: a record was written to ${file} after shutdown(); it was dropped`);
        }
        return;
      }
      const line = render(record);
      if (rotate !== undefined) {
        const bytes = Buffer.byteLength(line);
        // An empty file takes any line, however long, so one record is never split or refused.
        if (size > 0 && size + bytes > rotate.maxBytes) rotateNow(rotate.maxFiles);
        size += bytes;
      }
      sink.write(line);
    },
    flush: () => sink.flush(),
    async shutdown() {
      if (!closed) sink.close();
      closed = true;
    },
  };
}
