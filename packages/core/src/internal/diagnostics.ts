import { shared } from "./global.js";

/** Counters of what went wrong without throwing into the caller. Read with `getDiagnostics()`. */
export interface Diagnostics {
  /**
   * Values that could not be encoded and were replaced by a marker (`[Circular]`, `NaN`,
   * `[Unserializable: …]`, a duplicate Map key), once per marker made.
   */
  unencodable: number;
  /** Values cut by a limit (`...[truncated N chars]`, `[N more items]`, `[N more keys]`, `[Object]`). */
  truncated: number;
  /**
   * Processors that threw or returned something that is not a record or `null`; the record went on
   * as the processor received it, with a `logging_error` field.
   */
  processorErrors: number;
  /** Outputs that threw or failed to write. */
  outputErrors: number;
  /**
   * Records that could not be delivered: written after shutdown, a destination failed past its
   * retries, or `log()` at a level that does not exist.
   */
  dropped: number;
  /** The last error of an OTLP export (`ECONNREFUSED`, `HTTP 503: ...`, a timeout), if any. */
  lastExportError?: string;
}

/** The counters, one set for every copy of this package (ES module and CommonJS builds). */
export const diagnostics: Diagnostics = shared("diagnostics", () => ({
  unencodable: 0,
  truncated: 0,
  processorErrors: 0,
  outputErrors: 0,
  dropped: 0,
}));

/** A snapshot of the process-wide counters of encoding, processor, output and delivery failures. */
export function getDiagnostics(): Readonly<Diagnostics> {
  return { ...diagnostics };
}

/**
 * Adds to the process-wide counters, for integrations (transports, bridges) that fail on their own
 * side of an output: what they lose is then reported with the rest.
 * @example
 * addDiagnostics({ outputErrors: 1, dropped: 1 });
 */
export function addDiagnostics(counts: Partial<Diagnostics>): void {
  for (const key of ["unencodable", "processorErrors", "outputErrors", "dropped"] as const) {
    const n = counts[key];
    if (typeof n === "number" && Number.isFinite(n) && n > 0) diagnostics[key] += n;
  }
}
