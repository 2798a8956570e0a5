import { sep } from "node:path";
import { fileURLToPath } from "node:url";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { LogRecord, Processor } from "../record.js";

/** Options of `addCallsite()`. */
export interface AddCallsiteOptions {
  /** The key the callsite is written under. Default: `callsite`. */
  key?: string;
  /** Files of your own logging wrappers, skipped like mlobs's own frames (tested against the path). */
  ignoreFiles?: readonly RegExp[];
}

/** Where a log call was made, as written under `callsite`. */
export interface Callsite {
  /** The file, relative to the working directory when it lies inside it. */
  file: string;
  line: number;
  /** The function, when V8 names it (`Class.method`, `handler`). */
  function?: string;
}

const FRAME = /^\s*at (?:(.*?) \()?(.*?):(\d+):\d+\)?$/;
const OPTION_NAMES = ["key", "ignoreFiles"];
/** Enough frames to get past mlobs's own (processor, logger, bridges) to the caller. */
const FRAME_LIMIT = 16;

function fileOf(location: string): string {
  if (!location.startsWith("file://")) return location;
  try {
    return fileURLToPath(location);
  } catch {
    return location;
  }
}

// Where this module runs from (src/processors in the workspace, dist when bundled) tells which
// frames are mlobs's own: the directory holding the @mlobs packages, or node_modules/@mlobs.
const OWN_PACKAGES = ((): string | undefined => {
  const line = new Error().stack?.split("\n")[1];
  const file = line === undefined ? undefined : FRAME.exec(line)?.[2];
  if (file === undefined) return undefined;
  const path = fileOf(file);
  const cut = Math.max(path.lastIndexOf(`${sep}src${sep}`), path.lastIndexOf(`${sep}dist${sep}`));
  if (cut === -1) return undefined;
  const packageRoot = path.slice(0, cut);
  return packageRoot.slice(0, packageRoot.lastIndexOf(sep) + 1);
})();
const OWN_LAYOUT = new RegExp(`^[^${sep === "\\" ? "\\\\" : sep}]+[\\\\/](?:src|dist)[\\\\/]`);
const TEST_FILE = /\.(?:test|spec)\.[cm]?[jt]sx?$/;

function isOwn(path: string): boolean {
  if (path.includes(`${sep}node_modules${sep}@mlobs${sep}`)) return true;
  if (OWN_PACKAGES === undefined || !path.startsWith(OWN_PACKAGES)) return false;
  // Tests beside the sources call the logger as a user would.
  return OWN_LAYOUT.test(path.slice(OWN_PACKAGES.length)) && !TEST_FILE.test(path);
}

/**
 * Adds the file, line and function of the code that called the log method, under `callsite`
 * (structlog's CallsiteParameterAdder). Opt-in: it captures a stack trace per record, which costs tens of
 * microseconds (a plain log call costs about one); frames of mlobs itself (and of `ignoreFiles`) are skipped.
 * @example
 * createLogger({ processors: [...defaultProcessors(), addCallsite()] });
 */
export function addCallsite(options: AddCallsiteOptions = {}): Processor {
  rejectUnknownOptions("addCallsite()", options, OPTION_NAMES);
  const key = options.key ?? "callsite";
  if (typeof key !== "string" || key === "") {
    throw new TypeError(`mlobs: addCallsite({ key: ${JSON.stringify(key)} }): expected a non-empty string`);
  }
  const ignore = options.ignoreFiles ?? [];
  if (!Array.isArray(ignore) || !ignore.every((pattern) => pattern instanceof RegExp)) {
    throw new TypeError("mlobs: addCallsite({ ignoreFiles }): expected an array of RegExps");
  }
  const cwd = process.cwd() + sep;
  const processor: Processor = (record: LogRecord) => {
    const holder: { stack?: string } = {};
    const limit = Error.stackTraceLimit;
    try {
      Error.stackTraceLimit = FRAME_LIMIT;
      Error.captureStackTrace(holder, processor);
    } finally {
      Error.stackTraceLimit = limit;
    }
    const callsite = parse(holder.stack, ignore, cwd);
    if (callsite !== undefined) record.fields[key] = callsite;
    return record;
  };
  return processor;
}

function parse(stack: string | undefined, ignore: readonly RegExp[], cwd: string): Callsite | undefined {
  if (typeof stack !== "string") return undefined;
  const lines = stack.split("\n");
  for (let i = 1; i < lines.length; i++) {
    const match = FRAME.exec(lines[i]!);
    if (match === null) continue;
    const path = fileOf(match[2]!);
    if (path.startsWith("node:") || isOwn(path) || ignore.some((pattern) => pattern.test(path))) continue;
    const callsite: Callsite = {
      file: path.startsWith(cwd) ? path.slice(cwd.length) : path,
      line: Number(match[3]),
    };
    const name = match[1]?.replace(/^async /, "");
    if (name) callsite.function = name;
    return callsite;
  }
  return undefined;
}
