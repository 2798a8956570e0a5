import { LEVELS } from "@mlobs/core";
import { toSeverityNumber } from "@mlobs/core/integrations";
import { SeverityNumber } from "@opentelemetry/api-logs";
import { configs } from "triple-beam";

/** A winston level set: level name to priority, 0 the most severe (winston's `levels` option). */
export type WinstonLevels = Readonly<Record<string, number>>;

/** Severity numbers chosen per winston level name, overriding the built-in mapping. */
export type SeverityMapping = Readonly<Record<string, SeverityNumber>>;

// OpenTelemetry's own level names, mlobs's levels mapped as the core maps them (debug 5, info 9,
// warn 13, error 17, fatal 21), and `critical` (Python's name for fatal).
const OTEL: SeverityMapping = {
  trace: SeverityNumber.TRACE,
  ...Object.fromEntries(LEVELS.map((level) => [level, toSeverityNumber(level)])),
  critical: SeverityNumber.FATAL,
};

// The three winston level sets, mapped as @opentelemetry/winston-transport maps them, so records
// keep their severity when an application moves from that transport to this one.
const NPM: SeverityMapping = {
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  info: SeverityNumber.INFO,
  http: SeverityNumber.DEBUG3,
  verbose: SeverityNumber.DEBUG2,
  debug: SeverityNumber.DEBUG,
  silly: SeverityNumber.TRACE,
};

const SYSLOG: SeverityMapping = {
  emerg: SeverityNumber.FATAL3,
  alert: SeverityNumber.FATAL2,
  crit: SeverityNumber.FATAL,
  error: SeverityNumber.ERROR,
  warning: SeverityNumber.WARN,
  notice: SeverityNumber.INFO2,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
};

const CLI: SeverityMapping = {
  error: SeverityNumber.ERROR,
  warn: SeverityNumber.WARN,
  help: SeverityNumber.INFO3,
  data: SeverityNumber.INFO2,
  info: SeverityNumber.INFO,
  debug: SeverityNumber.DEBUG,
  prompt: SeverityNumber.TRACE4,
  verbose: SeverityNumber.TRACE3,
  input: SeverityNumber.TRACE2,
  silly: SeverityNumber.TRACE,
};

const STANDARD: readonly [WinstonLevels, SeverityMapping][] = [
  [configs.npm.levels, NPM],
  [configs.syslog.levels, SYSLOG],
  [configs.cli.levels, CLI],
];

// Name lookup for levels outside a standard set: OpenTelemetry's names first, then npm, syslog, cli.
const BY_NAME: readonly SeverityMapping[] = [OTEL, NPM, SYSLOG, CLI];

const standardTables = new WeakMap<object, SeverityMapping | null>();

function sameLevels(a: WinstonLevels, b: WinstonLevels): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  return keys.every((key) => Object.hasOwn(b, key) && a[key] === b[key]);
}

function standardTable(levels: WinstonLevels): SeverityMapping | null {
  let table = standardTables.get(levels);
  if (table === undefined) {
    table = STANDARD.find(([set]) => sameLevels(levels, set))?.[1] ?? null;
    standardTables.set(levels, table);
  }
  return table;
}

function lookup(level: string, levels: WinstonLevels | undefined, mapping: SeverityMapping | undefined) {
  if (mapping !== undefined && Object.hasOwn(mapping, level)) return mapping[level];
  const table = levels === undefined ? null : standardTable(levels);
  if (table !== null && Object.hasOwn(table, level)) return table[level];
  for (const names of BY_NAME) if (Object.hasOwn(names, level)) return names[level];
  return undefined;
}

/**
 * The OpenTelemetry severity number of a winston level: `mapping` first; then the table of the
 * standard set `levels` is (npm, syslog, cli); then the level's name (OpenTelemetry's names, npm,
 * syslog, cli); then the severity of the nearest more severe level of `levels` that has one;
 * else UNSPECIFIED (0).
 * @example
 * severityOf("notice", winston.config.syslog.levels); // SeverityNumber.INFO2
 */
export function severityOf(level: string, levels?: WinstonLevels, mapping?: SeverityMapping): SeverityNumber {
  const direct = lookup(level, levels, mapping);
  if (direct !== undefined) return direct;
  const priority = levels !== undefined && Object.hasOwn(levels, level) ? levels[level] : undefined;
  if (typeof priority !== "number") return SeverityNumber.UNSPECIFIED;
  // A custom level ranks with the closest more severe level winston knows a severity for, so a
  // filter on severity never drops it while keeping a less severe level.
  let best: { priority: number; severity: SeverityNumber } | undefined;
  for (const [name, other] of Object.entries(levels!)) {
    if (typeof other !== "number" || other >= priority || (best !== undefined && other <= best.priority))
      continue;
    const severity = lookup(name, levels, mapping);
    if (severity !== undefined) best = { priority: other, severity };
  }
  return best?.severity ?? SeverityNumber.UNSPECIFIED;
}
