/**
 * Two real services on one trace (a gateway calling a ranker over HTTP), both capturing feature
 * payloads at sampleRate 0.3: the decision comes from the trace id, so both capture the same traces.
 */
import { type ChildProcess, spawn } from "node:child_process";
import http from "node:http";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { sampledByOtel } from "../otel-ratio-sampler.js";
import { parseLines } from "../run-example.js";

const SERVICE = fileURLToPath(new URL("./fixtures/ml-service.mjs", import.meta.url));

interface Service {
  child: ChildProcess;
  port: number;
  stdout: () => string;
  exited: Promise<number | null>;
}

function startService(name: string, env: Record<string, string> = {}): Promise<Service> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.startsWith("OTEL_")),
  );
  const child = spawn(process.execPath, [SERVICE], {
    env: { ...inherited, SERVICE_NAME: name, SAMPLE_RATE: "0.3", ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let out = "";
  const exited = new Promise<number | null>((resolve) => child.once("close", resolve));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    createInterface({ input: child.stdout! }).on("line", (line) => {
      out += `${line}\n`;
      if (line.includes('"service_started"')) {
        resolve({ child, port: JSON.parse(line).port as number, stdout: () => out, exited });
      }
    });
  });
}

function post(port: number, body: unknown): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: "127.0.0.1", port, method: "POST" }, (res) => {
      res.resume();
      res.once("end", resolve);
    });
    req.once("error", reject);
    req.end(JSON.stringify(body));
  });
}

describe("payload capture across services", () => {
  it("two services on one trace, sampleRate 0.3: the same traces are captured in both", async () => {
    const ranker = await startService("ranker");
    const gateway = await startService("gateway", { NEXT_URL: `http://127.0.0.1:${ranker.port}/` });
    try {
      for (let batch = 0; batch < 20; batch++) {
        await Promise.all(
          Array.from({ length: 10 }, () => post(gateway.port, { score: 0.9, age: 35, ssn: "123-45-6789" })),
        );
      }
    } finally {
      gateway.child.kill("SIGTERM");
      ranker.child.kill("SIGTERM");
    }
    expect(await Promise.all([gateway.exited, ranker.exited])).toEqual([0, 0]);
    const received = (service: Service) =>
      parseLines(service.stdout()).filter((e) => e.event === "request_received");
    const [inGateway, inRanker] = [received(gateway), received(ranker)];
    expect(inGateway).toHaveLength(200);
    expect(inRanker).toHaveLength(200);
    // One trace per request, continued by the ranker.
    expect(new Set(inRanker.map((e) => e.trace_id))).toEqual(new Set(inGateway.map((e) => e.trace_id)));
    const captured = (entries: typeof inGateway) =>
      new Set(entries.filter((e) => "features" in e).map((e) => e.trace_id));
    expect(captured(inRanker)).toEqual(captured(inGateway));
    expect(captured(inGateway)).toEqual(
      new Set(inGateway.map((e) => e.trace_id).filter((id) => sampledByOtel(id as string, 0.3))),
    );
    // Binomial(200, 0.3): mean 60, sd 6.5; the bounds are five sd away.
    expect(captured(inGateway).size).toBeGreaterThan(27);
    expect(captured(inGateway).size).toBeLessThan(93);
    for (const e of [...inGateway, ...inRanker].filter((e) => "features" in e)) {
      expect(e).toMatchObject({ sample_rate: 0.3, features: { ssn: "[REDACTED]", age: 35 } });
    }
  }, 60_000);
});
