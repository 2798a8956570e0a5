import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CliRun, jsonLines, runCli } from "./testing/run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-main-"));
const file = (name: string, content: string | Buffer) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const RECORD =
  '{"timestamp":"2026-01-02T03:04:05.678Z","level":"info","event":"prediction_complete","prediction":0.5}';
const good = file("good.jsonl", `${RECORD}\n${RECORD}\n`);

/** One line on stderr, no stack trace, and the exit code. */
function expectOneLineError(run: CliRun, code: number, mentions: string): void {
  expect(run.code).toBe(code);
  expect(run.stdout).toBe("");
  const lines = run.stderr.trimEnd().split("\n");
  expect(lines, run.stderr).toHaveLength(1);
  expect(lines[0]).toContain(mentions);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("mlobs: bad input gets one line on stderr and exit 1 or 2, never a stack trace", () => {
  const missing = join(dir, "missing.jsonl");
  const empty = file("empty.jsonl", "");
  const garbage = file(
    "garbage.bin",
    Buffer.from([0x00, 0xff, 0x13, 0x37, 0x0a, 0x1b, 0x5b, 0x32, 0x4a, 0x0a]),
  );
  const truncated = file("truncated.jsonl", `${RECORD}\n${RECORD}\n${RECORD.slice(0, 40)}`);
  const badGzip = file("bad.jsonl.gz", Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x01, 0x02]));

  for (const command of ["query", "report", "trace"]) {
    const args = (f: string) =>
      command === "query"
        ? ["query", "SELECT * FROM logs", f]
        : command === "trace"
          ? ["trace", "0af7651916cd43dd8448eb211c80319c", f]
          : ["report", f];
    it(`${command}: a missing file, an empty file, binary garbage, a truncated last line, a corrupt gzip`, async () => {
      expectOneLineError(await runCli(args(missing)), 1, `${missing}: no such file`);
      if (command !== "trace") expectOneLineError(await runCli(args(empty)), 1, `no log records in ${empty}`);
      // trace parses only the lines that hold the trace id: the others cannot be its records.
      const unread = command === "trace" ? "no record of trace" : undefined;
      expectOneLineError(await runCli(args(garbage)), 1, unread ?? `${garbage}:1: not JSON`);
      expectOneLineError(
        await runCli(args(truncated)),
        1,
        unread ?? `${truncated}:3: a JSON record cut short`,
      );
      expectOneLineError(await runCli(args(badGzip)), 1, badGzip);
    });
  }

  it("a bad SQL statement, a bad --baseline, and an unknown column fail with DuckDB's first line", async () => {
    expectOneLineError(await runCli(["query", "SELEC nothing", good]), 1, "query failed: Parser Error");
    expectOneLineError(
      await runCli(["query", "SELECT nope FROM logs", good]),
      1,
      "query failed: Binder Error",
    );
    expectOneLineError(await runCli(["report", "--baseline", "(((", good]), 1, "--baseline");
  });

  it("usage errors exit 2: no command, an unknown command or option, a missing argument, a bad value", async () => {
    expect((await runCli([])).code).toBe(2);
    expectOneLineError(await runCli(["frobnicate"]), 2, 'unknown command "frobnicate"');
    expectOneLineError(await runCli(["report", "--nope", good]), 2, "--nope");
    expectOneLineError(await runCli(["query", "SELECT 1"]), 2, "no FILE given");
    expectOneLineError(await runCli(["query", "--format", "xml", "SELECT 1", good]), 2, "table, json, csv");
    expectOneLineError(await runCli(["trace", "not-a-trace", good]), 2, "not a trace id");
    expectOneLineError(await runCli(["pretty", "-f"]), 2, "stdin");
  });

  it("--help on every command, exit 0", async () => {
    for (const command of ["pretty", "query", "report", "trace", "init"]) {
      const run = await runCli([command, "--help"]);
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(new RegExp(`^Usage: mlobs ${command} `));
    }
    const top = await runCli(["--help"]);
    expect(top.code).toBe(0);
    expect(top.stdout).toContain("report");
  });
});

describe("mlobs query", () => {
  const otlp = file(
    "otlp.jsonl",
    `${JSON.stringify({
      resourceLogs: [
        {
          resource: { attributes: [{ key: "service.name", value: { stringValue: "ml-api" } }] },
          scopeLogs: [
            {
              scope: { name: "@mlobs/core" },
              logRecords: [
                {
                  timeUnixNano: "1767323045678000000",
                  severityNumber: 17,
                  severityText: "error",
                  eventName: "prediction_failed",
                  body: { stringValue: "prediction_failed" },
                  traceId: "0af7651916cd43dd8448eb211c80319c",
                  spanId: "b7ad6b7169203331",
                  flags: 1,
                  attributes: [
                    { key: "model_version", value: { stringValue: "v2" } },
                    { key: "latency_ms", value: { doubleValue: 12.5 } },
                    { key: "exception.type", value: { stringValue: "TypeError" } },
                    { key: "exception.message", value: { stringValue: "input has NaN" } },
                    {
                      key: "features",
                      value: { kvlistValue: { values: [{ key: "age", value: { intValue: "35" } }] } },
                    },
                  ],
                },
              ],
            },
          ],
        },
      ],
    })}\n`,
  );

  it("flattens OTLP records into the JSON-lines columns: nested attributes as structs, resource as service_name", async () => {
    const sql =
      "SELECT timestamp, level, event, trace_id, span_id, model_version, latency_ms, exception.type AS type, error, features.age AS age, service_name FROM logs";
    const run = await runCli(["query", "--format", "json", sql, otlp]);
    expect(run.stderr).toBe("");
    expect(jsonLines(run.stdout)).toEqual([
      {
        timestamp: "2026-01-02T03:04:05.678Z",
        level: "error",
        event: "prediction_failed",
        trace_id: "0af7651916cd43dd8448eb211c80319c",
        span_id: "b7ad6b7169203331",
        model_version: "v2",
        latency_ms: 12.5,
        type: "TypeError",
        error: "TypeError: input has NaN",
        age: 35,
        service_name: "ml-api",
      },
    ]);
  });

  it("reads several files and globs into one view, and writes csv and a table", async () => {
    const sql = "SELECT event, count(*) AS n FROM logs GROUP BY event ORDER BY event";
    const csv = await runCli(["query", "--format", "csv", sql, good, join(dir, "otl?.jsonl")]);
    expect(csv.stderr).toBe("");
    expect(csv.stdout).toBe("event,n\r\nprediction_complete,2\r\nprediction_failed,1\r\n");
    const table = await runCli(["query", sql, join(dir, "*.jsonl")]);
    expect(table.code).toBe(1); // the glob also matches the truncated file
    const ok = await runCli(["query", sql, good]);
    expect(ok.stdout.split("\n")).toEqual([
      "event                n",
      "-------------------  -",
      "prediction_complete  2",
      "(1 row)",
      "",
    ]);
  });
});

describe("mlobs trace", () => {
  it("prints every record of one trace from JSON lines and OTLP files, oldest first", async () => {
    const id = "0af7651916cd43dd8448eb211c80319c";
    const jsonl = file(
      "trace.jsonl",
      [
        `{"timestamp":"2026-01-02T03:04:05.900Z","level":"info","event":"late","trace_id":"${id}"}`,
        `{"timestamp":"2026-01-02T03:04:05.000Z","level":"info","event":"other","trace_id":"${"1".repeat(32)}"}`,
        `{"timestamp":"2026-01-02T03:04:05.100Z","level":"info","event":"early","trace_id":"${id}"}`,
      ].join("\n"),
    );
    const run = await runCli(["trace", "--json", id.toUpperCase(), jsonl, join(dir, "otlp.jsonl")]);
    expect(run.stderr).toBe("");
    expect(jsonLines(run.stdout).map((r) => [r.event, r.service_name])).toEqual([
      ["early", undefined],
      ["prediction_failed", "ml-api"],
      ["late", undefined],
    ]);
    const pretty = await runCli(["trace", "--time", "iso", id, jsonl]);
    expect(pretty.stdout.split("\n")[0]).toMatch(/^2026-01-02T03:04:05.100Z \[info \] early /);
    expectOneLineError(await runCli(["trace", "f".repeat(32), jsonl]), 1, "no record of trace");
  });
});
