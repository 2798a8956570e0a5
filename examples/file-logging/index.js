// The tutorial's "Logging to a File": the same JSON records on stdout and appended to a file.
// The file is predictions.log in the current folder, or MLOBS_LOG_FILE.
import * as path from "node:path";
import { configure, fileOutput, getLogger, stdoutOutput } from "@mlobs/core";

const file = path.resolve(process.env.MLOBS_LOG_FILE ?? "predictions.log");

configure({ level: "debug", outputs: [stdoutOutput({ format: "json" }), fileOutput({ path: file })] });
const log = getLogger();

log.info("service_started", { port: 8080, model_version: "churn-v3" });
log.warn("high_latency_detected", { latency_ms: 850, threshold_ms: 500 });

// Flushes both outputs and closes the file.
await log.shutdown();
// On stderr, so stdout stays pure JSON lines for whatever reads it.
console.error(`The same records were appended to ${file}`);
