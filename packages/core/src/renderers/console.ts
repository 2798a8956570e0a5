import type { LogRecord } from "../record.js";
import { renderJson } from "./json.js";

/** Placeholder until the console renderer lands. */
export function consoleRenderer(_options: { colors?: boolean } = {}): (record: LogRecord) => string {
  return renderJson;
}
