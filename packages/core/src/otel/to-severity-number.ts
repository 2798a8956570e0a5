import { SeverityNumber } from "@opentelemetry/api-logs";
import type { Level } from "../levels.js";

const SEVERITY: Readonly<Record<Level, SeverityNumber>> = {
  debug: SeverityNumber.DEBUG,
  info: SeverityNumber.INFO,
  warn: SeverityNumber.WARN,
  error: SeverityNumber.ERROR,
  fatal: SeverityNumber.FATAL,
};

/**
 * The OpenTelemetry severity number of a level: debug 5, info 9, warn 13, error 17, fatal 21
 * (the first number of each range of the OpenTelemetry log data model); anything else is 0 (unspecified).
 * @example
 * toSeverityNumber("warn"); // 13
 */
export function toSeverityNumber(level: Level | string): SeverityNumber {
  return SEVERITY[level as Level] ?? SeverityNumber.UNSPECIFIED;
}
