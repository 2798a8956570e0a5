// The suites of `pnpm bench`: which case files run, under which ids, against which baseline.
// A variant's `otel` says its records also reach OpenTelemetry ("only": no JSON line at all); the
// sample check then also wants every record there with the span's trace id.

const QUEUE_1M = { BENCH_OTEL_QUEUE: "1000000" };
const DELIVERY = [
  { key: "deliveredPerSec", title: "delivered/s" },
  { key: "dropped", title: "dropped" },
];
const ratio = (a, b) => (a / b).toFixed(2);

const SHAPES = ["flat", "dictionary", "keys30", "nested3", "array100", "error"];

/** @type {Record<string, object>} */
export const SUITES = {
  shapes: {
    title:
      "JSON lines to /dev/null by shape of the fields object: flat (prediction_complete), dictionary mode, 30 keys, nested 3 deep, 100 numbers, an Error with a cause (records/s)",
    baseline: "mlobs:flat",
    variants: SHAPES.flatMap((shape) => [
      { id: `mlobs:${shape}`, file: "mlobs", env: { BENCH_SHAPE: shape }, title: `mlobs, ${shape}` },
      { id: `pino:${shape}`, file: "pino", env: { BENCH_SHAPE: shape }, title: `pino, ${shape}` },
    ]),
    notes: (rate) =>
      `mlobs / pino by shape: ${SHAPES.map((shape) => `${shape} ${ratio(rate[`mlobs:${shape}`], rate[`pino:${shape}`])}x`).join(", ")} ` +
      "(target: >= 1.20x each, flat >= 1.50x)",
  },
  logs: {
    title:
      "JSON lines to /dev/null: prediction_complete, 3 bound fields, trace ids (records/s, higher is better)",
    baseline: "mlobs",
    variants: [
      { id: "mlobs", file: "mlobs", title: "mlobs createLogger + fileOutput" },
      { id: "mlobs-scope", file: "mlobs-scope", title: "mlobs, fields bound with bindContext() in a scope" },
      { id: "pino", file: "pino", title: "pino child + trace mixin, destination sync" },
      { id: "winston", file: "winston", title: "winston json() + Stream transport" },
      { id: "a1", file: "floor-a1", title: "floor: JSON.stringify + writeSync" },
      { id: "a2", file: "floor-a2", title: "floor: serialized prefix + writeSync" },
    ],
    notes: (rate) =>
      `mlobs / pino throughput: ${ratio(rate.mlobs, rate.pino)}x (target: >= 1.00x); ` +
      `mlobs-scope / pino: ${ratio(rate["mlobs-scope"], rate.pino)}x`,
  },
  otel: {
    title:
      "Cost of a log call with OpenTelemetry log sending (batch processor with a 1M queue, counting exporter; JSON to /dev/null)",
    baseline: "mlobs",
    variants: [
      { id: "mlobs", file: "mlobs", title: "mlobs JSON only (reference)" },
      { id: "mlobs+otel", file: "mlobs-otel", otel: true, env: QUEUE_1M, title: "mlobs JSON + otelOutput" },
      {
        id: "emit",
        file: "otel-emit",
        otel: "only",
        env: QUEUE_1M,
        title: "stock SDK logger.emit(), same attributes",
      },
      {
        id: "json+emit",
        file: "mlobs-json-emit",
        otel: true,
        env: QUEUE_1M,
        title: "mlobs JSON and stock emit() in the same call",
      },
      {
        id: "pino+otel",
        file: "pino-otel",
        otel: true,
        env: QUEUE_1M,
        title: "pino + instrumentation-pino log sending",
      },
    ],
    extra: DELIVERY,
    notes: (rate, results, median) => {
      const ns = (id) => median(results[id].map((r) => r.nsPerRecord));
      const budget = ns("emit") + ns("mlobs");
      return (
        `mlobs+otel: ${ns("mlobs+otel").toFixed(0)} ns/record; budget emit() + mlobs JSON: ${budget.toFixed(0)} ns ` +
        `(${ratio(ns("mlobs+otel"), budget)}x of budget, target <= 1.00x); against both in one call ` +
        `(json+emit): ${ratio(ns("mlobs+otel"), ns("json+emit"))}x; pino+otel / mlobs+otel throughput: ` +
        `${ratio(rate["pino+otel"], rate["mlobs+otel"])}x`
      );
    },
  },
  e2e: {
    title: "End to end over OTLP/HTTP to a sink process on 127.0.0.1 (delivered records/s, drops)",
    baseline: "stock",
    metric: "deliveredPerSec",
    sink: true,
    variants: [
      {
        id: "stock",
        file: "otel-http",
        otel: "only",
        title: "emit() + Batch defaults + OTLPLogExporter http/json",
      },
      {
        id: "stock-yield",
        file: "otel-http",
        otel: "only",
        mode: "yield",
        title: "stock, yielding every 256 calls",
      },
      {
        id: "stock-q",
        file: "otel-http",
        otel: "only",
        env: QUEUE_1M,
        title: "stock with maxQueueSize 1M (its delivery capacity)",
      },
      {
        id: "mlobs",
        file: "mlobs-e2e",
        otel: "only",
        title: "startTelemetry() defaults: otelOutput, http/protobuf",
      },
      {
        id: "mlobs-yield",
        file: "mlobs-e2e",
        otel: "only",
        mode: "yield",
        title: "mlobs, yielding every 256 calls",
      },
    ],
    extra: DELIVERY,
    notes: (_rate, results, median) => {
      const delivered = (id) => median(results[id].map((r) => r.deliveredPerSec));
      return (
        `delivered/s mlobs / stock: tight ${ratio(delivered("mlobs"), delivered("stock"))}x, ` +
        `yield ${ratio(delivered("mlobs-yield"), delivered("stock-yield"))}x (target >= 1.50x, zero drops); ` +
        `mlobs / stock-q (no drops either): ${ratio(delivered("mlobs"), delivered("stock-q"))}x`
      );
    },
  },
  buffer: {
    title:
      "The debug buffer: a debug call held in a request scope (never flushed) against an info call written to /dev/null",
    baseline: "mlobs",
    variants: [
      { id: "mlobs", file: "mlobs", title: "mlobs info call, JSON to /dev/null (reference)" },
      {
        id: "buffered-debug",
        file: "mlobs-buffered-debug",
        // Held, then discarded at the scope's end: the sample checks that no line is written.
        linesPerRecord: 0,
        title: "mlobs debug call held by buffer: {} (20 KB ring, evicting)",
      },
    ],
    notes: (_rate, results, median) => {
      const ns = (id, key) => median(results[id].map((r) => r[key]));
      const of = (key) => ratio(ns("buffered-debug", key), ns("mlobs", key));
      return `buffered debug call / info call: ${of("nsPerCall")}x ns/call, ${of("cpuNsPerRecord")}x CPU ns (target <= 2.00x)`;
    },
  },
  winston: {
    title:
      "winston to OpenTelemetry: JSON lines to /dev/null plus an OTel transport (batch, 1M queue, counting exporter)",
    baseline: "winston+mlobs",
    variants: [
      { id: "winston", file: "winston", title: "winston alone (reference)" },
      {
        id: "winston+mlobs",
        file: "winston-otel-mlobs",
        otel: true,
        env: QUEUE_1M,
        title: "+ @mlobs/winston-bridge OpenTelemetryTransport",
      },
      {
        id: "winston+contrib",
        file: "winston-otel-contrib",
        otel: true,
        env: QUEUE_1M,
        title: "+ @opentelemetry/winston-transport",
      },
      {
        id: "winston-yield",
        file: "winston",
        mode: "yield",
        title: "winston alone, yielding every 256 calls",
      },
      {
        id: "winston+mlobs-yield",
        file: "winston-otel-mlobs",
        otel: true,
        env: QUEUE_1M,
        mode: "yield",
        title: "+ mlobs transport, yielding",
      },
      {
        id: "winston+contrib-yield",
        file: "winston-otel-contrib",
        otel: true,
        env: QUEUE_1M,
        mode: "yield",
        title: "+ contrib transport, yielding",
      },
    ],
    extra: DELIVERY,
    notes: (rate) =>
      `winston+mlobs / winston+contrib throughput: tight ${ratio(rate["winston+mlobs"], rate["winston+contrib"])}x, ` +
      `yield ${ratio(rate["winston+mlobs-yield"], rate["winston+contrib-yield"])}x`,
  },
};
