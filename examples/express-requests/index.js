// Starts the service on 127.0.0.1, sends it eight concurrent requests over a keep-alive agent of
// two sockets (so each connection carries several requests), prints its JSON lines and stops.
import http from "node:http";
import { getLogger } from "@mlobs/core";
import { app } from "./app.js";

const log = getLogger("scoring");
const server = http.createServer(app);
let connections = 0;
server.on("connection", () => connections++);
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const { port } = server.address();

const agent = new http.Agent({ keepAlive: true, maxSockets: 2 });
function predict(body) {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/predict",
        method: "POST",
        agent,
        headers: { "content-type": "application/json" },
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8").on("data", (chunk) => {
          text += chunk;
        });
        res.on("end", () => resolve(JSON.parse(text)));
      },
    );
    req.once("error", reject);
    req.end(JSON.stringify(body));
  });
}

await Promise.all(
  Array.from({ length: 8 }, (_, i) =>
    predict({
      user_id: `user-00${i + 1}`,
      features: { tenure: 10 + i, complaints: i % 3 },
      // Every third request takes part in an experiment.
      ...(i % 3 === 0 ? { experiment: "threshold-v2" } : {}),
    }),
  ),
);
agent.destroy();
server.close();
log.info("service_stopped", { requests: 8, connections });
await log.flush();
