// mlobs JSON: the default processor chain, bound fields, a file output on the destination.
import { createLogger, fileOutput } from "@mlobs/core";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const log = createLogger({ level: "info", outputs: [fileOutput({ path: dest })] }).bind(BOUND);
  return {
    log: (_i, f) => log.info(EVENT, f),
    flush: () => log.flush(),
    close: () => log.shutdown(),
  };
}
