import { PassThrough } from "node:stream";
import { bindContext, clearContext, withContext } from "@mlobs/core";
import { context, ROOT_CONTEXT, trace } from "@opentelemetry/api";
import { describe, expect, it } from "vitest";
import winston from "winston";
import { correlate } from "./correlate.js";
import { instrument } from "./instrument.js";
import { endLogger, getTracer, inSpan } from "./test-setup.js";

const { format } = winston;

/** A logger writing JSON lines into memory through correlate(). */
function jsonLogger(extra: winston.Logform.Format[] = []) {
  const stream = new PassThrough();
  let text = "";
  stream.on("data", (chunk) => {
    text += String(chunk);
  });
  const logger = winston.createLogger({
    format: format.combine(...extra, correlate(), format.json()),
    transports: [new winston.transports.Stream({ stream })],
  });
  return {
    logger,
    entries: () =>
      text
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe("correlate()", () => {
  it("adds trace_id, span_id and two-hex trace_flags of the span active at the call", async () => {
    const { logger, entries } = jsonLogger();
    instrument(logger);
    const { traceId } = await inSpan("request", () => logger.info("inside"));
    logger.info("outside");
    await endLogger(logger);
    const [inside, outside] = entries();
    expect(inside).toMatchObject({ message: "inside", trace_id: traceId, trace_flags: "01" });
    expect(inside?.span_id).toMatch(/^[0-9a-f]{16}$/);
    expect(outside).not.toHaveProperty("trace_id");
  });

  it("uses the context captured at the call, not the one active when the format runs", async () => {
    const { logger, entries } = jsonLogger();
    instrument(logger);
    // Cork the logger: the formats run later, at uncork(), outside the span.
    logger.cork();
    const { traceId } = await inSpan("request", () =>
      withContext({ request_id: "r-1" }, () => logger.info("deferred")),
    );
    context.with(ROOT_CONTEXT, () => logger.uncork());
    await endLogger(logger);
    expect(entries()[0]).toMatchObject({ message: "deferred", trace_id: traceId, request_id: "r-1" });
  });

  it("without instrument(), falls back to the context active when it runs", async () => {
    const { logger, entries } = jsonLogger();
    const { traceId } = await inSpan("request", () => logger.info("synchronous"));
    await endLogger(logger);
    expect(entries()[0]).toMatchObject({ trace_id: traceId });
  });

  it("adds the fields bound with withContext() and bindContext(); the call's meta wins", async () => {
    const { logger, entries } = jsonLogger();
    instrument(logger);
    await withContext({ request_id: "r-7", user_id: "u-1" }, async () => {
      logger.info("scoped", { user_id: "u-override" });
    });
    await (async () => {
      bindContext({ model_version: "3.1" });
      logger.info("bound");
      clearContext();
    })();
    await endLogger(logger);
    expect(entries()).toEqual([
      { level: "info", message: "scoped", request_id: "r-7", user_id: "u-override" },
      { level: "info", message: "bound", model_version: "3.1" },
    ]);
  });

  it("captures for child loggers and for loggers instrumented twice", async () => {
    const { logger, entries } = jsonLogger();
    instrument(instrument(logger));
    const child = logger.child({ component: "ranker" });
    logger.cork();
    const { traceId } = await inSpan("request", () => child.info("from child"));
    logger.uncork();
    await endLogger(logger);
    expect(entries()[0]).toMatchObject({ component: "ranker", trace_id: traceId });
  });

  it("reads the context @opentelemetry/instrumentation-winston captured when instrument() did not", () => {
    const span = getTracer().startSpan("elsewhere");
    const info = {
      level: "info",
      message: "contrib",
      [Symbol.for("opentelemetry.js.contrib.winston.context")]: trace.setSpan(ROOT_CONTEXT, span),
    };
    const out = correlate().transform(info) as Record<string, unknown>;
    expect(out.trace_id).toBe(span.spanContext().traceId);
    span.end();
  });

  it("keeps the captured context out of prettyPrint() output", async () => {
    const stream = new PassThrough();
    let text = "";
    stream.on("data", (chunk) => {
      text += String(chunk);
    });
    const pretty = instrument(
      winston.createLogger({
        format: format.prettyPrint(),
        transports: [new winston.transports.Stream({ stream })],
      }),
    );
    await inSpan("request", () => pretty.info("pretty"));
    await endLogger(pretty);
    expect(text).toContain("[mlobs captured context]");
    expect(text).not.toContain("_currentContext");
  });
});
