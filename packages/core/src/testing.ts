import { renderJson } from "./encode/json.js";
import type { Fields, LogRecord, Output } from "./record.js";

/** An output that keeps what it is given, for tests (structlog's `capture_logs`). */
export interface LogCapture extends Output {
  /** Each record as its JSON line parses: what a log pipeline downstream would see. */
  readonly entries: Fields[];
  /** The records themselves, as the processors left them. */
  readonly records: LogRecord[];
  /** Forgets what was captured. */
  clear(): void;
}

/**
 * Creates an output that captures records, to assert on in tests.
 * @example
 * const capture = createLogCapture();
 * const log = createLogger({ outputs: [capture] });
 * log.info("model_loaded", { model: "churn-v3" });
 * expect(capture.entries[0]).toMatchObject({ event: "model_loaded", model: "churn-v3" });
 */
export function createLogCapture(): LogCapture {
  const entries: Fields[] = [];
  const records: LogRecord[] = [];
  return {
    entries,
    records,
    write(record) {
      records.push(record);
      entries.push(JSON.parse(renderJson(record)) as Fields);
    },
    flush: async () => {},
    shutdown: async () => {},
    clear() {
      entries.length = 0;
      records.length = 0;
    },
  };
}
