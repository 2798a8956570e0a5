// mlobs with the debug buffer: debug calls inside one scope that never flushes, so each one is
// processed, measured and held (the 20 KB ring evicting the oldest), and nothing reaches the file.
import { createLogger, fileOutput, scoped } from "@mlobs/core";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const log = createLogger({ level: "info", outputs: [fileOutput({ path: dest })], buffer: {} }).bind(BOUND);
  return {
    log: (_i, f) => log.debug(EVENT, f),
    // The timed loop runs in one request scope, as a handler's debug calls do.
    within: (run) => scoped(run)(),
    flush: () => log.flush(),
    close: () => log.shutdown(),
  };
}
