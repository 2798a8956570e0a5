import type { LogRecord, Processor } from "../record.js";
import { validSpanContext } from "../valid-span-context.js";

/**
 * Adds `xray_trace_id`, the active span's trace id in AWS X-Ray form (`1-<8 hex>-<24 hex>`), the key
 * CloudWatch uses to join log lines to traces. Outside a valid span the record is left untouched.
 * The ids are X-Ray-valid when the tracer uses `AWSXRayIdGenerator` (epoch seconds in the first 8 hex).
 * @example
 * createLogger({ processors: [...defaultProcessors(), addXrayTraceId()] });
 */
export function addXrayTraceId(): Processor {
  let lastTraceId = "";
  let lastXray = "";
  return (record: LogRecord) => {
    const spanContext = validSpanContext(record.context);
    if (spanContext === undefined) return record;
    const traceId = spanContext.traceId;
    if (traceId !== lastTraceId) {
      lastXray = `1-${traceId.slice(0, 8)}-${traceId.slice(8)}`;
      lastTraceId = traceId;
    }
    record.fields.xray_trace_id = lastXray;
    return record;
  };
}
