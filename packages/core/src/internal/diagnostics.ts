/** Counters of what went wrong without throwing into the caller. Read with `getDiagnostics()`. */
export interface Diagnostics {
  /** Values that could not be encoded and were replaced by a marker. */
  unencodable: number;
  /** Processors that threw; the record was still written, with a `logging_error` field. */
  processorErrors: number;
  /** Outputs that threw or failed to write. */
  outputErrors: number;
  /** Records an output could not deliver (written after shutdown, destination failed past its retries). */
  dropped: number;
}

export const diagnostics: Diagnostics = { unencodable: 0, processorErrors: 0, outputErrors: 0, dropped: 0 };

/** A snapshot of the process-wide counters of encoding, processor, output and delivery failures. */
export function getDiagnostics(): Readonly<Diagnostics> {
  return { ...diagnostics };
}
