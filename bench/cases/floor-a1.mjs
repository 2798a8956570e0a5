// Floor a1: JSON.stringify of the merged record, one fs.writeSync per line.
import * as fs from "node:fs";
import { activeTraceFields, BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const fd = fs.openSync(dest, "a");
  return {
    log(_i, f) {
      const line = `${JSON.stringify({ level: "info", time: Date.now(), event: EVENT, ...BOUND, ...activeTraceFields(), ...f })}\n`;
      fs.writeSync(fd, line);
    },
    flush() {},
    close: () => fs.closeSync(fd),
  };
}
