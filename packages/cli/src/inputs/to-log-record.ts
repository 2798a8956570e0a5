import type { Level, LogRecord } from "@mlobs/core";
import { ROOT_CONTEXT } from "@opentelemetry/api";
import type { Record } from "./parse-line.js";

const NO_BINDINGS = Object.freeze({});
// pino's numeric levels, so a pino log renders too.
const PINO_LEVELS: Readonly<{ [n: number]: string }> = {
  10: "trace",
  20: "debug",
  30: "info",
  40: "warn",
  50: "error",
  60: "fatal",
};

/**
 * A parsed JSON line as the record core's renderers take: `timestamp` (or pino's `time`) as the
 * time, `level`, `event` (or `msg`, `message`), `logger`, and every field as the call's fields.
 * The time is NaN when the line has none.
 */
export function toLogRecord(line: Record): LogRecord {
  const { logger, ...fields } = line;
  const stamp = line.timestamp ?? line.time;
  const time = typeof stamp === "number" ? stamp : typeof stamp === "string" ? Date.parse(stamp) : Number.NaN;
  const level = typeof line.level === "number" ? (PINO_LEVELS[line.level] ?? String(line.level)) : line.level;
  const event = line.event ?? line.msg ?? line.message;
  if (line.event === undefined && event !== undefined) {
    delete fields.msg;
    delete fields.message;
  }
  if (line.timestamp === undefined && typeof line.time === "number") delete fields.time;
  return {
    time,
    level: String(level ?? "") as Level,
    event: typeof event === "string" ? event : JSON.stringify(event ?? ""),
    logger: typeof logger === "string" ? logger : undefined,
    context: ROOT_CONTEXT,
    bindings: NO_BINDINGS,
    fields,
  };
}
