import { type ParseArgsConfig, parseArgs } from "node:util";
import { usageError } from "../cli-error.js";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** What parse() returns: each option's value (a boolean flag or a string), and the positionals. */
export interface Parsed<T extends Options> {
  values: { [K in keyof T]?: T[K]["type"] extends "boolean" ? boolean : string };
  positionals: string[];
}

/**
 * util.parseArgs with `--help` on every command and its errors turned into usage errors (exit 2)
 * that name the command.
 */
export function parse<T extends Options>(command: string, args: string[], options: T): Parsed<T> {
  try {
    return parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h" } },
      allowPositionals: true,
      strict: true,
    }) as Parsed<T>;
  } catch (error) {
    throw usageError(`mlobs ${command}: ${(error as Error).message.split("\n")[0]}`);
  }
}

/** The value of an option restricted to a few words, or a usage error naming them. */
export function oneOf<T extends string>(
  command: string,
  option: string,
  value: string | undefined,
  accepted: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback;
  if ((accepted as readonly string[]).includes(value)) return value as T;
  throw usageError(
    `mlobs ${command}: --${option} ${JSON.stringify(value)}: expected one of ${accepted.join(", ")}`,
  );
}
