// winston: json() format with a format adding the active span's ids, a Stream transport.
import { once } from "node:events";
import * as fs from "node:fs";
import { setImmediate as tick } from "node:timers/promises";
import winston from "winston";
import { activeTraceFields, BOUND, EVENT } from "../workload.mjs";

const traceFormat = winston.format((info) => Object.assign(info, activeTraceFields()));

/** The winston logger of every winston case: JSON lines to `dest`, plus `extra` transports. */
export async function createWinston(dest, extra = []) {
  const stream = fs.createWriteStream(dest, { flags: "a" });
  await once(stream, "open");
  const transport = new winston.transports.Stream({ stream });
  const root = winston.createLogger({
    level: "info",
    format: winston.format.combine(traceFormat(), winston.format.timestamp(), winston.format.json()),
    transports: [transport, ...extra],
  });
  const log = root.child(BOUND);
  return {
    log: (_i, f) => log.info(EVENT, f),
    // winston has no flush: wait until the logger, the transports and the file stream are all empty.
    async flush() {
      let idle = 0;
      while (idle < 3) {
        await tick();
        const busy =
          root.writableLength > 0 ||
          root.readableLength > 0 ||
          [transport, ...extra].some((t) => t.writableLength > 0) ||
          stream.writableLength > 0 ||
          stream.pending;
        idle = busy ? 0 : idle + 1;
      }
    },
  };
}

export async function setup({ dest }) {
  return createWinston(dest);
}
