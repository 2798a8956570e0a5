import { CliError } from "../cli-error.js";
import { firstLineOf, type LogsDatabase } from "../duckdb/open-logs.js";
import { toJsonValue } from "../duckdb/to-json-value.js";
import { populationStabilityIndex } from "./population-stability-index.js";
import { column, rows } from "./sql.js";

/** One line of `mlobs report`: the tutorial's questions answered for one model version. */
export interface ModelReport {
  model_name: string | null;
  model_version: string | null;
  predictions: number;
  mean_prediction: number | null;
  low_confidence_share: number | null;
  latency_p50_ms: number | null;
  latency_p95_ms: number | null;
  latency_p99_ms: number | null;
  failures: number;
  accuracy: number | null;
  psi: number | null;
}

/** Options of computeReport(). */
export interface ReportOptions {
  /** A SQL predicate over `logs` selecting the reference slice for the PSI. */
  baseline?: string;
  /** The field whose distribution the PSI compares. */
  psiField: "prediction" | "confidence";
}

/** The events of one prediction call's outcome, as instrumentPredict() writes them. */
export const COMPLETED = "('prediction_complete', 'low_confidence_prediction')";
const FAILED = "'prediction_failed'";

/**
 * Builds `predictions`: one row per completed or failed prediction call, with the fields the
 * report and its plots read, typed (a field that is text in one record and a number in another
 * still averages), and whether the row is in the `--baseline` slice.
 */
export async function loadPredictions(db: LogsDatabase, baseline: string | undefined): Promise<void> {
  const c = (name: string) => column(db, name);
  const inBaseline = baseline === undefined ? "false" : `coalesce((${baseline}), false)`;
  const sql = `CREATE TEMP TABLE predictions AS SELECT
      CAST(${c("model_name")} AS VARCHAR) AS model_name,
      CAST(${c("model_version")} AS VARCHAR) AS model_version,
      CAST(${c("event")} AS VARCHAR) AS event,
      TRY_CAST(${c("timestamp")} AS TIMESTAMP) AS time,
      TRY_CAST(${c("prediction")} AS DOUBLE) AS prediction,
      TRY_CAST(${c("prediction")} AS VARCHAR) AS prediction_text,
      TRY_CAST(${c("confidence")} AS DOUBLE) AS confidence,
      TRY_CAST(${c("latency_ms")} AS DOUBLE) AS latency_ms,
      TRY_CAST(${c("low_confidence")} AS BOOLEAN) AS low_confidence,
      TRY_CAST(${c("batch_size")} AS BIGINT) AS batch_size,
      TRY_CAST(${c("low_confidence_count")} AS BIGINT) AS low_confidence_count,
      CAST(${c("prediction_id")} AS VARCHAR) AS prediction_id,
      ${inBaseline} AS in_baseline
    FROM logs WHERE ${c("event")} IN (${COMPLETED.slice(1, -1)}, ${FAILED})`;
  try {
    await db.connection.run(sql);
  } catch (error) {
    const what = baseline === undefined ? "the report query" : `--baseline ${JSON.stringify(baseline)}`;
    throw new CliError(`${what} failed: ${firstLineOf(error)}`);
  }
}

/**
 * The report, one entry per model name and version, ordered by them. Items of a batch count one
 * each (`batch_size`); latency percentiles (linear interpolation, as numpy and pandas compute them)
 * are over completed calls, one value per call.
 */
export async function computeReport(db: LogsDatabase, options: ReportOptions): Promise<ModelReport[]> {
  await loadPredictions(db, options.baseline);
  const main = await rows(
    db,
    `SELECT model_name, model_version,
       sum(CASE WHEN event IN ${COMPLETED} THEN coalesce(batch_size, 1) ELSE 0 END) AS predictions,
       avg(CASE WHEN event IN ${COMPLETED} THEN prediction END) AS mean_prediction,
       sum(CASE WHEN event IN ${COMPLETED} THEN coalesce(low_confidence_count,
         CASE WHEN low_confidence OR event = 'low_confidence_prediction' THEN 1 ELSE 0 END) ELSE 0 END) AS low,
       quantile_cont(CASE WHEN event IN ${COMPLETED} THEN latency_ms END, [0.5, 0.95, 0.99]) AS latency,
       sum(CASE WHEN event = ${FAILED} THEN coalesce(batch_size, 1) ELSE 0 END) AS failures
     FROM predictions GROUP BY ALL`,
  );
  const reports = new Map<string, ModelReport>();
  const keyOf = (name: unknown, version: unknown) => JSON.stringify([name ?? null, version ?? null]);
  const entry = (name: unknown, version: unknown): ModelReport => {
    const key = keyOf(name, version);
    let report = reports.get(key);
    if (report === undefined) {
      report = {
        model_name: (name as string | null) ?? null,
        model_version: (version as string | null) ?? null,
        predictions: 0,
        mean_prediction: null,
        low_confidence_share: null,
        latency_p50_ms: null,
        latency_p95_ms: null,
        latency_p99_ms: null,
        failures: 0,
        accuracy: null,
        psi: null,
      };
      reports.set(key, report);
    }
    return report;
  };
  for (const row of main) {
    const r = entry(row.model_name, row.model_version);
    r.predictions = Number(row.predictions);
    r.mean_prediction = (row.mean_prediction as number | null) ?? null;
    r.low_confidence_share = r.predictions > 0 ? Number(row.low) / r.predictions : null;
    const latency = row.latency as (number | null)[] | null;
    r.latency_p50_ms = latency?.[0] ?? null;
    r.latency_p95_ms = latency?.[1] ?? null;
    r.latency_p99_ms = latency?.[2] ?? null;
    r.failures = Number(row.failures);
  }
  for (const row of await accuracyRows(db)) entry(row.model_name, row.model_version).accuracy = row.accuracy;
  if (options.baseline !== undefined) {
    for (const [key, psi] of await psiByGroup(db, options.psiField)) {
      const [name, version] = JSON.parse(key) as [string | null, string | null];
      entry(name, version).psi = psi;
    }
  }
  return [...reports.values()]
    .map((r) => toJsonValue(r) as ModelReport)
    .sort((a, b) => compare(a.model_name, b.model_name) || compare(a.model_version, b.model_version));
}

function compare(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

/**
 * Accuracy from `prediction_outcome` records, joined to their prediction by `prediction_id`
 * (across files and processes): an outcome's own `correct` when the helper joined it in process,
 * else whether `actual` equals the prediction (as numbers when both are, else as text).
 * Regression outcomes (`abs_error`) are not counted.
 */
async function accuracyRows(
  db: LogsDatabase,
): Promise<{ model_name: unknown; model_version: unknown; accuracy: number | null }[]> {
  if (!db.columns.has("event")) return [];
  const c = (name: string) => column(db, name);
  const result = await rows(
    db,
    `WITH outcomes AS (
       SELECT CAST(${c("prediction_id")} AS VARCHAR) AS prediction_id,
         CAST(${c("model_name")} AS VARCHAR) AS model_name,
         CAST(${c("model_version")} AS VARCHAR) AS model_version,
         TRY_CAST(${c("actual")} AS VARCHAR) AS actual_text,
         TRY_CAST(${c("actual")} AS DOUBLE) AS actual,
         TRY_CAST(${c("correct")} AS BOOLEAN) AS correct,
         ${c("abs_error")} IS NOT NULL AS regression
       FROM logs WHERE event = 'prediction_outcome'),
     predicted AS (
       SELECT prediction_id, any_value(model_name) AS model_name, any_value(model_version) AS model_version,
         any_value(prediction) AS prediction, any_value(prediction_text) AS prediction_text
       FROM predictions WHERE event IN ${COMPLETED} AND prediction_id IS NOT NULL GROUP BY prediction_id)
     SELECT coalesce(o.model_name, p.model_name) AS model_name,
       coalesce(o.model_version, p.model_version) AS model_version,
       avg(CASE WHEN o.regression THEN NULL
         ELSE CAST(coalesce(o.correct, o.actual = p.prediction, o.actual_text = p.prediction_text) AS DOUBLE) END) AS accuracy
     FROM outcomes o LEFT JOIN predicted p ON o.prediction_id = p.prediction_id
     GROUP BY ALL`,
  );
  return result.map((row) => ({
    model_name: row.model_name,
    model_version: row.model_version,
    accuracy: (row.accuracy as number | null) ?? null,
  }));
}

/** The PSI deciles: a group's values are binned on the edges of its model's baseline slice. */
const PSI_BINS = 10;

/**
 * PSI of each model version's records outside the baseline against the baseline records of the
 * same model name, on the baseline's deciles.
 */
async function psiByGroup(
  db: LogsDatabase,
  field: "prediction" | "confidence",
): Promise<Map<string, number>> {
  const quantiles = Array.from({ length: PSI_BINS - 1 }, (_, i) => (i + 1) / PSI_BINS).join(", ");
  const binned = await rows(
    db,
    `WITH edges AS (
       SELECT model_name, quantile_cont(${field}, [${quantiles}]) AS edges
       FROM predictions WHERE in_baseline AND event IN ${COMPLETED} AND ${field} IS NOT NULL GROUP BY model_name)
     SELECT p.model_name, p.model_version, p.in_baseline,
       len(list_filter(e.edges, lambda x: x < p.${field})) AS bin, count(*) AS n
     FROM predictions p JOIN edges e ON p.model_name IS NOT DISTINCT FROM e.model_name
     WHERE p.event IN ${COMPLETED} AND p.${field} IS NOT NULL
     GROUP BY ALL`,
  );
  const counts = () => new Array<number>(PSI_BINS).fill(0);
  const expected = new Map<string, number[]>();
  const actual = new Map<string, number[]>();
  for (const row of binned) {
    const bin = Number(row.bin);
    const model = JSON.stringify(row.model_name ?? null);
    const into = row.in_baseline ? expected : actual;
    const key = row.in_baseline ? model : JSON.stringify([row.model_name ?? null, row.model_version ?? null]);
    const list = into.get(key) ?? counts();
    list[bin]! += Number(row.n);
    into.set(key, list);
  }
  const result = new Map<string, number>();
  for (const [key, list] of actual) {
    const [name] = JSON.parse(key) as [string | null];
    const base = expected.get(JSON.stringify(name));
    if (base !== undefined) result.set(key, populationStabilityIndex(base, list));
  }
  return result;
}
