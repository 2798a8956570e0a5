import { existsSync, readdirSync, statSync } from "node:fs";
import { isAbsolute, join, sep } from "node:path";
import { CliError } from "../cli-error.js";

/** `-` in the file list: standard input. */
export const STDIN = "-";

const GLOB_CHARS = /[*?[]/;

/**
 * Turns the command line's file arguments into files: `-` stays (stdin), a path must exist, and a
 * pattern with `*`, `?`, `[...]` or `**` is expanded here (quoted patterns reach us unexpanded, and
 * Node.js 20 has no `fs.glob`). A missing file, a directory or a pattern matching nothing fails.
 */
export function expandInputs(args: readonly string[]): string[] {
  const files: string[] = [];
  for (const arg of args) {
    if (arg === STDIN) files.push(arg);
    else if (existsSync(arg)) {
      if (statSync(arg).isDirectory()) throw new CliError(`${arg}: is a directory, not a log file`);
      files.push(arg);
    } else if (GLOB_CHARS.test(arg)) {
      const matches = expandGlob(arg);
      if (matches.length === 0) throw new CliError(`${arg}: no file matches this pattern`);
      files.push(...matches);
    } else throw new CliError(`${arg}: no such file`);
  }
  return [...new Set(files)];
}

function expandGlob(pattern: string): string[] {
  const parts = pattern.split(/[\\/]+/);
  const absolute = isAbsolute(pattern);
  let bases = [absolute ? sep : "."];
  const literal: string[] = [];
  // The leading segments without pattern characters are a plain directory to start from.
  while (parts.length > 1 && !GLOB_CHARS.test(parts[0]!)) literal.push(parts.shift()!);
  if (literal.length > 0) bases = [absolute ? join(sep, ...literal) : join(...literal)];
  const found: string[] = [];
  const walk = (dir: string, rest: string[]): void => {
    const [head, ...tail] = rest;
    if (head === undefined) return;
    if (head === "**") {
      walk(dir, tail);
      for (const entry of readDir(dir)) if (entry.isDirectory()) walk(join(dir, entry.name), rest);
      return;
    }
    const match = segmentMatcher(head);
    for (const entry of readDir(dir)) {
      if (!match.test(entry.name)) continue;
      const path = dir === "." ? entry.name : join(dir, entry.name);
      if (tail.length === 0) {
        if (entry.isFile() || (entry.isSymbolicLink() && statSync(path).isFile())) found.push(path);
      } else if (entry.isDirectory()) walk(path, tail);
    }
  };
  for (const base of bases) walk(base, parts);
  return found.sort();
}

function readDir(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** One path segment of a glob as a regular expression; a leading dot must be matched literally. */
function segmentMatcher(segment: string): RegExp {
  let source = "";
  for (let i = 0; i < segment.length; i++) {
    const c = segment[i]!;
    if (c === "*") source += "[^/]*";
    else if (c === "?") source += "[^/]";
    else if (c === "[") {
      const end = segment.indexOf("]", i + 1);
      if (end === -1) source += "\\[";
      else {
        const body = segment
          .slice(i + 1, end)
          .replace(/^!/, "^")
          .replace(/\\/g, "\\\\");
        source += `[${body}]`;
        i = end;
      }
    } else source += c.replace(/[.+^${}()|\\]/g, "\\$&");
  }
  return new RegExp(segment.startsWith(".") ? `^${source}$` : `^(?!\\.)${source}$`);
}
