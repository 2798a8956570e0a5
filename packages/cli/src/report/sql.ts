import type { LogsDatabase } from "../duckdb/open-logs.js";

/** A SQL identifier, quoted. */
function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A column of `logs` when the inputs have it, else NULL: a field no record carries is absent, not an error. */
export function column(db: LogsDatabase, name: string): string {
  return db.columns.has(name) ? ident(name) : "NULL";
}

/** The rows of a query as plain objects. */
export async function rows(db: LogsDatabase, sql: string): Promise<Record<string, unknown>[]> {
  return (await db.connection.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
}
