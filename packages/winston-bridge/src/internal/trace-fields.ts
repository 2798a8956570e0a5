/** `trace_flags` as two lowercase hex digits, the form mlobs's JSON records use. */
export const FLAGS_HEX = Array.from({ length: 256 }, (_, flags) => flags.toString(16).padStart(2, "0"));

/** Keys the trace context is written under in winston records; never copied into OTel attributes. */
export const TRACE_KEYS: ReadonlySet<string> = new Set(["trace_id", "span_id", "trace_flags"]);
