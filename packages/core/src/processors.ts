export { type AddCallsiteOptions, addCallsite, type Callsite } from "./processors/add-callsite.js";
export {
  type AddDatadogContextOptions,
  addDatadogContext,
  type DatadogContext,
} from "./processors/add-datadog-context.js";
export { addXrayTraceId } from "./processors/add-xray-trace-id.js";
export { type FilterEventsOptions, filterEvents } from "./processors/filter-events.js";
export { filterLevel } from "./processors/filter-level.js";
export { type SampleOptions, sample } from "./processors/sample.js";
