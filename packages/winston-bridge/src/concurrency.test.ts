import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { setTimeout as sleep, setImmediate as tick } from "node:timers/promises";
import { withContext } from "@mlobs/core";
import { afterEach, describe, expect, it } from "vitest";
import winston from "winston";
import { correlate } from "./correlate.js";
import { instrument } from "./instrument.js";
import { OpenTelemetryTransport } from "./open-telemetry-transport.js";
import { captureConsole, endLogger, inSpan, memoryLogs } from "./test-setup.js";

const REQUESTS = 200;
const RECORDS_PER_REQUEST = 25;

/** A random await: a microtask, a macrotask, or a timer of up to 3 ms. */
async function randomAwait(): Promise<void> {
  const pick = Math.random();
  if (pick < 0.3) await Promise.resolve();
  else if (pick < 0.7) await tick();
  else await sleep(Math.floor(Math.random() * 4));
}

let dir: string | undefined;
afterEach(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

/** Checks each line: its own request's trace id, and every (request, step) exactly once. */
function checkLines(entries: Record<string, unknown>[], traceIds: Map<string, string>): void {
  expect(entries).toHaveLength(REQUESTS * RECORDS_PER_REQUEST);
  const seen = new Set<string>();
  let correct = 0;
  for (const entry of entries) {
    if (entry.trace_id === traceIds.get(String(entry.request_id))) correct++;
    seen.add(`${entry.request_id}/${entry.step}`);
  }
  expect(correct).toBe(entries.length);
  expect(seen.size).toBe(entries.length);
}

describe("correlation under 200 concurrent requests with random awaits", () => {
  it("every record carries its own request's trace id in Console, File and OpenTelemetry; none lost or doubled", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-winston-"));
    const filename = path.join(dir, "app.log");
    const captured = captureConsole();
    const otel = memoryLogs("batch");
    const logger = instrument(
      winston.createLogger({
        format: winston.format.combine(correlate(), winston.format.json()),
        transports: [
          new winston.transports.Console(),
          new winston.transports.File({ filename }),
          new OpenTelemetryTransport({ loggerProvider: otel.provider }),
        ],
      }),
    );
    const traceIds = new Map<string, string>();
    try {
      await Promise.all(
        Array.from({ length: REQUESTS }, async (_, i) => {
          const requestId = `req-${i}`;
          const { traceId } = await inSpan("request", () =>
            withContext({ request_id: requestId }, async () => {
              for (let step = 0; step < RECORDS_PER_REQUEST; step++) {
                logger.info("step_done", { step });
                await randomAwait();
              }
            }),
          );
          traceIds.set(requestId, traceId);
        }),
      );
      await endLogger(logger);
    } finally {
      captured.restore();
    }
    checkLines(captured.parsed(), traceIds);
    const lines = fs.readFileSync(filename, "utf8").split("\n").filter(Boolean);
    checkLines(
      lines.map((line) => JSON.parse(line) as Record<string, unknown>),
      traceIds,
    );
    const records = otel.records();
    checkLines(
      records.map((record) => ({ ...record.attributes, trace_id: record.spanContext?.traceId })),
      traceIds,
    );
  });
});
