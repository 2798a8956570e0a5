import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import { LEVELS, type Level } from "../levels.js";
import type { LogRecord, Processor } from "../record.js";

/** Options of `sample()`: which levels to sample, and `every` or `rate` (give one). */
export interface SampleOptions {
  /** The level(s) sampled; records of other levels pass untouched. Default: `debug`. */
  level?: Level | readonly Level[];
  /** Keep 1 record in `every` (the 1st, the (every+1)th, ...). */
  every?: number;
  /** Keep this fraction of records, 0 < rate <= 1, spread evenly (the first is kept). */
  rate?: number;
}

const OPTION_NAMES = ["level", "every", "rate"];

function fail(message: string): never {
  throw new TypeError(`mlobs: sample(): ${message}`);
}

function levelsOf(level: unknown): Level[] {
  const list: unknown[] = level === undefined ? ["debug"] : Array.isArray(level) ? level : [level];
  if (list.length === 0) fail("option level: expected at least one level");
  for (const item of list) {
    if (!(LEVELS as readonly unknown[]).includes(item)) {
      fail(`option level ${JSON.stringify(item)}: expected one of ${LEVELS.join(", ")}`);
    }
  }
  return list as Level[];
}

/**
 * Keeps 1 in `every` records (or a `rate` of them) of the sampled level(s) and drops the rest;
 * records of other levels pass untouched. The choice is a counter per level, not a random draw,
 * so it is the same on every run.
 * @example
 * sample({ level: "debug", every: 100 }); // 1 debug record in 100; info and above all pass
 */
export function sample(options: SampleOptions): Processor {
  if (typeof options !== "object" || options === null)
    fail("options: expected { level?, every } or { level?, rate }");
  rejectUnknownOptions("sample()", options, OPTION_NAMES);
  const { every, rate } = options;
  if ((every === undefined) === (rate === undefined)) fail("give exactly one of the options every and rate");
  if (every !== undefined && (!Number.isInteger(every) || every < 1)) {
    fail(`option every ${JSON.stringify(every)}: expected an integer >= 1`);
  }
  if (rate !== undefined && !(typeof rate === "number" && rate > 0 && rate <= 1)) {
    fail(`option rate ${JSON.stringify(rate)}: expected a number with 0 < rate <= 1`);
  }
  const sampled = new Set<Level>(levelsOf(options.level));
  if (every !== undefined) {
    const counts = new Map<Level, number>();
    return (record: LogRecord) => {
      if (!sampled.has(record.level)) return record;
      const count = counts.get(record.level) ?? 0;
      counts.set(record.level, count + 1 === every ? 0 : count + 1);
      return count === 0 ? record : null;
    };
  }
  // Credit accumulates by `rate` per record and a record is kept when a whole unit is there; the
  // epsilon absorbs floating-point error (0.1 * 10 adds up to 0.9999999999999999).
  const credits = new Map<Level, number>();
  const step = rate!;
  return (record: LogRecord) => {
    if (!sampled.has(record.level)) return record;
    const credit = (credits.get(record.level) ?? 1) + (credits.has(record.level) ? step : 0);
    if (credit >= 1 - 1e-9) {
      credits.set(record.level, credit - 1);
      return record;
    }
    credits.set(record.level, credit);
    return null;
  };
}
