// One measurement in its own process: node --expose-gc child.mjs <case> <n> <warmup> <dest> <mode>
// Prints one JSON line with the timings on stdout.
import { setImmediate as tick } from "node:timers/promises";
import { fields, setupTracing } from "./workload.mjs";

const [caseName, nArg, warmupArg, dest, mode = "tight"] = process.argv.slice(2);
const n = Number(nArg);
const warmup = Number(warmupArg);
const tracing = setupTracing();
const { setup } = await import(`./cases/${caseName}.mjs`);

await tracing.inSpan(async () => {
  const subject = await setup({ dest, variant: caseName });
  const run = async (count) => {
    const start = process.hrtime.bigint();
    if (mode === "yield") {
      for (let i = 0; i < count; i++) {
        subject.log(i, fields(i));
        if ((i & 255) === 255) await tick();
      }
    } else {
      for (let i = 0; i < count; i++) subject.log(i, fields(i));
    }
    const loopEnd = process.hrtime.bigint();
    await subject.flush();
    const end = process.hrtime.bigint();
    return { loopNs: Number(loopEnd - start), totalNs: Number(end - start) };
  };
  if (warmup > 0) await run(warmup);
  const before = subject.stats?.() ?? {};
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const timed = await run(n);
  const after = subject.stats?.() ?? {};
  const stats = {};
  for (const key of Object.keys(after)) stats[key] = after[key] - (before[key] ?? 0);
  await subject.close?.();
  process.stdout.write(
    `${JSON.stringify({
      variant: caseName,
      n,
      mode,
      traceId: tracing.traceId,
      nsPerCall: timed.loopNs / n,
      nsPerRecord: timed.totalNs / n,
      recordsPerSec: (n * 1e9) / timed.totalNs,
      rssBeforeMb: rssBefore / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      ...stats,
    })}\n`,
  );
});
