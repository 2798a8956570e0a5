/** The log levels, lowest first. Names match pino, winston's npm levels and OpenTelemetry's severity text. */
export const LEVELS = ["debug", "info", "warn", "error", "fatal"] as const;

/** A log level name. */
export type Level = (typeof LEVELS)[number];

/** Numeric rank of each level (pino's numbers), used for threshold checks. */
export const LEVEL_VALUES: Readonly<Record<Level, number>> = {
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
};

/** The level for `silent`: above every level, so nothing is logged. */
export const SILENT = Number.POSITIVE_INFINITY;
