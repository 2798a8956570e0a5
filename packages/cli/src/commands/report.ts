import { writeFileSync } from "node:fs";
import { CliError, usageError } from "../cli-error.js";
import { formatRows } from "../duckdb/format-rows.js";
import { openLogs } from "../duckdb/open-logs.js";
import { expandInputs } from "../inputs/expand-inputs.js";
import { computeReport } from "../report/compute-report.js";
import { renderHtmlReport } from "../report/render-html-report.js";
import type { Command } from "./command.js";
import { oneOf, parse } from "./parse.js";

const REPORT_FORMATS = ["json", "table"] as const;
const PSI_FIELDS = ["prediction", "confidence"] as const;

/** `mlobs report`: the tutorial's questions per model name and version, and an HTML page of plots. */
export const report: Command = {
  name: "report",
  summary: "predictions, latency, low confidence, failures, accuracy and PSI per model version",
  help: `Usage: mlobs report [options] FILE...

Reads the prediction events of instrumentPredict() (prediction_complete, low_confidence_prediction,
prediction_failed) and prediction_outcome records from every FILE (mlobs JSON lines, the
collector's OTLP/JSON file, .gz, "-" for stdin), and prints one JSON object per model_name and
model_version: predictions, mean_prediction, low_confidence_share, latency_p50_ms,
latency_p95_ms, latency_p99_ms, failures, accuracy (outcomes joined by prediction_id, else null),
psi (with --baseline, else null).

Options:
      --baseline SQL     a predicate over the logs view selecting the reference slice, e.g.
                         "model_version = 'v1'" or "timestamp < '2026-01-05 09:00'"; psi compares
                         each version's other records with it, on its deciles
      --psi-field NAME   prediction (default) or confidence
      --html FILE        also write a self-contained HTML page with plots
      --format FORMAT    json (default) or table
  -h, --help             show this help`,
  async run(args) {
    const { values, positionals } = parse("report", args, {
      baseline: { type: "string" },
      "psi-field": { type: "string" },
      html: { type: "string" },
      format: { type: "string" },
    });
    const format = oneOf("report", "format", values.format, REPORT_FORMATS, "json");
    const psiField = oneOf("report", "psi-field", values["psi-field"], PSI_FIELDS, "prediction");
    if (values.baseline !== undefined && values.baseline.trim() === "") {
      throw usageError("mlobs report: --baseline needs a SQL predicate");
    }
    if (positionals.length === 0) throw usageError('mlobs report: no FILE given (use "-" for stdin)');
    const db = await openLogs(expandInputs(positionals));
    try {
      const models = await computeReport(db, { baseline: values.baseline, psiField });
      if (models.length === 0) {
        throw new CliError("no prediction events (prediction_complete, prediction_failed, ...) in the input");
      }
      if (format === "json") for (const model of models) process.stdout.write(`${JSON.stringify(model)}\n`);
      else {
        const rows = models as unknown as Record<string, unknown>[];
        process.stdout.write(formatRows(Object.keys(models[0]!), rows, "table"));
      }
      if (values.html !== undefined) {
        const page = await renderHtmlReport(db, models);
        try {
          writeFileSync(values.html, page);
        } catch (error) {
          throw new CliError(`${values.html}: cannot write it: ${(error as Error).message}`);
        }
      }
      return 0;
    } finally {
      db.close();
    }
  },
};
