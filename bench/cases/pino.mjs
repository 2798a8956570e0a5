// pino sync: a child logger with the bound fields, a mixin adding the active span's ids.
import pino from "pino";
import { activeTraceFields, BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const destination = pino.destination({ dest, sync: true });
  const log = pino({ level: "info", mixin: activeTraceFields }, destination).child(BOUND);
  return {
    log: (_i, f) => log.info(f, EVENT),
    flush: () => destination.flushSync(),
  };
}
