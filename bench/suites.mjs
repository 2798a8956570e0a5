// The suites of `pnpm bench`: which case files run, under which ids, against which baseline.

/** @type {Record<string, {title: string, baseline: string, variants: object[], extra?: object[]}>} */
export const SUITES = {
  logs: {
    title:
      "JSON lines to /dev/null: prediction_complete, 3 bound fields, trace ids (records/s, higher is better)",
    baseline: "mlobs",
    variants: [
      { id: "mlobs", file: "mlobs", title: "mlobs createLogger + fileOutput" },
      { id: "pino", file: "pino", title: "pino child + trace mixin, destination sync" },
      { id: "winston", file: "winston", title: "winston json() + Stream transport" },
      { id: "a1", file: "floor-a1", title: "floor: JSON.stringify + writeSync" },
      { id: "a2", file: "floor-a2", title: "floor: serialized prefix + writeSync" },
    ],
    notes: (rate) => `mlobs / pino throughput: ${(rate.mlobs / rate.pino).toFixed(2)}x (target: >= 1.00x)`,
  },
};
