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
    const cpuStart = process.cpuUsage();
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
    const cpu = process.cpuUsage(cpuStart);
    return {
      loopNs: Number(loopEnd - start),
      totalNs: Number(end - start),
      cpuNs: (cpu.user + cpu.system) * 1000,
    };
  };
  // A case may run its calls inside something of its own (a request scope); the default is nothing.
  const within = subject.within ?? ((fn) => fn());
  if (warmup > 0) await within(() => run(warmup));
  const before = (await subject.stats?.()) ?? {};
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  const timed = await within(() => run(n));
  const after = (await subject.stats?.()) ?? {};
  // Stats are counters since the start: the timed run's share is the difference.
  const stats = {};
  if (after.delivered !== undefined) {
    stats.delivered = after.delivered - (before.delivered ?? 0);
    stats.dropped = n - stats.delivered;
    stats.deliveredPerSec = (stats.delivered * 1e9) / timed.totalNs;
    stats.deliveredTraced = (after.traced?.[tracing.traceId] ?? 0) - (before.traced?.[tracing.traceId] ?? 0);
  }
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
      // CPU time of the whole process (all threads): steadier than wall time on a shared box.
      cpuNsPerRecord: timed.cpuNs / n,
      rssBeforeMb: rssBefore / 2 ** 20,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      ...stats,
    })}\n`,
  );
});
