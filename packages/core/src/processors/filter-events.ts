import { rejectUnknownOptions } from "../internal/reject-unknown-options.js";
import type { LogRecord, Processor } from "../record.js";

/** Options of `filterEvents()`: event names (exact strings) or patterns. */
export interface FilterEventsOptions {
  /** Only these events pass; every event when left out. */
  include?: readonly (string | RegExp)[];
  /** These events are dropped, even when included. */
  exclude?: readonly (string | RegExp)[];
}

interface Matcher {
  readonly names: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
}

function matcher(option: string, list: unknown): Matcher | undefined {
  if (list === undefined) return undefined;
  if (!Array.isArray(list))
    throw new TypeError(`mlobs: filterEvents({ ${option} }): expected an array of strings or RegExps`);
  const names = new Set<string>();
  const patterns: RegExp[] = [];
  list.forEach((item: unknown, i) => {
    if (typeof item === "string") names.add(item);
    // A global or sticky RegExp keeps state between test() calls and would match every other time.
    else if (item instanceof RegExp) patterns.push(new RegExp(item.source, item.flags.replace(/[gy]/g, "")));
    else
      throw new TypeError(
        `mlobs: filterEvents({ ${option}[${i}] }): expected a string or a RegExp, got ${String(item)}`,
      );
  });
  return { names, patterns };
}

function matches(m: Matcher, event: string): boolean {
  if (m.names.has(event)) return true;
  for (const pattern of m.patterns) if (pattern.test(event)) return true;
  return false;
}

/**
 * Drops records by event name: only `include`d events pass (when given), and `exclude`d ones never
 * do. Strings match the whole name; RegExps are tested against it.
 * @example
 * filterEvents({ exclude: ["health_check", /^cache_/] });
 */
export function filterEvents(options: FilterEventsOptions): Processor {
  if (typeof options !== "object" || options === null) {
    throw new TypeError("mlobs: filterEvents(options): expected an object with include and/or exclude");
  }
  rejectUnknownOptions("filterEvents()", options, ["include", "exclude"]);
  const include = matcher("include", options.include);
  const exclude = matcher("exclude", options.exclude);
  return (record: LogRecord) => {
    if (include !== undefined && !matches(include, record.event)) return null;
    if (exclude !== undefined && matches(exclude, record.event)) return null;
    return record;
  };
}
