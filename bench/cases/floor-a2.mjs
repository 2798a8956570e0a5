// Floor a2: pino's trick by hand, a pre-serialized bound prefix, trace ids by concatenation,
// JSON.stringify of the call's fields, one fs.writeSync per line.
import * as fs from "node:fs";
import { trace } from "@opentelemetry/api";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const fd = fs.openSync(dest, "a");
  const prefix = `,"event":${JSON.stringify(EVENT)},${JSON.stringify(BOUND).slice(1, -1)}`;
  return {
    log(_i, f) {
      const { traceId, spanId, traceFlags } = trace.getActiveSpan().spanContext();
      const line = `{"level":"info","time":${Date.now()}${prefix},"trace_id":"${traceId}","span_id":"${spanId}","trace_flags":"0${traceFlags}",${JSON.stringify(f).slice(1)}\n`;
      fs.writeSync(fd, line);
    },
    flush() {},
    close: () => fs.closeSync(fd),
  };
}
