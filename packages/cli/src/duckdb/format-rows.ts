import { toJsonValue } from "./to-json-value.js";

/** The output formats of `mlobs query`. */
export const FORMATS = ["table", "json", "csv"] as const;
export type Format = (typeof FORMATS)[number];

type Row = Record<string, unknown>;

/**
 * Rows as text: `table` (aligned columns for a terminal), `json` (one JSON object per line) or
 * `csv` (RFC 4180, a header line, nested values as JSON).
 */
export function formatRows(columns: readonly string[], rows: readonly Row[], format: Format): string {
  const values = rows.map((row) => columns.map((c) => toJsonValue(row[c])));
  if (format === "json") {
    return values
      .map((row) => `${JSON.stringify(Object.fromEntries(columns.map((c, i) => [c, row[i] ?? null])))}\n`)
      .join("");
  }
  if (format === "csv") {
    const line = (cells: unknown[]) => `${cells.map(csvCell).join(",")}\r\n`;
    return line([...columns]) + values.map(line).join("");
  }
  const cells = values.map((row) => row.map(tableCell));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const numeric = columns.map(
    (_, i) =>
      values.some((row) => typeof row[i] === "number") &&
      values.every((row) => row[i] === null || typeof row[i] === "number"),
  );
  const render = (row: string[]) =>
    `${row
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd()}\n`;
  const count = `(${rows.length} ${rows.length === 1 ? "row" : "rows"})\n`;
  return render([...columns]) + render(widths.map((w) => "-".repeat(w))) + cells.map(render).join("") + count;
}

function text(value: unknown): string {
  if (value === null || value === undefined) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Newlines would break the columns, and escape sequences from a log line must not reach the terminal.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

function tableCell(value: unknown): string {
  return value === null || value === undefined ? "NULL" : text(value).replace(CONTROL, " ");
}

function csvCell(value: unknown): string {
  const s = text(value);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}
