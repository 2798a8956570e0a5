// The tutorial's "First Steps": three events, each with its fields as arguments, never a
// hand-built string. The console renderer is for people; colors follow the terminal
// (off in a pipe, NO_COLOR and FORCE_COLOR honoured).
import { configure, getLogger } from "@mlobs/core";

configure({ format: "console" });
const log = getLogger();

log.info("prediction_complete", { prediction: 0.87, latency_ms: 142 });
log.warn("low_confidence", { prediction: 0.51, threshold: 0.6 });
log.error("model_failed", { error: "ValueError: input has NaN" });
