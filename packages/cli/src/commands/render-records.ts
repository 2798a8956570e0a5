import { consoleRenderer } from "@mlobs/core";
import type { Record } from "../inputs/parse-line.js";
import { toLogRecord } from "../inputs/to-log-record.js";

/** The `--time` formats of core's console renderer. */
export const TIME_FORMATS = ["short", "iso", "none"] as const;

/**
 * Core's console renderer for parsed lines; colors as it decides them (a terminal on stdout,
 * FORCE_COLOR, NO_COLOR). A record without a time is rendered without one.
 */
export function createRecordRenderer(time: (typeof TIME_FORMATS)[number]): (record: Record) => string {
  const withTime = consoleRenderer({ time });
  const withoutTime = time === "none" ? withTime : consoleRenderer({ time: "none" });
  return (record) => {
    const log = toLogRecord(record);
    return Number.isNaN(log.time) ? withoutTime(log) : withTime(log);
  };
}
