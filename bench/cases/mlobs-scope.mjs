// mlobs JSON with the request's fields bound through its scope (bindContext() in a scoped()
// call, as in an HTTP handler) instead of logger.bind(): mergeContext() adds them to each record.
import { bindContext, createLogger, fileOutput, scoped } from "@mlobs/core";
import { BOUND, EVENT } from "../workload.mjs";

export async function setup({ dest }) {
  const log = createLogger({ level: "info", outputs: [fileOutput({ path: dest })] });
  return {
    log: (_i, f) => log.info(EVENT, f),
    // The timed run is one request: its scope binds the fields once, then every call logs in it.
    within: scoped((run) => {
      bindContext(BOUND);
      return run();
    }),
    flush: () => log.flush(),
    close: () => log.shutdown(),
  };
}
