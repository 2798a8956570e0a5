// An Express 5 scoring service. Every request runs in its own scope, so what a middleware or a
// handler binds with bindContext() reaches that request's records only: no try/finally, no
// clearContext(), even when one keep-alive connection carries many requests.
import { randomUUID } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { bindContext, getLogger } from "@mlobs/core";
import express from "express";

const log = getLogger("scoring");

export const app = express();

// The request's id, method and path for every record of the request, and one line when it ends.
app.use((req, res, next) => {
  bindContext({ request_id: req.get("x-request-id") ?? randomUUID(), method: req.method, path: req.path });
  const start = performance.now();
  res.on("finish", () => {
    const duration_ms = Math.round((performance.now() - start) * 100) / 100;
    log.info("request_finished", { status: res.statusCode, duration_ms });
  });
  next();
});

app.use(express.json());

app.post("/predict", async (req, res) => {
  const { user_id, features, experiment } = req.body;
  bindContext({ user_id });
  // Only some requests are in an experiment: the field must never appear on another request's records.
  if (experiment !== undefined) bindContext({ experiment });
  log.info("request_received", { feature_count: Object.keys(features).length });
  await sleep(5 + Math.random() * 20); // the model
  const prediction = Math.round((features.tenure / (features.tenure + features.complaints + 1)) * 100) / 100;
  log.info("prediction_complete", { prediction });
  res.json({ prediction });
});
