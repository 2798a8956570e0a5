import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SignatureV4 } from "@smithy/signature-v4";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import type { FlatPoint, FlatRecord, FlatSpan } from "../../packages/core/test/decode-otlp.js";
import { type Entry, runExample as runShared } from "../run-example.js";
import {
  COLLECTOR_BIN,
  COLLECTOR_CONFIGS,
  REPO_ROOT,
  type RunningCollector,
  SHIPPED_CONFIG,
  startCollector,
  waitFor,
} from "./collector.js";
import { startCloudWatchOtlp, verifySigV4 } from "./stand-ins/cloudwatch-otlp.js";
import { startDatadogIntake } from "./stand-ins/datadog-intake.js";
import { NodeSha256 } from "./stand-ins/node-sha256.js";

const EXAMPLE_DIR = join(REPO_ROOT, "examples/ml-prediction");

// Fake AWS credentials, and no instance metadata service: the AWS SDK in the collector must never
// look for credentials beyond this environment.
const AWS = {
  region: "eu-west-1",
  service: "logs",
  accessKeyId: "AKIAMLOBSTESTKEY0001",
  secretAccessKey: "mlobs-test-secret-access-key",
};
const awsEnv = (secretAccessKey = AWS.secretAccessKey) => ({
  AWS_EC2_METADATA_DISABLED: "true",
  AWS_CONFIG_FILE: "/nonexistent/mlobs-test",
  AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/mlobs-test",
  AWS_REGION: AWS.region,
  AWS_ACCESS_KEY_ID: AWS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: secretAccessKey,
  CLOUDWATCH_LOG_GROUP: "/mlobs/churn",
  CLOUDWATCH_LOG_STREAM: "churn-model",
});

/** The stand-in's three paths as the overlay's endpoint variables. */
const cloudWatchEndpoints = (url: string) => ({
  CLOUDWATCH_OTLP_ENDPOINT_LOGS: `${url}/v1/logs`,
  CLOUDWATCH_OTLP_ENDPOINT_TRACES: `${url}/v1/traces`,
  CLOUDWATCH_OTLP_ENDPOINT_METRICS: `${url}/v1/metrics`,
});

/** Keys of the example's JSON lines that are OTLP record fields, not attributes. */
const ENVELOPE = new Set(["timestamp", "level", "event", "logger", "trace_id", "span_id", "trace_flags"]);

/** Runs examples/ml-prediction against the collector; its stdout JSON lines are what must arrive. */
async function runExample(otlpHttpUrl: string): Promise<Entry[]> {
  const { code, entries, stderr } = await runShared(EXAMPLE_DIR, {
    OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttpUrl,
  });
  expect(code, stderr).toBe(0);
  expect(entries.map((e) => e.event)).toEqual([
    "request_received",
    // The low-confidence and the failed request's debug lines, held until then (the debug buffer).
    "request_parsed",
    "features_normalized",
    "model_scored",
    "low_confidence_prediction",
    "request_received",
    "prediction_complete",
    "request_received",
    "request_parsed",
    "prediction_failed",
    "prediction_outcome",
    "prediction_outcome",
  ]);
  return entries;
}

/** Asserts that every example record arrived once, with its trace and span ids, level and fields. */
function expectSameRecords(entries: Entry[], received: FlatRecord[]) {
  expect(received).toHaveLength(entries.length);
  for (const entry of entries) {
    // Outcomes are recorded outside any trace: their prediction_id tells them apart.
    const matches = received.filter(
      (r) =>
        r.traceId === (entry.trace_id ?? "") &&
        r.eventName === entry.event &&
        r.attributes.prediction_id === entry.prediction_id,
    );
    expect(matches, `${entry.event} ${entry.trace_id}`).toHaveLength(1);
    const [record] = matches as [FlatRecord];
    expect(record).toMatchObject({
      spanId: entry.span_id ?? "",
      severityText: entry.level,
      body: entry.event,
    });
    expect(record.timeUnixNano).toBe(String(BigInt(Date.parse(entry.timestamp as string)) * 1_000_000n));
    expect(record.resource).toMatchObject({ "service.name": "churn-model", "service.version": "churn-v3.2" });
    for (const [key, value] of Object.entries(entry)) {
      if (ENVELOPE.has(key) || key === "error" || key === "exception") continue;
      expect(record.attributes[key], key).toEqual(value);
    }
    if (entry.exception) {
      const exception = entry.exception as Entry;
      expect(record.attributes).toMatchObject({
        "exception.type": exception.type,
        "exception.message": exception.message,
        "exception.stacktrace": exception.stacktrace,
      });
    }
  }
}

/**
 * Asserts that the spans of every example record arrived: the record's trace and span ids name a
 * span, which is what links a log to its trace at the backend.
 */
function expectLinkedSpans(entries: Entry[], spans: FlatSpan[]) {
  const ids = new Set(spans.map((s) => `${s.traceId}/${s.spanId}`));
  // Outcomes are recorded outside any trace: they have no span to link to.
  for (const entry of entries.filter((e) => e.trace_id !== undefined)) {
    expect(ids.has(`${entry.trace_id}/${entry.span_id}`), `${entry.event} ${entry.trace_id}`).toBe(true);
  }
  for (const span of spans) {
    expect(span.resource).toMatchObject({ "service.name": "churn-model", "service.version": "churn-v3.2" });
  }
}

/** The sum of a metric's data points (a histogram's counts). */
function total(points: FlatPoint[], name: string): number {
  return points.filter((p) => p.name === name).reduce((sum, p) => sum + p.value, 0);
}

/** A one-record OTLP/JSON request, for the failure cases. */
async function postOneRecord(collector: RunningCollector, traceId: string): Promise<void> {
  const res = await fetch(`${collector.otlpHttpUrl}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      resourceLogs: [
        {
          scopeLogs: [
            {
              logRecords: [
                {
                  timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                  severityText: "info",
                  eventName: "prediction_complete",
                  body: { stringValue: "prediction_complete" },
                  traceId,
                  spanId: "00f067aa0ba902b7",
                  attributes: [{ key: "prediction", value: { doubleValue: 0.68 } }],
                },
              ],
            },
          ],
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
}

/** The collector's own counter of log records an exporter failed to send. */
async function sendFailed(collector: RunningCollector, exporter: string): Promise<number> {
  const text = await (await fetch(collector.metricsUrl)).text();
  const line = text
    .split("\n")
    .find(
      (l) =>
        l.startsWith("otelcol_exporter_send_failed_log_records{") && l.includes(`exporter="${exporter}"`),
    );
  return line ? Number(line.split(" ").at(-1)) : 0;
}

/** Runs `otelcol-mlobs validate` on the base config plus an overlay. */
function validate(overlay: string, env: Record<string, string>) {
  const dir = mkdtempSync(join(tmpdir(), "mlobs-validate-"));
  const result = spawnSync(COLLECTOR_BIN, ["validate", `--config=${SHIPPED_CONFIG}`, `--config=${overlay}`], {
    cwd: dir,
    env: { ...process.env, MLOBS_QUEUE_DIR: join(dir, "queue"), ...env },
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Runs collector/run.sh (only up to its checks when `args` ask for --version) without `unset`. */
function runScript(args: string[], unset: string[], extra: Record<string, string> = {}) {
  const env: Record<string, string | undefined> = { ...process.env, ...extra };
  for (const name of unset) delete env[name];
  return spawnSync("bash", ["collector/run.sh", ...args], { cwd: REPO_ROOT, env, encoding: "utf8" });
}

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";

/**
 * The collector reports a refused export: a "Dropping data" line naming the exporter and the 403 on
 * stderr, and one failed record in its own send_failed metric.
 */
async function expectRefused(collector: RunningCollector, exporter: string): Promise<void> {
  await waitFor(() => collector.stderr().includes("Exporting failed"), 20_000);
  const failure =
    collector
      .stderr()
      .split("\n")
      .find((l) => l.includes("Exporting failed")) ?? "";
  expect(failure).toContain("Exporting failed. Dropping data.");
  expect(failure).toContain(exporter);
  expect(failure).toContain("403");
  expect(await waitFor(() => sendFailed(collector, exporter), 10_000)).toBe(1);
}

describe("collector/datadog.yaml", () => {
  it("validates on the built collector", () => {
    expect(validate(COLLECTOR_CONFIGS.datadog, { DD_API_KEY: "k" })).toEqual({ status: 0, output: "" });
  });

  it("delivers the ML example's records, spans and metrics to the intake, protobuf with the key, ids and fields intact", async () => {
    const intake = await startDatadogIntake({ apiKey: "dd-test-key" });
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.datadog],
      env: { DD_API_KEY: "dd-test-key", DD_OTLP_ENDPOINT: intake.url },
    });
    try {
      const entries = await runExample(collector.otlpHttpUrl);
      await waitFor(() => intake.records.length >= entries.length, 20_000);
      expectSameRecords(entries, intake.records);
      await waitFor(() => intake.spans.length >= 3 && intake.points.length > 0, 20_000);
      expectLinkedSpans(entries, intake.spans);
      // The metrics intake takes delta only: cumulativetodelta/datadog converted the SDK's sums
      // and histograms (delta = 1), so the points of a counter add up to its total however many
      // exports there were: three predictions, one of them failed.
      for (const point of intake.points.filter((p) => p.type !== "gauge")) {
        expect(point.temporality, point.name).toBe(1);
      }
      expect(total(intake.points, "ml.predictions")).toBe(3);
      expect(total(intake.points, "ml.predictions.failed")).toBe(1);
      expect(new Set(intake.requests.map((r) => r.path))).toEqual(
        new Set(["/v1/logs", "/v1/traces", "/v1/metrics"]),
      );
      for (const request of intake.requests) {
        expect(request).toMatchObject({
          apiKey: "dd-test-key",
          contentType: "application/x-protobuf",
          status: 200,
        });
      }
      // The same records are in the local file, unchanged.
      await collector.stop();
      expectSameRecords(entries, await collector.readRecords());
    } finally {
      await collector.stop();
      await intake.close();
    }
  });

  it("a wrong key is refused (403) and reported in the log and metrics; the record stays in the local file", async () => {
    const intake = await startDatadogIntake({ apiKey: "dd-right-key" });
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.datadog],
      env: { DD_API_KEY: "dd-wrong-key", DD_OTLP_ENDPOINT: intake.url },
    });
    try {
      await postOneRecord(collector, TRACE_ID);
      await expectRefused(collector, "otlp_http/datadog");
      expect(intake.records).toEqual([]);
      expect(intake.requests.map((r) => [r.apiKey, r.status])).toEqual([["dd-wrong-key", 403]]);
      await collector.stop();
      expect((await collector.readRecords()).map((r) => r.traceId)).toEqual([TRACE_ID]);
    } finally {
      await collector.stop();
      await intake.close();
    }
  });

  it("a temporary failure (503) is retried from the queue until the intake accepts the record", async () => {
    const intake = await startDatadogIntake({ apiKey: "dd-test-key" });
    intake.failNext(1, 503);
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.datadog],
      env: { DD_API_KEY: "dd-test-key", DD_OTLP_ENDPOINT: intake.url },
    });
    try {
      await postOneRecord(collector, TRACE_ID);
      await waitFor(() => intake.records.length > 0, 30_000);
      expect(intake.records.map((r) => r.traceId)).toEqual([TRACE_ID]);
      expect(intake.requests.map((r) => r.status)).toEqual([503, 200]);
      expect(collector.stderr()).toMatch(/Exporting failed. Will retry the request after interval/);
      expect(await sendFailed(collector, "otlp_http/datadog")).toBe(0);
    } finally {
      await collector.stop();
      await intake.close();
    }
  });
});

describe("collector/cloudwatch.yaml", () => {
  it("validates on the built collector (sigv4auth is in the build)", () => {
    expect(validate(COLLECTOR_CONFIGS.cloudwatch, awsEnv())).toEqual({ status: 0, output: "" });
  });

  it("refuses to start without AWS credentials, saying so", () => {
    const { AWS_ACCESS_KEY_ID: _, AWS_SECRET_ACCESS_KEY: __, ...withoutCredentials } = awsEnv();
    const env = { ...withoutCredentials, AWS_ACCESS_KEY_ID: "", AWS_SECRET_ACCESS_KEY: "" };
    const { status, output } = validate(COLLECTOR_CONFIGS.cloudwatch, env);
    expect(status).not.toBe(0);
    expect(output).toMatch(/sigv4auth\/(logs|xray|monitoring): could not retrieve credential provider/);
  });

  it("delivers the ML example's records to the group and stream, spans to X-Ray, metrics to CloudWatch, each signed for its service, gzipped", async () => {
    const endpoint = await startCloudWatchOtlp({
      credentials: AWS,
      logGroup: "/mlobs/churn",
      logStream: "churn-model",
    });
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.cloudwatch],
      env: { ...awsEnv(), ...cloudWatchEndpoints(endpoint.url) },
    });
    try {
      const entries = await runExample(collector.otlpHttpUrl);
      await waitFor(() => endpoint.records.length >= entries.length, 20_000);
      expectSameRecords(entries, endpoint.records);
      for (const record of endpoint.records) {
        expect(record).toMatchObject({ logGroup: "/mlobs/churn", logStream: "churn-model" });
      }
      await waitFor(() => endpoint.spans.length >= 3 && endpoint.points.length > 0, 20_000);
      expectLinkedSpans(entries, endpoint.spans);
      // CloudWatch takes the SDK's cumulative points as they are: the last one holds the total.
      const predictions = endpoint.points.filter((p) => p.name === "ml.predictions");
      expect(predictions.at(-1)?.value).toBe(3);
      expect(new Set(endpoint.requests.map((r) => r.path))).toEqual(
        new Set(["/v1/logs", "/v1/traces", "/v1/metrics"]),
      );
      for (const request of endpoint.requests) {
        expect(request).toMatchObject({ status: 200, reason: undefined, contentEncoding: "gzip" });
      }
    } finally {
      await collector.stop();
      await endpoint.close();
    }
  });

  it("a wrong secret is refused (403) and reported in the log and metrics; the record stays in the local file", async () => {
    const endpoint = await startCloudWatchOtlp({
      credentials: AWS,
      logGroup: "/mlobs/churn",
      logStream: "churn-model",
    });
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.cloudwatch],
      env: { ...awsEnv("not-the-secret"), ...cloudWatchEndpoints(endpoint.url) },
    });
    try {
      await postOneRecord(collector, TRACE_ID);
      await expectRefused(collector, "otlp_http/cloudwatch_logs");
      expect(endpoint.records).toEqual([]);
      expect(endpoint.requests.map((r) => [r.status, r.reason])).toEqual([
        [403, "The request signature we calculated does not match the signature you provided."],
      ]);
      await collector.stop();
      expect((await collector.readRecords()).map((r) => r.traceId)).toEqual([TRACE_ID]);
    } finally {
      await collector.stop();
      await endpoint.close();
    }
  });
});

describe("the stand-in's SigV4 verifier", () => {
  const body = Buffer.from("payload");

  it("accepts a request signed by @smithy/signature-v4 and refuses a changed body, header or secret", async () => {
    const sign = async (secretAccessKey: string) => {
      const request = await new SignatureV4({
        credentials: { accessKeyId: AWS.accessKeyId, secretAccessKey },
        region: AWS.region,
        service: AWS.service,
        sha256: NodeSha256,
        applyChecksum: false,
      }).sign({
        method: "POST",
        protocol: "http:",
        hostname: "127.0.0.1",
        path: "/v1/logs",
        query: {},
        headers: {
          host: "127.0.0.1:4318",
          "x-aws-log-group": "/mlobs/churn",
          "content-type": "application/x-protobuf",
        },
        body,
      });
      return { method: "POST", path: "/v1/logs", headers: request.headers, body };
    };
    const good = await sign(AWS.secretAccessKey);
    expect(await verifySigV4(good, AWS)).toEqual({
      ok: true,
      signedHeaders: ["content-type", "host", "x-amz-date", "x-aws-log-group"],
    });
    expect(await verifySigV4({ ...good, body: Buffer.from("payloaD") }, AWS)).toMatchObject({ ok: false });
    expect(
      await verifySigV4({ ...good, headers: { ...good.headers, "x-aws-log-group": "/other" } }, AWS),
    ).toMatchObject({ ok: false });
    expect(await verifySigV4(await sign("other-secret"), AWS)).toMatchObject({ ok: false });
    expect(
      await verifySigV4({ ...good, headers: { ...good.headers, authorization: undefined } }, AWS),
    ).toEqual({
      ok: false,
      reason: "missing or malformed Authorization header",
    });
  });
});

describe("collector/run.sh", () => {
  it("refuses to start a backend overlay without its variables, naming each", () => {
    const result = runScript(
      ["--config=collector/datadog.yaml", "--config=collector/cloudwatch.yaml", "--version"],
      ["DD_API_KEY", "AWS_REGION", "CLOUDWATCH_LOG_GROUP", "CLOUDWATCH_LOG_STREAM"],
    );
    expect(result.status).toBe(2);
    expect(result.stderr.trim().split("\n")).toEqual([
      "collector/run.sh: set these environment variables first (see docs/backends.md):",
      "  DD_API_KEY (needed by collector/datadog.yaml)",
      "  AWS_REGION (needed by collector/cloudwatch.yaml)",
      "  CLOUDWATCH_LOG_GROUP (needed by collector/cloudwatch.yaml)",
      "  CLOUDWATCH_LOG_STREAM (needed by collector/cloudwatch.yaml)",
    ]);
  });

  it("refuses to start an agent without its gateways, naming the variable", () => {
    const result = runScript(["agent", "--version"], ["MLOBS_GATEWAYS"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("  MLOBS_GATEWAYS (needed by collector/agent.yaml)\n");
    const ok = runScript(["agent", "--version"], [], { MLOBS_GATEWAYS: "[gateway-1:4317]" });
    expect(ok.status).toBe(0);
  });

  it("an empty value counts as missing; with every variable set it starts the collector", () => {
    expect(runScript(["--config=collector/datadog.yaml", "--version"], [], { DD_API_KEY: "" }).status).toBe(
      2,
    );
    const ok = runScript(["--config=collector/datadog.yaml", "--version"], [], { DD_API_KEY: "k" });
    expect(ok.status).toBe(0);
    expect(ok.stdout).toMatch(/^otelcol-mlobs version \d+\.\d+\.\d+-mlobs$/m);
  });

  it("reads a relative --config from the directory it is run in, as the check does", () => {
    const dir = mkdtempSync(join(tmpdir(), "mlobs-run-"));
    const result = spawnSync("bash", ["run.sh", "--config=datadog.yaml", "validate"], {
      cwd: join(REPO_ROOT, "collector"),
      env: {
        ...process.env,
        DD_API_KEY: "k",
        MLOBS_QUEUE_DIR: join(dir, "queue"),
        MLOBS_OTEL_OUT_DIR: join(dir, "out"),
      },
      encoding: "utf8",
    });
    rmSync(dir, { recursive: true, force: true });
    expect(result.stderr).not.toContain("no such file");
    expect(result.status).toBe(0);
  });
});

describe("docker-compose.yml backend profiles", () => {
  const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"));
  const base = compose.services["otel-collector"];
  const cases = [
    ["otel-collector-datadog", "datadog", COLLECTOR_CONFIGS.datadog],
    ["otel-collector-cloudwatch", "cloudwatch", COLLECTOR_CONFIGS.cloudwatch],
  ] as const;

  for (const [name, profile, overlay] of cases) {
    const service = compose.services[name];

    it(`${name}: in profile ${profile}, on the base image, with the base config and the overlay`, () => {
      expect(service.profiles).toEqual([profile]);
      expect(service.image).toBe(base.image);
      const mounts = new Map((service.volumes as string[]).map((v) => [v.split(":")[1], v]));
      const configs = (service.command as string[]).map((a) => a.replace(/^--config=/, ""));
      expect(configs).toHaveLength(2);
      expect(mounts.get(configs[0])).toBe(`./otel-collector.yaml:${configs[0]}:ro`);
      expect(mounts.get(configs[1])).toBe(`./collector/${profile}.yaml:${configs[1]}:ro`);
      expect(overlay.endsWith(`collector/${profile}.yaml`)).toBe(true);
    });

    it(`${name}: passes every variable its overlay needs and keeps its own files and queue`, () => {
      const needed = [...readFileSync(overlay, "utf8").matchAll(/\$\{env:([A-Z0-9_]+)(?::-[^}]*)?\}/g)].map(
        (m) => m[1] as string,
      );
      expect(needed.length).toBeGreaterThan(0);
      for (const variable of needed) expect(Object.keys(service.environment), variable).toContain(variable);
      expect(service.environment.MLOBS_OTEL_OUT_DIR).toBe(
        `${base.environment.MLOBS_OTEL_OUT_DIR}/${profile}`,
      );
      expect(service.environment.MLOBS_QUEUE_DIR).toBe(`${base.environment.MLOBS_QUEUE_DIR}/${profile}`);
      for (const key of ["MLOBS_OTLP_HTTP_ENDPOINT", "MLOBS_HEALTH_ENDPOINT"]) {
        expect(service.environment[key]).toBe(base.environment[key]);
      }
    });
  }

  it("the profiles publish host ports of their own, each commented", () => {
    const raw = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
    const hostPort = (spec: string) => spec.split(":").slice(0, -1).join(":");
    const all = [base, ...cases.map(([name]) => compose.services[name])].flatMap((s) =>
      (s.ports as string[]).map(hostPort),
    );
    expect(new Set(all).size).toBe(all.length);
    for (const [name] of cases) {
      for (const spec of compose.services[name].ports as string[]) {
        expect(raw.split("\n").find((l) => l.includes(`"${spec}"`))).toMatch(/#\s*\S/);
      }
    }
  });
});

describe("docs/backends.md", () => {
  const doc = readFileSync(join(REPO_ROOT, "docs/backends.md"), "utf8");
  /** The shell block after `<!-- question: name -->`, reading `file` instead of the default path. */
  const command = (name: string, file: string) => {
    const block = doc.match(new RegExp(`<!-- question: ${name} -->\\n\`\`\`sh\\n([\\s\\S]*?)\`\`\``))?.[1];
    expect(block, name).toBeDefined();
    return (block as string).replaceAll(".cache/otel-out/logs.jsonl", file);
  };
  const run = (script: string) => {
    const result = spawnSync("bash", ["-c", script], { cwd: REPO_ROOT, encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout.trim();
  };

  it("answers the tutorial's questions from the local file as documented", async () => {
    const collector = await startCollector();
    let entries: Entry[];
    try {
      entries = await runExample(collector.otlpHttpUrl);
    } finally {
      await collector.stop();
    }
    const file = collector.outputFile;
    const complete = entries.filter((e) => e.event === "prediction_complete");
    const mean = complete.reduce((sum, e) => sum + (e.prediction as number), 0) / complete.length;
    expect(Number(run(command("mean-prediction", file)))).toBeCloseTo(mean, 10);

    // user-001's prediction was low-confidence, user-002's was not.
    expect(run(command("low-confidence-share", file))).toBe("churn-v3.2 0.5");

    // Nearest rank: with fewer than 20 values the 95th percentile is the largest.
    const latencies = entries.map((e) => e.latency_ms).filter((v): v is number => typeof v === "number");
    expect(latencies).toHaveLength(3);
    expect(Number(run(command("p95-latency", file)))).toBe(Math.max(...latencies));

    const traceId = entries[0]?.trace_id as string;
    const lines = run(command("one-trace", file).replace("4bf92f3577b34da6a3ce929d0e0e4736", traceId))
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.trace_id, l.event])).toEqual([
      [traceId, "request_received"],
      [traceId, "request_parsed"],
      [traceId, "features_normalized"],
      [traceId, "model_scored"],
      [traceId, "low_confidence_prediction"],
    ]);
  });

  it("gives the decimal dd.trace_id that the documented command prints", () => {
    const [, script, id, printed] =
      doc.match(/```sh\n(node -e '[^\n]*BigInt[^\n]*') ([0-9a-f]{32})\n# (\d+)\n```/) ?? [];
    expect(run(`${script} ${id}`)).toBe(printed);
    // The lower 64 bits of the W3C example id, computed independently of the command.
    expect(printed).toBe(String(0xa3ce929d0e0e4736n));
  });
});
