export declare const REPO_ROOT: string;
export declare const COLLECTOR_BIN: string;
export declare const SHIPPED_CONFIG: string;
/** One OTLP log record, flattened out of the file exporter's OTLP/JSON batches. */
export interface FlatRecord {
  traceId: string;
  spanId: string;
  severityText: string;
  severityNumber: number;
  eventName: string;
  body: unknown;
  attributes: Record<string, unknown>;
  resource: Record<string, unknown>;
  scope: string;
  timeUnixNano: string;
  observedTimeUnixNano: string;
}
export interface StartCollectorOptions {
  /** Config files or URIs, merged in order; defaults to the shipped otel-collector.yaml. */
  configs?: string[];
  /** Extra environment for the collector; wins over the ports and paths chosen here. */
  env?: Record<string, string>;
  /** How long to wait for health_check to answer 200 (default 30 s). */
  startTimeoutMs?: number;
}
export interface RunningCollector {
  /** Base URL of the OTLP/HTTP receiver, e.g. http://127.0.0.1:41234 (append /v1/logs). */
  otlpHttpUrl: string;
  /** host:port of the OTLP/gRPC receiver. */
  otlpGrpcEndpoint: string;
  healthUrl: string;
  /** The collector's own Prometheus metrics (otelcol_receiver_accepted_log_records...). */
  metricsUrl: string;
  /** Temp directory holding the file exporters' output (MLOBS_OTEL_OUT_DIR). */
  outputDir: string;
  /** The logs file (file/predictions exporter). */
  outputFile: string;
  /** Everything the collector has written to stdout (debug exporters), across restarts. */
  stdout(): string;
  /** Everything the collector has written to stderr (its own logs), across restarts. */
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and waits for exit; SIGKILL after 10 s. Output files stay. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops (SIGTERM) and starts again on the same ports, output and queue directories. */
  restart(): Promise<void>;
  /**
   * Log records in the output file, in order. The file exporter flushes every second and on
   * shutdown, so call it after stop() or inside waitFor().
   */
  readRecords(): Promise<FlatRecord[]>;
}
/** Starts the collector binary and resolves once its health_check answers 200. */
export declare function startCollector(options?: StartCollectorOptions): Promise<RunningCollector>;
type Truthy<T> = Exclude<T, false | 0 | "" | null | undefined>;
/**
 * Polls `predicate` until it returns a truthy value (which is returned) or `timeoutMs` passes.
 * A predicate that throws fails at once: use it for "this can never become true".
 */
export declare function waitFor<T>(
  predicate: () => T | Promise<T>,
  timeoutMs?: number,
  intervalMs?: number,
): Promise<Truthy<T>>;
/** Reads a file exporter output (one OTLP/JSON logs batch per line) as flat records. */
export declare function readRecords(file: string): Promise<FlatRecord[]>;
/** Flattens one OTLP/JSON ExportLogsServiceRequest into one object per log record. */
export declare function flattenLogsBatch(batch: OtlpLogsBatch): FlatRecord[];
/** Turns an OTLP/JSON AnyValue into the plain JS value it stands for. */
export declare function decodeAnyValue(value: OtlpAnyValue | undefined): unknown;
interface OtlpKeyValue {
  key: string;
  value?: OtlpAnyValue;
}
type OtlpAnyValue =
  | {
      stringValue: string;
    }
  | {
      boolValue: boolean;
    }
  | {
      intValue: string | number;
    }
  | {
      doubleValue: number | string;
    }
  | {
      bytesValue: string;
    }
  | {
      arrayValue?: {
        values?: OtlpAnyValue[];
      };
    }
  | {
      kvlistValue?: {
        values?: OtlpKeyValue[];
      };
    };
interface OtlpLogsBatch {
  resourceLogs?: {
    resource?: {
      attributes?: OtlpKeyValue[];
    };
    scopeLogs?: {
      scope?: {
        name?: string;
      };
      logRecords?: {
        timeUnixNano?: string;
        observedTimeUnixNano?: string;
        severityNumber?: number;
        severityText?: string;
        eventName?: string;
        body?: OtlpAnyValue;
        attributes?: OtlpKeyValue[];
        traceId?: string;
        spanId?: string;
      }[];
    }[];
  }[];
}
