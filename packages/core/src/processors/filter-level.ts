import { LEVEL_VALUES, LEVELS, type Level } from "../levels.js";
import type { LogRecord, Processor } from "../record.js";

/**
 * Drops records below `minLevel`. The logger's `level` option is cheaper (it skips the call before
 * any work); use this after processors that must see every record, or to narrow one chain.
 * @example
 * createLogger({ level: "debug", processors: [countEvents, filterLevel("warn"), ...defaultProcessors()] });
 */
export function filterLevel(minLevel: Level): Processor {
  if (!(LEVELS as readonly string[]).includes(minLevel)) {
    throw new TypeError(
      `mlobs: filterLevel(${JSON.stringify(minLevel)}): expected one of ${LEVELS.join(", ")}`,
    );
  }
  const threshold = LEVEL_VALUES[minLevel];
  return (record: LogRecord) => (LEVEL_VALUES[record.level] >= threshold ? record : null);
}
