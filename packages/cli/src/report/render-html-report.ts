import type { LogsDatabase } from "../duckdb/open-logs.js";
import { COMPLETED, type ModelReport } from "./compute-report.js";
import { rows } from "./sql.js";
import { barChart, escapeXml, lineChart, type Series } from "./svg-charts.js";

const LATENCY_BINS = 30;
const PREDICTION_BINS = 20;
const MAX_LABELS = 20;
const TIME_BUCKETS = 40;
const BUCKET_WIDTHS_MS = [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 10800, 21600, 43200, 86400, 604800].map(
  (s) => s * 1000,
);

/** `model_name model_version`, the name of one series. */
const SERIES = "concat_ws(' ', coalesce(model_name, '(no model_name)'), model_version)";

/**
 * One self-contained HTML page (inline CSS and SVG, no script, nothing fetched): the report as a
 * table, then the latency histogram, the low-confidence share and p95 latency over time, and the
 * prediction distribution, each per model version. Reads the `predictions` table of computeReport().
 */
export async function renderHtmlReport(db: LogsDatabase, models: readonly ModelReport[]): Promise<string> {
  const figures = [
    await latencyHistogram(db),
    ...(await overTime(db)),
    await predictionDistribution(db),
  ].filter((f): f is string => f !== undefined);
  const keys = Object.keys(models[0] ?? {});
  const cell = (v: unknown) =>
    `<td>${escapeXml(v === null ? "null" : typeof v === "number" ? String(Math.round(v * 1e4) / 1e4) : String(v))}</td>`;
  const table = `<table><thead><tr>${keys.map((k) => `<th>${escapeXml(k)}</th>`).join("")}</tr></thead><tbody>${models
    .map((m) => `<tr>${keys.map((k) => cell((m as unknown as Record<string, unknown>)[k])).join("")}</tr>`)
    .join("")}</tbody></table>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>mlobs report</title>
<style>
body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}
table{border-collapse:collapse;font-size:12px}th,td{border:1px solid #ccc;padding:3px 6px;text-align:right}
th{background:#f3f3f3}figure{margin:24px 0}figcaption{font-weight:bold;margin-bottom:4px}
.legend span{margin-right:14px;font-size:12px}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px}
</style></head><body>
<h1>mlobs report</h1>
${table}
${figures.join("\n")}
</body></html>
`;
}

function figure(caption: string, svg: string): string {
  return `<figure><figcaption>${escapeXml(caption)}</figcaption>${svg}</figure>`;
}

/** The distinct series names, in order. */
async function seriesNames(db: LogsDatabase): Promise<string[]> {
  const result = await rows(db, `SELECT DISTINCT ${SERIES} AS s FROM predictions ORDER BY s`);
  return result.map((r) => String(r.s));
}

/** Rows of (s, k, v) as one series per name over the keys 0..count-1. */
function toSeries(names: string[], count: number, result: Record<string, unknown>[]): Series[] {
  const byName = new Map(names.map((n) => [n, new Array<number | null>(count).fill(null)]));
  for (const r of result) {
    const values = byName.get(String(r.s));
    const k = Number(r.k);
    if (values !== undefined && k >= 0 && k < count) values[k] = r.v === null ? null : Number(r.v);
  }
  return names
    .map((name) => ({ name, values: byName.get(name)! }))
    .filter((s) => s.values.some((v) => v !== null));
}

async function latencyHistogram(db: LogsDatabase): Promise<string | undefined> {
  const [range] = await rows(
    db,
    `SELECT min(latency_ms) AS lo, max(latency_ms) AS hi FROM predictions WHERE event IN ${COMPLETED}`,
  );
  if (range?.lo === null || range?.lo === undefined) return undefined;
  const lo = Number(range.lo);
  const width = Math.max((Number(range.hi) - lo) / LATENCY_BINS, 1e-9);
  const names = await seriesNames(db);
  const result = await rows(
    db,
    `SELECT ${SERIES} AS s, least(floor((latency_ms - ${lo}) / ${width}), ${LATENCY_BINS - 1}) AS k, count(*) AS v
     FROM predictions WHERE event IN ${COMPLETED} AND latency_ms IS NOT NULL GROUP BY ALL`,
  );
  const categories = Array.from({ length: LATENCY_BINS }, (_, i) => `${Math.round(lo + i * width)}`);
  return figure(
    "Latency histogram (completed predictions)",
    barChart({
      label: "latency histogram",
      categories,
      series: toSeries(names, LATENCY_BINS, result),
      xLabel: "latency_ms (bin start)",
      yLabel: "calls",
    }),
  );
}

async function overTime(db: LogsDatabase): Promise<string[]> {
  const [range] = await rows(
    db,
    `SELECT epoch_ms(min(time)) AS lo, epoch_ms(max(time)) AS hi FROM predictions WHERE event IN ${COMPLETED}`,
  );
  if (range?.lo === null || range?.lo === undefined) return [];
  const lo = Number(range.lo);
  const span = Number(range.hi) - lo;
  const width = BUCKET_WIDTHS_MS.find((w) => w * TIME_BUCKETS >= span) ?? BUCKET_WIDTHS_MS.at(-1)!;
  const start = Math.floor(lo / width) * width;
  const count = Math.floor((Number(range.hi) - start) / width) + 1;
  const names = await seriesNames(db);
  const result = await rows(
    db,
    `SELECT ${SERIES} AS s, (epoch_ms(time) - ${start}) // ${width} AS k,
       sum(coalesce(low_confidence_count, CASE WHEN low_confidence OR event = 'low_confidence_prediction' THEN 1 ELSE 0 END))
         / sum(coalesce(batch_size, 1)) AS low,
       quantile_cont(latency_ms, 0.95) AS p95
     FROM predictions WHERE event IN ${COMPLETED} AND time IS NOT NULL GROUP BY ALL`,
  );
  const times = Array.from({ length: count }, (_, i) => start + i * width);
  const pick = (key: string) => result.map((r) => ({ s: r.s, k: r.k, v: r[key] }));
  return [
    figure(
      `Low-confidence share over time (${width / 1000} s buckets)`,
      lineChart({
        label: "low-confidence share over time",
        times,
        series: toSeries(names, count, pick("low")),
        yLabel: "low_confidence share",
      }),
    ),
    figure(
      `p95 latency over time (${width / 1000} s buckets)`,
      lineChart({
        label: "p95 latency over time",
        times,
        series: toSeries(names, count, pick("p95")),
        yLabel: "latency_ms p95",
      }),
    ),
  ];
}

async function predictionDistribution(db: LogsDatabase): Promise<string | undefined> {
  const names = await seriesNames(db);
  const [range] = await rows(
    db,
    `SELECT min(prediction) AS lo, max(prediction) AS hi, count(prediction) AS numeric, count(prediction_text) AS any
     FROM predictions WHERE event IN ${COMPLETED}`,
  );
  if (range === undefined || Number(range.any) === 0) return undefined;
  const share = `count(*) / sum(count(*)) OVER (PARTITION BY ${SERIES})`;
  if (Number(range.numeric) === Number(range.any)) {
    const lo = Number(range.lo);
    const width = Math.max((Number(range.hi) - lo) / PREDICTION_BINS, 1e-9);
    const result = await rows(
      db,
      `SELECT ${SERIES} AS s, least(floor((prediction - ${lo}) / ${width}), ${PREDICTION_BINS - 1}) AS k, ${share} AS v
       FROM predictions WHERE event IN ${COMPLETED} AND prediction IS NOT NULL GROUP BY 1, 2`,
    );
    const categories = Array.from(
      { length: PREDICTION_BINS },
      (_, i) => `${Math.round((lo + i * width) * 100) / 100}`,
    );
    return figure(
      "Prediction distribution per model version",
      barChart({
        label: "prediction distribution",
        categories,
        series: toSeries(names, PREDICTION_BINS, result),
        xLabel: "prediction (bin start)",
        yLabel: "share of predictions",
      }),
    );
  }
  const labels = (
    await rows(
      db,
      `SELECT prediction_text AS label FROM predictions WHERE event IN ${COMPLETED} AND prediction_text IS NOT NULL
       GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT ${MAX_LABELS}`,
    )
  ).map((r) => String(r.label));
  const index = new Map(labels.map((l, i) => [l, i]));
  const result = await rows(
    db,
    `SELECT ${SERIES} AS s, prediction_text AS label, ${share} AS v
     FROM predictions WHERE event IN ${COMPLETED} AND prediction_text IS NOT NULL GROUP BY 1, 2`,
  );
  const keyed = result.map((r) => ({ s: r.s, k: index.get(String(r.label)) ?? -1, v: r.v }));
  return figure(
    `Prediction distribution per model version (the ${labels.length} most frequent labels)`,
    barChart({
      label: "prediction distribution",
      categories: labels,
      series: toSeries(names, labels.length, keyed),
      xLabel: "prediction",
      yLabel: "share of predictions",
    }),
  );
}
