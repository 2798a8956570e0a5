/**
 * Logs for the output tests, as a service would, through the built package: WRITE_TO is `stdout`
 * or a file path; RECORDS records in bursts of BURST every INTERVAL_MS ms, and AT_EXIT more in an
 * `exit` listener that runs after the outputs' own. It measures the event-loop delay meanwhile and,
 * at exit (after the outputs' last flush and drop report), prints one JSON line to stderr:
 * {"logged", "dropped", "maxDelayMs"}.
 */
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createLogger, fileOutput, getDiagnostics, stdoutOutput } from "../dist/index.js";

const target = process.env.WRITE_TO ?? "stdout";
const records = Number(process.env.RECORDS ?? 10_000);
const burst = Number(process.env.BURST ?? 1000);
const interval = Number(process.env.INTERVAL_MS ?? 0);
const atExit = Number(process.env.AT_EXIT ?? 0);
const payload = "x".repeat(Number(process.env.PAYLOAD_BYTES ?? 60));
const output = target === "stdout" ? stdoutOutput({ format: "json" }) : fileOutput({ path: target });
const log = createLogger({ outputs: [output] });
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();

let logged = 0;
let maxDelayMs = 0;
process.on("exit", () => {
  for (let i = 0; i < atExit; i++) log.info("tick", { seq: logged++, payload });
  process.stderr.write(`${JSON.stringify({ logged, dropped: getDiagnostics().dropped, maxDelayMs })}\n`);
});

function tick() {
  for (let i = 0; i < burst && logged < records; i++) {
    log.info("tick", { seq: logged++, payload });
  }
  if (logged < records) setTimeout(tick, interval);
  else {
    delay.disable();
    maxDelayMs = delay.max / 1e6;
  }
}
tick();
