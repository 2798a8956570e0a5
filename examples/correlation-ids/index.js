// Starts the model service and the gateway as two processes on 127.0.0.1, sends the gateway three
// concurrent requests, and stops both. Their JSON records are copied to stdout line by line: filter
// them by trace_id and one request reads end to end across both services.
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

/** Starts `script` and resolves with the process and the port from its service_started record. */
function startService(script, env = {}) {
  const child = spawn(process.execPath, [fileURLToPath(new URL(script, import.meta.url))], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve(code ?? signal)));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    exited.then((code) => reject(new Error(`${script} exited with ${code} before it started`)));
    createInterface({ input: child.stdout }).on("line", (line) => {
      process.stdout.write(`${line}\n`);
      let record;
      try {
        record = JSON.parse(line);
      } catch {
        return;
      }
      if (record.event === "service_started") resolve({ child, exited, port: record.port });
    });
  });
}

const model = await startService("model-service.js");
const gateway = await startService("gateway.js", { MODEL_SERVICE_URL: `http://127.0.0.1:${model.port}` });

const requests = [
  { user_id: "user-001", features: { age: 35, balance: 20, campaign: 1 } },
  { user_id: "user-002", features: { age: 55, balance: 5, campaign: 8 } },
  { user_id: "user-003", features: { age: 41, balance: 12 } }, // no campaign: the model service refuses it
];
try {
  await Promise.all(
    requests.map((body) =>
      fetch(`http://127.0.0.1:${gateway.port}/score`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }).then((res) => res.text()),
    ),
  );
} finally {
  // SIGTERM: each service closes its server and flushes its telemetry before it exits.
  for (const service of [gateway, model]) service.child.kill("SIGTERM");
}
const codes = await Promise.all([gateway.exited, model.exited]);
if (codes.some((code) => code !== 0)) {
  console.error(`services exited with ${codes.join(", ")}`);
  process.exitCode = 1;
}
