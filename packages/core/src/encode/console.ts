import { diagnostics } from "../internal/diagnostics.js";
import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { Level } from "../levels.js";
import type { LogRecord } from "../record.js";
import { KEY } from "../semconv.js";
import { encodeValue } from "./json.js";
import { describe, describeError, type ExceptionInfo, isError, isExceptionInfo } from "./walk.js";

/** Options of `consoleRenderer()`. */
export interface ConsoleRendererOptions {
  /**
   * ANSI colors. Default: on when stdout is a terminal; `FORCE_COLOR` (on unless `0` or `false`)
   * wins over `NO_COLOR`, as in Node.js itself.
   */
  colors?: boolean;
  /** `short` (local `HH:MM:SS.mmm`, the default), `iso` (ISO-8601 UTC) or `none`. */
  time?: "short" | "iso" | "none";
  /** The width the event name is padded to, so the fields line up. Default: 30 (structlog's). */
  padEvent?: number;
}

const OPTION_NAMES = ["colors", "time", "padEvent"];
const TIME_FORMATS = ["short", "iso", "none"] as const;

const RESET = "\x1b[0m";
const DIM = "\x1b[2m";
const BOLD = "\x1b[1m";
const RED = "\x1b[31m";
const BLUE = "\x1b[34m";
const MAGENTA = "\x1b[35m";
const CYAN = "\x1b[36m";
const LEVEL_COLORS: Readonly<Record<Level, string>> = {
  debug: BLUE,
  info: "\x1b[32m",
  warn: "\x1b[33m",
  error: RED,
  fatal: `${RED}${BOLD}`,
};
// Width of the longest level name, so events start in one column.
const LEVEL_WIDTH = 5;

/** Keys shown in their own column or below the line, not as `key=value`. */
const OWN_COLUMNS = new Set<string>([KEY.timestamp, KEY.level, KEY.event]);

/** A string printed bare when it cannot be mistaken for anything else: no spaces, quotes or `=`. */
const SIMPLE = /^[\w.,:;/@+\-%#~^&*()[\]{}<>|!?$]+$/;

// FORCE_COLOR first, then NO_COLOR, then a terminal on stdout: the order Node.js itself uses.
function colorsByDefault(): boolean {
  const env = process.env;
  const force = env.FORCE_COLOR;
  if (force !== undefined) return force !== "0" && force !== "false";
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  return process.stdout.isTTY === true;
}

function validate(options: ConsoleRendererOptions): void {
  if (typeof options !== "object" || options === null) {
    throw new TypeError(
      `mlobs: consoleRenderer(options): expected an object with any of ${OPTION_NAMES.join(", ")}`,
    );
  }
  rejectUnknownOptions("consoleRenderer()", options, OPTION_NAMES);
  if (options.colors !== undefined && typeof options.colors !== "boolean") {
    throw new TypeError(
      `mlobs: consoleRenderer({ colors: ${JSON.stringify(options.colors)} }): expected true or false`,
    );
  }
  if (options.time !== undefined && !TIME_FORMATS.includes(options.time)) {
    throw new TypeError(
      `mlobs: consoleRenderer({ time: ${JSON.stringify(options.time)} }): expected one of ${TIME_FORMATS.join(", ")}`,
    );
  }
  const pad = options.padEvent;
  if (pad !== undefined && (!Number.isInteger(pad) || pad < 0)) {
    throw new TypeError(
      `mlobs: consoleRenderer({ padEvent: ${JSON.stringify(pad)} }): expected an integer >= 0`,
    );
  }
}

/**
 * Renders records for people, as structlog's ConsoleRenderer does: dim time, colored level, bold
 * event, `key=value` fields, the logger name in brackets, and exception stacks (with their causes)
 * indented below the line. It never throws. For machines, use JSON.
 * @example
 * createLogger({ outputs: [stdoutOutput({ render: consoleRenderer({ colors: false }) })] });
 * // 14:03:07.123 [info ] prediction_complete            [ml_model] prediction=0.87 latency_ms=142
 */
export function consoleRenderer(options: ConsoleRendererOptions = {}): (record: LogRecord) => string {
  validate(options);
  const colors = options.colors ?? colorsByDefault();
  const time = options.time ?? "short";
  const padEvent = options.padEvent ?? 30;
  const paint = colors
    ? (code: string, text: string) => `${code}${text}${RESET}`
    : (_: string, text: string) => text;

  return (record: LogRecord): string => {
    try {
      return renderLine(record, time, padEvent, paint);
    } catch (error) {
      // A record whose fields defeat even this (a hostile Proxy) still leaves a trace.
      diagnostics.unencodable++;
      return `${escapeControls(describe(record?.event))} [console rendering failed: ${escapeControls(describe(error))}]\n`;
    }
  };
}

type Paint = (code: string, text: string) => string;

function renderLine(
  record: LogRecord,
  time: "short" | "iso" | "none",
  padEvent: number,
  paint: Paint,
): string {
  let tail = "";
  if (record.logger !== undefined) tail += ` ${paint(BLUE, `[${escapeControls(String(record.logger))}]`)}`;
  const fields = record.fields;
  const below: string[] = [];
  const show = (key: string, value: unknown): void => {
    if (OWN_COLUMNS.has(key)) return;
    if (key === KEY.exception && isExceptionInfo(value)) {
      below.push(exceptionBlock(value, paint));
      return;
    }
    if (isError(value)) below.push(exceptionBlock(describeError(value) as ExceptionShape, paint));
    const text = formatValue(value);
    if (text !== undefined) tail += ` ${paint(CYAN, formatKey(key))}=${paint(MAGENTA, text)}`;
  };
  const bound = record.bindings;
  for (const key in bound) if (!Object.hasOwn(fields, key)) show(key, bound[key]);
  for (const key in fields) show(key, fields[key]);

  let line = "";
  if (time !== "none") line += `${paint(DIM, formatTime(record.time, time))} `;
  const color = LEVEL_COLORS[record.level] ?? "";
  line += `[${paint(color, String(record.level).padEnd(LEVEL_WIDTH))}] `;
  // Padded only when something follows, so a bare event leaves no trailing blanks.
  // Escaped: an event with a newline must not forge a second record on the terminal.
  const event = escapeControls(String(record.event));
  line += paint(BOLD, tail === "" ? event : event.padEnd(padEvent));
  line += tail;
  for (const block of below) line += `\n${block}`;
  return `${line}\n`;
}

function formatTime(ms: number, time: "short" | "iso"): string {
  const date = new Date(ms);
  if (time === "iso") return date.toISOString();
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, "0")}`;
}

function formatKey(key: string): string {
  return SIMPLE.test(key) && !key.includes("=") ? key : JSON.stringify(key);
}

function formatValue(value: unknown): string | undefined {
  if (typeof value === "string") return value !== "" && SIMPLE.test(value) ? value : encodeValue(value);
  if (isError(value)) {
    const info = describeError(value);
    return formatValue(`${info.type}: ${info.message}`);
  }
  // JSON escapes control characters in strings; the walker leaves no other place for them.
  return encodeValue(value);
}

// C0 and C1 control characters and DEL (ANSI escapes start with ESC, a C0 one).
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is escaped.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;

/** Control characters as `\n`, `\u001b`...: text from a record cannot move the cursor or start a line. */
function escapeControls(text: string): string {
  CONTROLS.lastIndex = 0;
  if (!CONTROLS.test(text)) return text;
  return text.replace(CONTROLS, (c) =>
    c === "\n"
      ? "\\n"
      : c === "\r"
        ? "\\r"
        : c === "\t"
          ? "\\t"
          : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** What `formatException()` writes under `exception`. */
type ExceptionShape = ExceptionInfo & { cause?: unknown; errors?: unknown[] };

const INDENT = "    ";

/** A stack below the line: indented, its first line (`Type: message`) red, the frames dim. */
function stackLines(text: string, label: string, depth: number, paint: Paint): string {
  const pad = INDENT.repeat(depth);
  // The stack's own line breaks are kept; every other control character is escaped.
  const [first, ...frames] = `${label}${text}`.split("\n").map(escapeControls);
  let out = paint(RED, pad + first);
  for (const frame of frames) out += `\n${paint(DIM, pad + frame)}`;
  return out;
}

/** The exception's stack below the line, then each aggregated error (`[i]`) and the cause chain. */
function exceptionBlock(info: ExceptionShape, paint: Paint, depth = 1, seen = 0, label = ""): string {
  let out = stackLines(info.stacktrace ?? `${info.type}: ${info.message}`, label, depth, paint);
  // formatException bounds the depth of what it builds; a hand-made cycle is bounded here.
  if (seen >= 16) return out;
  if (Array.isArray(info.errors)) {
    info.errors.forEach((inner, i) => {
      out += `\n${nested(inner, paint, depth + 1, seen + 1, `[${i}] `)}`;
    });
  }
  if (info.cause !== undefined) out += `\n${nested(info.cause, paint, depth, seen + 1, "Caused by: ")}`;
  return out;
}

function nested(value: unknown, paint: Paint, depth: number, seen: number, label: string): string {
  if (isExceptionInfo(value)) return exceptionBlock(value, paint, depth, seen, label);
  const text = typeof value === "string" ? value : (encodeValue(value) ?? "undefined");
  return stackLines(text, label, depth, paint);
}
