import type * as http from "node:http";
import { gzip } from "node:zlib";
import { createOtlpNetworkExportDelegate, OTLPExporterBase } from "@opentelemetry/otlp-exporter-base";
import {
  convertLegacyHttpOptions,
  createOtlpHttpExporterMetrics,
} from "@opentelemetry/otlp-exporter-base/node-http";
import {
  JsonLogsSerializer,
  LogsExporterMetricsHelper,
  ProtobufLogsSerializer,
} from "@opentelemetry/otlp-transformer";
import type { LogRecordExporter, ReadableLogRecord } from "@opentelemetry/sdk-logs";
import { unrefAgentFactory } from "./unref-agent.js";

type HttpConfiguration = ReturnType<typeof convertLegacyHttpOptions>;
type ExportResponse = Awaited<ReturnType<Parameters<typeof createOtlpNetworkExportDelegate>[3]["send"]>>;

/** An export failure as `BoundedBatchProcessor` reads it: whether to retry, and when. */
class ExportError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly code?: number | string,
    readonly retryAfterMillis?: number,
  ) {
    super(message);
  }
}

/** The bytes of a response body kept for a drop report. */
const BODY_EXCERPT = 200;

/**
 * The OTLP/HTTP log exporter (protobuf, or OTLP/JSON), configured from the options and the
 * `OTEL_EXPORTER_OTLP_(LOGS_)*` variables exactly as `@opentelemetry/exporter-logs-otlp-*`, with
 * OpenTelemetry's serializers and export delegate. Only the transport differs: it sends each request
 * once, so `BoundedBatchProcessor` is the one retry policy, and it keeps what the stock transport
 * drops from the error (the status, an excerpt of the body, `Retry-After`). Its sockets never keep
 * the process alive: the shutdown deadline does that, and no longer.
 */
export function otlpHttpLogExporter(format: "protobuf" | "json", url: string | undefined): LogRecordExporter {
  const contentType = format === "json" ? "application/json" : "application/x-protobuf";
  const options = convertLegacyHttpOptions(
    { ...(url === undefined ? {} : { url }), httpAgentOptions: unrefAgentFactory },
    "LOGS",
    "v1/logs",
    { "Content-Type": contentType },
  );
  let agent: Promise<http.Agent> | undefined;
  return new OTLPExporterBase<ReadableLogRecord[]>(
    createOtlpNetworkExportDelegate(
      options,
      format === "json" ? JsonLogsSerializer : ProtobufLogsSerializer,
      createOtlpHttpExporterMetrics(
        `otlp_http_${format === "json" ? "json" : "proto"}_log_exporter`,
        LogsExporterMetricsHelper,
        options.url,
        undefined,
      ),
      {
        send: (data, timeoutMillis) => {
          agent ??= Promise.resolve(options.agentFactory(new URL(options.url).protocol));
          return send(options, agent, data, timeoutMillis);
        },
        shutdown() {},
      },
    ),
  );
}

async function send(
  options: HttpConfiguration,
  agents: Promise<http.Agent>,
  data: Uint8Array,
  timeoutMillis: number,
): Promise<ExportResponse> {
  const url = new URL(options.url);
  // Loaded when first used, as the OpenTelemetry transports do: the HTTP instrumentation patches the
  // module first, and our requests run with tracing suppressed.
  const { request } = url.protocol === "https:" ? await import("node:https") : await import("node:http");
  const agent = await agents;
  const headers = { ...(await options.headers()) };
  let body: Uint8Array = data;
  if (options.compression === "gzip") {
    body = await new Promise<Buffer>((resolve, reject) =>
      gzip(data, (error, zipped) => (error ? reject(error) : resolve(zipped))),
    );
    headers["Content-Encoding"] = "gzip";
  }
  return new Promise<ExportResponse>((resolve) => {
    const fail = (error: ExportError) => resolve({ status: "failure", error });
    const req = request(url, { method: "POST", headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < BODY_EXCERPT * 4) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("error", (error) => fail(networkError(error)));
      res.on("end", () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) {
          resolve({ status: "success", data: Buffer.concat(chunks) });
          return;
        }
        const excerpt = Buffer.concat(chunks).toString("utf8").slice(0, BODY_EXCERPT).trim();
        const retryAfter = retryAfterMillis(res.headers["retry-after"]);
        const message = `HTTP ${status}${res.statusMessage ? ` ${res.statusMessage}` : ""}${
          excerpt === "" ? "" : `: ${excerpt}`
        }${retryAfter === undefined ? "" : ` (Retry-After ${Math.round(retryAfter / 1000)} s)`}`;
        fail(new ExportError(message, RETRYABLE_STATUS.has(status), status, retryAfter));
      });
    });
    req.setTimeout(timeoutMillis, () => {
      req.destroy();
      fail(new ExportError(`no answer from ${url.host} within ${timeoutMillis} ms`, true, "ETIMEDOUT"));
    });
    req.on("error", (error) => fail(networkError(error)));
    req.end(body);
  });
}

/** Retryable per the OTLP specification (OTLP/HTTP "Retryable Response Codes"). */
const RETRYABLE_STATUS = new Set([429, 502, 503, 504]);

function networkError(error: Error): ExportError {
  const code = (error as NodeJS.ErrnoException).code;
  const message =
    code !== undefined && !error.message.includes(code) ? `${code}: ${error.message}` : error.message;
  return new ExportError(message, true, code);
}

/** `Retry-After` in seconds or as an HTTP date, in milliseconds. */
function retryAfterMillis(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}
