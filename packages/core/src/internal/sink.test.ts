import { execFile, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { LineSink } from "./sink.js";

const root = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-sink-"));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

let count = 0;
function tempFile(): { file: string; fd: number } {
  const file = path.join(root, `sink-${++count}.log`);
  return { file, fd: fs.openSync(file, "a") };
}

const read = (file: string) => fs.readFileSync(file, "utf8");
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

describe("LineSink", () => {
  it("does no I/O in write(): lines reach the file together, on the next event-loop turn", async () => {
    const { file, fd } = tempFile();
    const sink = new LineSink(fd, { closeFd: true });
    sink.write("one\n");
    sink.write("two\n");
    expect(read(file)).toBe("");
    expect(sink.pending).toBe(8);
    await nextTurn();
    expect(read(file)).toBe("one\ntwo\n");
    expect(sink.pending).toBe(0);
    sink.close();
  });

  it("writes at once when 64 KiB have gathered within one turn", () => {
    const { file, fd } = tempFile();
    const sink = new LineSink(fd, { closeFd: true });
    const line = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < 63; i++) sink.write(line);
    expect(read(file)).toBe("");
    sink.write(line);
    expect(read(file)).toHaveLength(64 * 1024);
    sink.close();
  });

  it("writes multi-byte text byte for byte", async () => {
    const { file, fd } = tempFile();
    const sink = new LineSink(fd, { closeFd: true });
    sink.write("prédiction ✓ 模型\n");
    await sink.flush();
    expect(read(file)).toBe("prédiction ✓ 模型\n");
    sink.close();
  });

  it("reopen(): lines before go to the old descriptor, lines after to the new one", () => {
    const a = tempFile();
    const b = tempFile();
    const sink = new LineSink(a.fd, { closeFd: true });
    sink.write("old\n");
    sink.reopen(b.fd);
    sink.write("new\n");
    sink.close();
    expect(read(a.file)).toBe("old\n");
    expect(read(b.file)).toBe("new\n");
    // The sink owned the old descriptor: it is closed.
    expect(() => fs.fstatSync(a.fd)).toThrow(/EBADF/);
  });

  it("close() writes what is pending and closes only a descriptor it owns", () => {
    const owned = tempFile();
    const borrowed = tempFile();
    const ownSink = new LineSink(owned.fd, { closeFd: true });
    const borrowedSink = new LineSink(borrowed.fd);
    ownSink.write("owned\n");
    borrowedSink.write("borrowed\n");
    ownSink.close();
    borrowedSink.close();
    expect(read(owned.file)).toBe("owned\n");
    expect(read(borrowed.file)).toBe("borrowed\n");
    expect(() => fs.fstatSync(owned.fd)).toThrow(/EBADF/);
    expect(fs.fstatSync(borrowed.fd).isFile()).toBe(true);
    fs.closeSync(borrowed.fd);
  });

  it("reports a failed write with the number of lines it lost, once per write", () => {
    const { fd } = tempFile();
    fs.closeSync(fd);
    const sink = new LineSink(fd);
    const reports: { code: string | undefined; lines: number }[] = [];
    sink.onError = (error, lines) => reports.push({ code: (error as NodeJS.ErrnoException).code, lines });
    sink.write("a\nb\nc\n");
    sink.flushSync();
    expect(reports).toEqual([{ code: "EBADF", lines: 3 }]);
    expect(sink.pending).toBe(0);
    sink.flushSync();
    expect(reports).toHaveLength(1);
    sink.close();
  });

  it("waits for a slow reader of a full non-blocking pipe instead of losing lines", async () => {
    const fifo = path.join(root, "slow.fifo");
    const out = path.join(root, "slow.out");
    await new Promise((resolve, reject) => spawn("mkfifo", [fifo]).on("exit", resolve).on("error", reject));
    // Read-write, so opening never blocks; non-blocking, so a full pipe answers EAGAIN.
    const fd = fs.openSync(fifo, fs.constants.O_RDWR | fs.constants.O_NONBLOCK);
    // The reader starts late: the first 64 KiB fill the pipe and the rest must wait for it.
    const reader = spawn("sh", ["-c", `sleep 0.2; cat "${fifo}" > "${out}"`]);
    const exited = new Promise((resolve) => reader.on("exit", resolve));
    const sink = new LineSink(fd, { closeFd: true });
    const errors: Error[] = [];
    sink.onError = (error) => errors.push(error);
    const line = `${"y".repeat(99)}\n`;
    for (let i = 0; i < 10_000; i++) sink.write(line);
    sink.close();
    await exited;
    expect(errors).toEqual([]);
    expect(fs.statSync(out).size).toBe(10_000 * 100);
  });
});

describe("LineSink in a real process", () => {
  const child = fileURLToPath(new URL("../../test/write-child.mjs", import.meta.url));

  /** Runs `pipeline` (a shell command running the child as `"$NODE" "$CHILD"`) and parses the child's summary. */
  async function run(pipeline: string, env: Record<string, string>) {
    const result = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(
        "bash",
        ["-c", pipeline],
        {
          env: { ...process.env, NODE: process.execPath, CHILD: child, ...env },
          maxBuffer: 64 * 1024 * 1024,
        },
        (error, stdout, stderr) =>
          error ? reject(Object.assign(error, { stderr })) : resolve({ stdout, stderr }),
      );
    });
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    const summary = JSON.parse(lines.at(-1) as string) as {
      logged: number;
      dropped: number;
      maxDelayMs: number;
    };
    // "mlobs: writing to fd 1 failed (...); 12 records lost (40 in total)"
    const reported = lines
      .map((line) => (/records? lost/.test(line) ? Number(/; (\d+) records lost/.exec(line)?.[1]) : 0))
      .reduce((a, b) => a + b, 0);
    return { ...summary, reported, stdout: result.stdout, stderr: result.stderr };
  }

  it("keeps the event loop moving while the stdout reader stalls for 15 s, and delivers or counts every line", async () => {
    // 10,000 records (2.8 MB) a second for 17 s into a pipe whose reader sleeps 15 s: the 16 MiB
    // backlog fills and the rest is counted. The bound on the event-loop delay is the promise under
    // test (a log call never waits for the reader); 200 ms leaves room for GC pauses and for a
    // loaded 2-core machine taking the CPU away from the child, where blocking on the pipe instead
    // measured about 10 s. The rate is modest so that the child itself does not load the machine.
    const result = await run('"$NODE" "$CHILD" | { sleep 15; wc -l; }', {
      RECORDS: "170000",
      BURST: "100",
      INTERVAL_MS: "10",
      PAYLOAD_BYTES: "200",
    });
    const received = Number(result.stdout.trim());
    console.log(
      `stalled stdout: max event-loop delay ${result.maxDelayMs.toFixed(1)} ms, ${received} lines delivered, ${result.dropped} counted as dropped of ${result.logged}`,
    );
    expect(result.maxDelayMs).toBeLessThan(200);
    expect(result.dropped).toBeGreaterThan(0);
    expect(received + result.dropped).toBe(result.logged);
    expect(result.reported).toBe(result.dropped);
  }, 60_000);

  it("writes the lines an exit listener logs after the outputs' own exit flush, also into a full pipe", async () => {
    // 2,000 lines (260 kB) in one exit listener: more than the 64 KiB pipe takes without its reader.
    const result = await run('"$NODE" "$CHILD" | wc -l', { RECORDS: "1000", AT_EXIT: "2000" });
    expect(result.logged).toBe(3000);
    expect(result.dropped).toBe(0);
    expect(Number(result.stdout.trim())).toBe(3000);
  });

  it("reports every line lost to EPIPE (a reader that exits), aggregated, as many as were counted", async () => {
    const result = await run('"$NODE" "$CHILD" | head -1 > /dev/null', { RECORDS: "100000", BURST: "1000" });
    expect(result.dropped).toBeGreaterThan(0);
    expect(result.reported).toBe(result.dropped);
    expect(result.stderr).toMatch(/EPIPE/);
    // Aggregated: a few reports, not one per failed write.
    expect(result.stderr.split("\n").filter((line) => line.includes("records lost")).length).toBeLessThan(10);
  });

  const tmpfs = mountTmpfs();
  it.skipIf(typeof tmpfs === "string")(
    "reports every line lost to ENOSPC (a full disk), as many as were counted",
    async () => {
      const dir = (tmpfs as { path: string }).path;
      const file = path.join(dir, "full.log");
      const result = await run('"$NODE" "$CHILD"', { WRITE_TO: file, RECORDS: "50000", BURST: "1000" });
      const written = (fs.readFileSync(file, "utf8").match(/\n/g) ?? []).length;
      expect(result.dropped).toBeGreaterThan(0);
      expect(written + result.dropped).toBe(result.logged);
      expect(result.reported).toBe(result.dropped);
      expect(result.stderr).toMatch(/ENOSPC/);
    },
  );
  if (typeof tmpfs === "string") console.log(`ENOSPC test skipped: ${tmpfs}`);
});

/** A 1 MiB tmpfs to fill (its path), or why none could be mounted. */
function mountTmpfs(): string | { path: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "mlobs-full-"));
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=1m", "tmpfs", dir], { stdio: "pipe" });
  } catch (error) {
    return `mounting a tmpfs is not permitted here (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
  afterAll(() => {
    execFileSync("umount", [dir]);
    fs.rmSync(dir, { recursive: true });
  });
  return { path: dir };
}
