import { CliError, usageError } from "../cli-error.js";
import { FORMATS, formatRows } from "../duckdb/format-rows.js";
import { firstLineOf, openLogs } from "../duckdb/open-logs.js";
import { expandInputs } from "../inputs/expand-inputs.js";
import type { Command } from "./command.js";
import { oneOf, parse } from "./parse.js";

/** `mlobs query`: SQL over the `logs` view of the inputs, on embedded DuckDB. */
export const query: Command = {
  name: "query",
  summary: 'SQL over a "logs" view of the files (DuckDB): mlobs query "SELECT ..." FILE...',
  help: `Usage: mlobs query [options] SQL FILE...

Runs SQL (DuckDB's dialect) over a view named logs: one row per record of every FILE (mlobs JSON
lines, the collector's OTLP/JSON file, .gz, "-" for stdin, quoted globs), every field a column,
nested objects as structs (exception.type), OTLP resource attributes as service_name, ...

  mlobs query "SELECT model_version, avg(prediction) FROM logs
               WHERE event = 'prediction_complete' GROUP BY ALL" logs/*.jsonl

Options:
      --format FORMAT   table (default), json (one object per line) or csv
  -h, --help            show this help`,
  async run(args) {
    const { values, positionals } = parse("query", args, { format: { type: "string" } });
    const format = oneOf("query", "format", values.format, FORMATS, "table");
    const [sql, ...inputs] = positionals;
    if (sql === undefined || sql.trim() === "") throw usageError("mlobs query: the SQL statement is missing");
    if (inputs.length === 0) throw usageError('mlobs query: no FILE given (use "-" for stdin)');
    const db = await openLogs(expandInputs(inputs));
    try {
      let result: Awaited<ReturnType<typeof db.connection.runAndReadAll>>;
      try {
        result = await db.connection.runAndReadAll(sql);
      } catch (error) {
        throw new CliError(`query failed: ${firstLineOf(error)}`);
      }
      const rows = result.getRowObjectsJS() as Record<string, unknown>[];
      process.stdout.write(formatRows(result.columnNames(), rows, format));
      return 0;
    } finally {
      db.close();
    }
  },
};
