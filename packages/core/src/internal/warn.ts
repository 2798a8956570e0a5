import * as fs from "node:fs";

/**
 * Writes a warning to stderr at once. Not `process.emitWarning()`: it prints on a later tick, so a
 * warning raised in an `exit` handler (the last flush of the buffered outputs) would never show.
 */
export function warn(message: string): void {
  try {
    fs.writeSync(2, `${message}\n`);
  } catch {
    // stderr itself is gone: the diagnostics counters still hold what happened.
  }
}
