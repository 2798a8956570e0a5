import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  COLLECTOR_BIN,
  COLLECTOR_CONFIGS,
  REPO_ROOT,
  SHIPPED_CONFIG,
  startCollector,
  waitFor,
} from "./collector.js";

/** Runs `otelcol-mlobs validate` on the given configs; file_storage needs a directory it may create. */
function validate(...configs: string[]) {
  return validateWith({}, ...configs);
}

function validateWith(env: Record<string, string>, ...configs: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "mlobs-validate-"));
  const result = spawnSync(COLLECTOR_BIN, ["validate", ...configs.map((c) => `--config=${c}`)], {
    cwd: dir,
    env: {
      ...process.env,
      MLOBS_QUEUE_DIR: join(dir, "queue"),
      MLOBS_OTEL_OUT_DIR: join(dir, "out"),
      ...env,
    },
    encoding: "utf8",
  });
  rmSync(dir, { recursive: true, force: true });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** A hand-written OTLP/JSON logs request, as an SDK would POST it to /v1/logs. */
function otlpLogsBody(traceId: string, event: string, attributes: Record<string, number | string>) {
  return {
    resourceLogs: [
      {
        resource: { attributes: [{ key: "service.name", value: { stringValue: "collector-e2e" } }] },
        scopeLogs: [
          {
            scope: { name: "mlobs-test" },
            logRecords: [
              {
                timeUnixNano: String(BigInt(Date.now()) * 1_000_000n),
                severityNumber: 9,
                severityText: "info",
                eventName: event,
                body: { stringValue: event },
                traceId,
                spanId: "b7ad6b7169203331",
                attributes: [
                  ...Object.entries(attributes).map(([key, v]) => ({
                    key,
                    value: typeof v === "number" ? { doubleValue: v } : { stringValue: v },
                  })),
                  {
                    key: "model",
                    value: {
                      kvlistValue: {
                        values: [
                          { key: "name", value: { stringValue: "churn" } },
                          { key: "version", value: { intValue: "3" } },
                        ],
                      },
                    },
                  },
                ],
              },
            ],
          },
        ],
      },
    ],
  };
}

async function postLogs(otlpHttpUrl: string, body: unknown): Promise<Response> {
  return fetch(`${otlpHttpUrl}/v1/logs`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
}

const randomTraceId = () =>
  Array.from({ length: 32 }, () => Math.floor(Math.random() * 16).toString(16)).join("");

describe("otel-collector.yaml", () => {
  it("validate: the shipped config passes on the built collector", () => {
    const { status, output } = validate(SHIPPED_CONFIG);
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("validate: the shipped config plus the forward overlay passes", () => {
    expect(validate(SHIPPED_CONFIG, COLLECTOR_CONFIGS.forward).status).toBe(0);
  });

  it("validate: a misspelled key fails and names the key", () => {
    const { status, output } = validate(
      SHIPPED_CONFIG,
      "yaml:processors::memory_limiter::check_intervall: 1s",
    );
    expect(status).not.toBe(0);
    expect(output).toContain("invalid keys: check_intervall");
  });

  it("validate: append together with the shipped rotation fails and says so", () => {
    const { status, output } = validate(SHIPPED_CONFIG, "yaml:exporters::file/predictions::append: true");
    expect(status).not.toBe(0);
    expect(output).toContain("append and rotation enabled at the same time is not supported");
  });
});

describe("collector/agent.yaml and collector/gateway.yaml", () => {
  const gateways = { MLOBS_GATEWAYS: "[gateway-1:4317, gateway-2:4317]" };

  it("validate: the agent with a static list of gateways, and the gateway overlay", () => {
    expect(validateWith(gateways, COLLECTOR_CONFIGS.agent)).toEqual({ status: 0, output: "" });
    expect(validate(SHIPPED_CONFIG, COLLECTOR_CONFIGS.gateway)).toEqual({ status: 0, output: "" });
  });

  it("validate: a gateway with both backend overlays", () => {
    const backends = {
      DD_API_KEY: "k",
      AWS_REGION: "eu-west-1",
      AWS_ACCESS_KEY_ID: "AKIAMLOBSTESTKEY0001",
      AWS_SECRET_ACCESS_KEY: "secret",
      AWS_EC2_METADATA_DISABLED: "true",
      CLOUDWATCH_LOG_GROUP: "/mlobs/churn",
      CLOUDWATCH_LOG_STREAM: "churn-model",
    };
    const overlays = [COLLECTOR_CONFIGS.datadog, COLLECTOR_CONFIGS.cloudwatch];
    expect(validateWith(backends, SHIPPED_CONFIG, COLLECTOR_CONFIGS.gateway, ...overlays)).toEqual({
      status: 0,
      output: "",
    });
  });

  it("validate: the agent with the DNS resolver its comments describe instead of the static one", () => {
    const text = readFileSync(COLLECTOR_CONFIGS.agent, "utf8");
    const commented = text.match(/^ {6}# dns:\n(?: {6}# .*\n)+/m)?.[0];
    expect(commented).toBeDefined();
    const dns = (commented ?? "").replaceAll(/^( {6})# /gm, "$1");
    const withDns = text.replace(/^ {6}static:\n {8}hostnames: .*\n/m, "").replace(commented ?? "", dns);
    expect(withDns).not.toContain("hostnames");
    const dir = mkdtempSync(join(tmpdir(), "mlobs-agent-dns-"));
    const file = join(dir, "agent-dns.yaml");
    writeFileSync(file, withDns);
    try {
      expect(validate(file)).toEqual({ status: 0, output: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the agent routes logs and spans by trace id, metrics by stream, through the persistent queue", () => {
    const agent = parse(readFileSync(COLLECTOR_CONFIGS.agent, "utf8"), { merge: true }); // `<<:` as the collector reads it
    const pipelines = agent.service.pipelines;
    expect(pipelines.logs.exporters).toEqual(["loadbalancing/by_trace"]);
    expect(pipelines.traces.exporters).toEqual(["loadbalancing/by_trace"]);
    expect(pipelines.metrics.exporters).toEqual(["loadbalancing/by_stream"]);
    for (const name of ["loadbalancing/by_trace", "loadbalancing/by_stream"]) {
      expect(agent.exporters[name].sending_queue.storage).toBe("file_storage/queue");
    }
    expect(agent.exporters["loadbalancing/by_trace"].routing_key).toBe("traceID");
    expect(agent.exporters["loadbalancing/by_stream"].routing_key).toBe("streamID");
    for (const pipeline of Object.values(pipelines) as { processors: string[] }[]) {
      expect(pipeline.processors[0]).toBe("memory_limiter");
    }
  });
});

describe("docker-compose.yml tier profile", () => {
  const compose = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8"), { merge: true });
  const agent = compose.services["otel-agent"];
  const gateways = ["otel-gateway-1", "otel-gateway-2"].map((name) => compose.services[name]);

  it("runs one agent on collector/agent.yaml, sending to both gateways by service name", () => {
    expect(agent.profiles).toEqual(["tier"]);
    expect(agent.command).toEqual(["--config=/etc/otelcol-contrib/agent.yaml"]);
    expect(agent.volumes).toContain("./collector/agent.yaml:/etc/otelcol-contrib/agent.yaml:ro");
    const grpcPort = (env: Record<string, string>) => env.MLOBS_OTLP_GRPC_ENDPOINT?.split(":").at(-1);
    expect(agent.environment.MLOBS_GATEWAYS).toBe(
      `[${gateways.map((g, i) => `otel-gateway-${i + 1}:${grpcPort(g.environment)}`).join(", ")}]`,
    );
  });

  it("runs two gateways on the local config plus collector/gateway.yaml, each with its own files and queue", () => {
    for (const gateway of gateways) {
      expect(gateway.profiles).toEqual(["tier"]);
      expect(gateway.command).toEqual([
        "--config=/etc/otelcol-contrib/config.yaml",
        "--config=/etc/otelcol-contrib/gateway.yaml",
      ]);
      expect(gateway.volumes).toContain("./collector/gateway.yaml:/etc/otelcol-contrib/gateway.yaml:ro");
      expect(gateway.environment.MLOBS_OTLP_GRPC_ENDPOINT).toMatch(/^0\.0\.0\.0:\d+$/);
    }
    const dirs = [agent, ...gateways].map((s) => s.environment.MLOBS_QUEUE_DIR);
    expect(new Set(dirs).size).toBe(3);
    expect(new Set(gateways.map((g) => g.environment.MLOBS_OTEL_OUT_DIR)).size).toBe(2);
  });
});

describe("collector/", () => {
  it("reports, in `components`, the module versions that go.mod requires", () => {
    const goMod = readFileSync(join(REPO_ROOT, "collector/go.mod"), "utf8");
    const result = spawnSync(COLLECTOR_BIN, ["components"], { encoding: "utf8" });
    expect(result.status).toBe(0);
    const listed = parse(result.stdout) as Record<string, { module?: string }[]>;
    const modules = Object.entries(listed)
      .filter(([kind]) => kind !== "buildinfo")
      .flatMap(([, entries]) => entries.map((e) => e.module ?? ""));
    expect(modules.length).toBeGreaterThanOrEqual(11);
    for (const module of modules) {
      const [path, version] = module.split(" ");
      expect(goMod, module).toMatch(new RegExp(`^\\s+${path?.replaceAll(".", "\\.")} ${version}$`, "m"));
    }
  });
});

describe("docker-compose.yml", () => {
  const raw = readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8");
  const compose = parse(raw);
  const collector = compose.services["otel-collector"];
  const config = parse(readFileSync(SHIPPED_CONFIG, "utf8"));
  const env: Record<string, string> = collector.environment;
  const containerPort = (hostPortSpec: string) => Number(hostPortSpec.split(":").at(-1));
  const portOf = (endpoint: string | undefined) => Number(endpoint?.split(":").at(-1));

  it("pins the contrib image to the release in collector/go.mod", () => {
    const goMod = readFileSync(join(REPO_ROOT, "collector/go.mod"), "utf8");
    const release = goMod.match(/go\.opentelemetry\.io\/collector\/otelcol v(\d+\.\d+\.\d+)/)?.[1];
    expect(release).toBeDefined();
    expect(collector.image).toBe(`otel/opentelemetry-collector-contrib:${release}`);
    // One release for every collector module: beta ones carry it, contrib ones too. The one
    // exception: the module proxy serves loadbalancingexporter up to v0.161.0 only.
    const betaVersions = [...goMod.matchAll(/(?:collector|collector-contrib)\/(\S+) (v0\.\d+\.\d+)/g)]
      .filter((m) => m[1] !== "exporter/loadbalancingexporter")
      .map((m) => m[2]);
    expect(goMod).toMatch(/\/exporter\/loadbalancingexporter v0\.161\.0$/m);
    expect(new Set(betaVersions)).toEqual(new Set([`v${release}`]));
    // ...and the stable (v1) core modules the matching v1 release.
    const stableVersions = [...goMod.matchAll(/go\.opentelemetry\.io\/collector\/\S+ (v1\.\d+\.\d+)/g)].map(
      (m) => m[1],
    );
    expect(new Set(stableVersions).size).toBe(1);
  });

  it("mounts otel-collector.yaml read-only where --config points", () => {
    const configArg = (collector.command as string[]).find((a) => a.startsWith("--config="));
    const target = configArg?.slice("--config=".length);
    expect(collector.volumes).toContain(`./otel-collector.yaml:${target}:ro`);
  });

  it("publishes exactly the receiver and health_check ports the config listens on", () => {
    const http = config.receivers.otlp.protocols.http.endpoint;
    const grpc = config.receivers.otlp.protocols.grpc.endpoint;
    const health = config.extensions.health_check.endpoint;
    expect(http).toContain("${env:MLOBS_OTLP_HTTP_ENDPOINT:-");
    expect(grpc).toContain("${env:MLOBS_OTLP_GRPC_ENDPOINT:-");
    expect(health).toContain("${env:MLOBS_HEALTH_ENDPOINT:-");
    // Inside the container every listener must be on 0.0.0.0, or the published ports lead nowhere.
    for (const name of ["MLOBS_OTLP_HTTP_ENDPOINT", "MLOBS_OTLP_GRPC_ENDPOINT", "MLOBS_HEALTH_ENDPOINT"]) {
      expect(env[name]).toMatch(/^0\.0\.0\.0:\d+$/);
    }
    const published = (collector.ports as string[]).map(containerPort).sort();
    const listening = [env.MLOBS_OTLP_HTTP_ENDPOINT, env.MLOBS_OTLP_GRPC_ENDPOINT, env.MLOBS_HEALTH_ENDPOINT]
      .map(portOf)
      .sort();
    expect(published).toEqual(listening);
  });

  it("gives the file exporters and the queue writable volumes at the paths the config reads", () => {
    const volumeTargets = (collector.volumes as string[]).map((v) => v.split(":")[1]);
    for (const [exporter, file] of [
      ["file/predictions", "logs.jsonl"],
      ["file/traces", "traces.jsonl"],
      ["file/metrics", "metrics.jsonl"],
    ]) {
      expect(config.exporters[exporter as string].path).toMatch(
        new RegExp(`^\\$\\{env:MLOBS_OTEL_OUT_DIR:-[^}]+\\}/${file}$`),
      );
    }
    expect(config.extensions["file_storage/queue"].directory).toMatch(/^\$\{env:MLOBS_QUEUE_DIR:-/);
    expect(volumeTargets).toContain(env.MLOBS_OTEL_OUT_DIR);
    expect(volumeTargets).toContain(env.MLOBS_QUEUE_DIR);
    for (const v of collector.volumes as string[]) {
      if (!v.endsWith(":ro")) expect(v.split(":")).toHaveLength(2); // no ":ro" on output volumes
    }
  });

  it("comments every published port", () => {
    for (const spec of collector.ports as string[]) {
      const line = raw.split("\n").find((l) => l.includes(`"${spec}"`));
      expect(line, spec).toMatch(/#\s*\S/);
    }
  });
});

describe("the collector binary on otel-collector.yaml", () => {
  it("writes a posted log record to the file and to stdout, and keeps it across a restart", async () => {
    const collector = await startCollector();
    try {
      const traceId = randomTraceId();
      const res = await postLogs(
        collector.otlpHttpUrl,
        otlpLogsBody(traceId, "prediction_complete", { prediction: 0.87, user_id: "u-42" }),
      );
      expect(res.status).toBe(200);

      const [record] = await waitFor(async () => {
        const found = (await collector.readRecords()).filter((r) => r.traceId === traceId);
        return found.length > 0 && found;
      });
      expect(record).toMatchObject({
        traceId,
        spanId: "b7ad6b7169203331",
        eventName: "prediction_complete",
        severityText: "info",
        severityNumber: 9,
        body: "prediction_complete",
        attributes: { prediction: 0.87, user_id: "u-42", model: { name: "churn", version: 3 } },
        resource: { "service.name": "collector-e2e" },
        scope: "mlobs-test",
      });
      // debug/records prints the full record, trace id included, on the real stdout.
      await waitFor(() => collector.stdout().includes(`Trace ID: ${traceId}`));
      expect(collector.stdout()).toContain("EventName: prediction_complete");

      // append: true: a restart must not truncate what was written before.
      await collector.restart();
      const second = randomTraceId();
      expect(
        (await postLogs(collector.otlpHttpUrl, otlpLogsBody(second, "request_received", {}))).status,
      ).toBe(200);
      await collector.stop();
      const ids = (await collector.readRecords()).map((r) => r.traceId);
      expect(ids).toEqual([traceId, second]);

      // The documented flatten command gives one grep-able record per line.
      const flat = spawnSync(
        process.execPath,
        [join(REPO_ROOT, "collector/flatten-logs.mjs"), collector.outputFile],
        {
          encoding: "utf8",
        },
      );
      expect(flat.status).toBe(0);
      const lines = flat.stdout
        .trim()
        .split("\n")
        .map((l) => JSON.parse(l));
      expect(lines[0]).toMatchObject({
        event: "prediction_complete",
        severity: "info",
        trace_id: traceId,
        span_id: "b7ad6b7169203331",
        attributes: { prediction: 0.87, model: { name: "churn", version: 3 } },
      });
      expect(lines[1]).toMatchObject({ event: "request_received", trace_id: second });
    } finally {
      await collector.stop();
    }
  });

  it("fails start-up on a port in use, with the collector's own message", async () => {
    const taken = await startOtlpTarget();
    try {
      await expect(
        startCollector({ env: { MLOBS_OTLP_HTTP_ENDPOINT: `127.0.0.1:${taken.port}` } }),
      ).rejects.toThrow(/exited during start-up[\s\S]*address already in use/);
    } finally {
      await taken.close();
    }
  });

  it("forwards through the persistent queue with the forward overlay", async () => {
    const target = await startOtlpTarget();
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.forward],
      env: { MLOBS_FORWARD_OTLP_ENDPOINT: target.url },
    });
    try {
      expect(
        (await postLogs(collector.otlpHttpUrl, otlpLogsBody(randomTraceId(), "forwarded", {}))).status,
      ).toBe(200);
      await waitFor(() => target.received.length > 0, 15_000);
      expect(target.received[0]).toMatchObject({ url: "/v1/logs", contentType: "application/x-protobuf" });
      expect(target.received[0]?.bytes).toBeGreaterThan(0);
    } finally {
      await collector.stop();
      await target.close();
    }
  });

  it("keeps records for a forward target that is down across a collector restart", async () => {
    // Reserve a port, then leave it closed: the target is "down" until the restart.
    const probe = await startOtlpTarget();
    await probe.close();
    const port = probe.port;
    const collector = await startCollector({
      configs: [SHIPPED_CONFIG, COLLECTOR_CONFIGS.forward],
      env: { MLOBS_FORWARD_OTLP_ENDPOINT: `http://127.0.0.1:${port}` },
    });
    const target = { current: undefined as Awaited<ReturnType<typeof startOtlpTarget>> | undefined };
    try {
      expect(
        (await postLogs(collector.otlpHttpUrl, otlpLogsBody(randomTraceId(), "queued", {}))).status,
      ).toBe(200);
      // The exporter has tried and failed at least once: the batch sits in file_storage/queue.
      await waitFor(() => collector.stderr().includes("Exporting failed"), 15_000);
      await collector.stop();
      target.current = await startOtlpTarget(port);
      await collector.restart();
      await waitFor(() => (target.current?.received.length ?? 0) > 0, 20_000);
    } finally {
      await collector.stop();
      await target.current?.close();
    }
  });
});

/** A stand-in OTLP/HTTP backend on 127.0.0.1 that records what it receives and answers 200. */
async function startOtlpTarget(port = 0) {
  const received: { url: string | undefined; contentType: string | undefined; bytes: number }[] = [];
  const server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      received.push({
        url: req.url,
        contentType: req.headers["content-type"],
        bytes: Buffer.concat(chunks).length,
      });
      res.writeHead(200, { "content-type": "application/x-protobuf" }).end();
    });
  });
  await new Promise<void>((done) => server.listen(port, "127.0.0.1", done));
  const actualPort = (server.address() as AddressInfo).port;
  return {
    port: actualPort,
    url: `http://127.0.0.1:${actualPort}`,
    received,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections(); // the collector keeps connections alive
      }),
  };
}
