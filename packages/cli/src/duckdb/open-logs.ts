import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { DuckDBConnection } from "@duckdb/node-api";
import { CliError } from "../cli-error.js";
import { STDIN } from "../inputs/expand-inputs.js";
import { parseLine, whyNotRecord } from "../inputs/parse-line.js";
import { inputName, isGzipFile } from "../inputs/read-lines.js";
import { readRecords } from "../inputs/read-records.js";
import { firstLine } from "./first-line.js";

/** An in-memory DuckDB database holding the inputs' records as the `logs` view. */
export interface LogsDatabase {
  readonly connection: DuckDBConnection;
  /** Column name -> DuckDB type of `logs`. */
  readonly columns: ReadonlyMap<string, string>;
  close(): void;
}

const SQL_STRING = (s: string) => `'${s.replaceAll("'", "''")}'`;

/**
 * Loads every input into DuckDB as the `logs` view, one row per record. JSON-lines files (plain
 * or `.gz`) are read by DuckDB's own `read_json`, the fast path; OTLP/JSON files (the collector's
 * file exporter) and stdin are flattened here into a temporary JSON-lines file first (removed by
 * close()). The schema is detected once over every record (`sample_size=-1`), so a field that
 * first appears late still gets its column; each query then reads only the columns it needs. Unreadable input fails with one CliError naming the file and line.
 */
export async function openLogs(files: readonly string[]): Promise<LogsDatabase> {
  const direct: string[] = [];
  const converted: string[] = [];
  let scratch: string | undefined;
  const cleanUp = () => {
    if (scratch !== undefined) rmSync(scratch, { recursive: true, force: true });
  };
  try {
    for (const file of files) {
      const first = file === STDIN ? undefined : await firstLine(file);
      if (file !== STDIN && first === undefined) continue; // an empty file holds no records
      // DuckDB picks decompression by the name: a gzip file named otherwise goes through here.
      const isOtlp = first === undefined || first.text.trimStart().startsWith('{"resourceLogs"');
      if (isOtlp || (isGzipFile(file) && !file.endsWith(".gz"))) {
        scratch ??= mkdtempSync(join(tmpdir(), "mlobs-"));
        const out = join(scratch, `${converted.length}.jsonl`);
        let text = "";
        for await (const record of readRecords(file)) text += `${JSON.stringify(record)}\n`;
        if (text === "") continue;
        writeFileSync(out, text);
        converted.push(out);
        continue;
      }
      if (parseLine(first.text) === undefined) {
        throw new CliError(`${inputName(file)}:${first.line}: ${whyNotRecord(first.text)}, not a log record`);
      }
      direct.push(file);
    }
    const sources = [...direct, ...converted];
    if (sources.length === 0) {
      throw new CliError(`no log records in ${files.map(inputName).join(", ")}`);
    }
    // Loaded here, not at start: `mlobs pretty` and `mlobs trace` never need the native module.
    const { DuckDBInstance } = await import("@duckdb/node-api");
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    const list = `[${sources.map(SQL_STRING).join(", ")}]`;
    const read = `read_json(${list}, format = 'newline_delimited'`;
    const columns = new Map<string, string>();
    try {
      // The schema once, over every record; the view then names it, so no query detects it again.
      const described = await connection.runAndReadAll(
        `DESCRIBE SELECT * FROM ${read}, union_by_name = true, sample_size = -1)`,
      );
      for (const row of described.getRowObjects())
        columns.set(String(row.column_name), String(row.column_type));
    } catch (error) {
      connection.closeSync();
      instance.closeSync();
      // DuckDB names a byte offset; a person wants the line, so find the first bad one.
      for (const file of direct) for await (const _record of readRecords(file));
      throw new CliError(`cannot read the logs: ${firstLineOf(error)}`);
    }
    const struct = [...columns].map(([name, type]) => `${SQL_STRING(name)}: ${SQL_STRING(type)}`).join(", ");
    await connection.run(`CREATE TEMP VIEW logs AS SELECT * FROM ${read}, columns = {${struct}})`);
    return {
      connection,
      columns,
      close: () => {
        connection.closeSync();
        instance.closeSync();
        cleanUp();
      },
    };
  } catch (error) {
    cleanUp();
    throw error;
  }
}

/** The first line of an error's message: DuckDB's messages go on with hints and context. */
export function firstLineOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0]!.trim();
}
