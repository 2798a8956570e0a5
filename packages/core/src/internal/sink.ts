import * as fs from "node:fs";
import { diagnostics } from "./diagnostics.js";
import { shared } from "./global.js";
import { warn } from "./warn.js";

/** Bytes gathered before a write is forced within the same event-loop turn. */
const CHUNK = 64 * 1024;
/** Bytes held for a reader that does not keep up; past it new lines are dropped and counted. */
const MAX_BACKLOG = 16 * 1024 * 1024;
/** How often a stalled descriptor is tried again. */
const RETRY_MS = 10;
/** Bytes written from the backlog per event-loop turn, at most. */
const DRAIN_BUDGET = 1024 * 1024;
/** How long closing (or the process exit) may wait, in total, for a stalled reader. */
const CLOSE_BUDGET_MS = 1000;
/** How often drops are reported on stderr, at most. */
const REPORT_INTERVAL_MS = 1000;

// One registry for every copy of this module (the ES module and CommonJS builds). `endsBy` is set
// once the process is ending: the deadline of its last writes.
const open = shared("sinks", () => ({
  sinks: new Set<LineSink>(),
  hooked: false,
  endsBy: undefined as number | undefined,
}));

function installExitHook(): void {
  if (open.hooked) return;
  open.hooked = true;
  process.on("exit", endSinks);
}

/**
 * For a process that ends now (on exit, or before a signal ends it): writes what every sink holds,
 * waiting at most a second in all for stalled readers, and reports the lines lost. From then on
 * every line is written at once, within the same second: no later event-loop turn would write
 * it, and an `exit` listener that runs after this one (the drop report of the telemetry, an
 * application's last record) must still reach the output.
 */
export function endSinks(): void {
  open.endsBy ??= Date.now() + CLOSE_BUDGET_MS;
  for (const sink of open.sinks) sink.drainSync(open.endsBy);
  for (const reporter of reporters) reporter.report();
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Buffers lines for a file descriptor and writes them in chunks: one write(2) per 64 KiB or per
 * event-loop turn, never one per record, so a log call does no I/O. A descriptor that cannot take
 * more (a full pipe whose reader stalls) never blocks the event loop: up to 16 MiB wait and are
 * tried again every 10 ms, and past that new lines are dropped and counted. Pending lines are written
 * on `flush()`, on `close()` and on process exit (which wait at most a second for a stalled reader);
 * lines written while the process exits are written at once.
 */
export class LineSink {
  #fd: number;
  #buffer = "";
  /** Bytes a full descriptor did not take yet, oldest first. */
  #backlog: Buffer[] = [];
  #backlogBytes = 0;
  #scheduled = false;
  #retry: NodeJS.Timeout | undefined;
  #overflow: Error | undefined;
  #closeFd: boolean;
  /** Called with each write error and the lines it lost; the lines are not retried. */
  onError: (error: Error, lines: number) => void = () => {};

  constructor(fd: number, options: { closeFd?: boolean } = {}) {
    this.#fd = fd;
    this.#closeFd = options.closeFd ?? false;
    open.sinks.add(this);
    installExitHook();
  }

  write(line: string): void {
    if (this.#backlogBytes > MAX_BACKLOG) {
      // One error for the whole overflow: a dropped line must stay cheaper than a written one.
      this.#overflow ??= stalled(this.#backlogBytes);
      this.onError(this.#overflow, 1);
      return;
    }
    this.#overflow = undefined;
    this.#buffer += line;
    if (open.endsBy !== undefined) this.drainSync(open.endsBy);
    else if (this.#buffer.length >= CHUNK) this.flushSync();
    else if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => {
        this.#scheduled = false;
        this.flushSync();
      }).unref();
    }
  }

  /** Bytes waiting to be written. */
  get pending(): number {
    return this.#buffer.length + this.#backlogBytes;
  }

  /** Writes what the descriptor takes now, without waiting; the rest waits for the retry timer. */
  flushSync(): void {
    if (this.#buffer !== "") {
      const text = this.#buffer;
      this.#buffer = "";
      if (this.#backlog.length > 0) this.#queue(Buffer.from(text));
      else {
        // The string goes to write(2) as it is: Buffer.from() of a 64 KiB chunk first would cost
        // about 0.25 µs per line. Only a partial write or EAGAIN takes the Buffer path.
        let written = 0;
        try {
          written = fs.writeSync(this.#fd, text);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== "EAGAIN") {
            this.onError(error as Error, countLines(Buffer.from(text), 0));
            return;
          }
        }
        if (written === Buffer.byteLength(text)) return;
        this.#queue(Buffer.from(text).subarray(written));
      }
    }
    this.#drain();
  }

  #queue(data: Buffer): void {
    this.#backlog.push(data);
    this.#backlogBytes += data.length;
  }

  /**
   * Writes from the backlog until the descriptor is full or `budget` bytes are written (so a reader
   * that wakes up does not hold the event loop for the whole backlog); true when it is empty.
   */
  #drain(budget = DRAIN_BUDGET): boolean {
    let left = budget;
    while (this.#backlog.length > 0) {
      if (left <= 0) {
        this.#armRetry(0);
        return false;
      }
      const data = this.#backlog[0] as Buffer;
      let written: number;
      try {
        written = fs.writeSync(this.#fd, data);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === "EAGAIN") {
          this.#armRetry();
          return false;
        }
        this.#lose(error as Error);
        return true;
      }
      this.#backlogBytes -= written;
      left -= written;
      if (written === data.length) this.#backlog.shift();
      else this.#backlog[0] = data.subarray(written);
    }
    clearTimeout(this.#retry);
    this.#retry = undefined;
    return true;
  }

  #armRetry(ms = RETRY_MS): void {
    if (this.#retry !== undefined) return;
    // Unref'd: a stalled reader does not keep the process alive; the exit hook waits for it, briefly.
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      this.#drain();
    }, ms).unref();
  }

  /** Counts everything still held as lost to `error`. */
  #lose(error: Error): void {
    let lines = countLines(Buffer.from(this.#buffer), 0);
    for (const data of this.#backlog) lines += countLines(data, 0);
    this.#buffer = "";
    this.#backlog = [];
    this.#backlogBytes = 0;
    clearTimeout(this.#retry);
    this.#retry = undefined;
    if (lines > 0) this.onError(error, lines);
  }

  /** Writes everything, waiting for a stalled reader until `deadline`; what is left then is lost. */
  drainSync(deadline: number): void {
    this.flushSync();
    while (!this.#drain(Number.POSITIVE_INFINITY)) {
      if (Date.now() >= deadline) {
        this.#lose(stalled(this.#backlogBytes));
        return;
      }
      Atomics.wait(sleeper, 0, 0, RETRY_MS);
    }
  }

  async flush(): Promise<void> {
    this.flushSync();
  }

  /** Sets the descriptor new lines go to (after rotation), writing what is buffered first. */
  reopen(fd: number): void {
    this.drainSync(Date.now() + CLOSE_BUDGET_MS);
    if (this.#closeFd) fs.closeSync(this.#fd);
    this.#fd = fd;
  }

  close(): void {
    this.drainSync(Date.now() + CLOSE_BUDGET_MS);
    open.sinks.delete(this);
    if (this.#closeFd) fs.closeSync(this.#fd);
  }
}

function stalled(bytes: number): Error {
  return Object.assign(new Error(`the reader is not keeping up (${bytes} bytes waiting)`), {
    code: "EAGAIN",
  });
}

function countLines(data: Buffer, from: number): number {
  let lines = 0;
  for (let i = data.indexOf(10, from); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  return lines;
}

interface Reporter {
  report(): void;
}

const reporters = shared("dropReporters", () => new Set<Reporter>());

/**
 * Counts the lines that writes to `where` lost (`getDiagnostics().dropped`) and reports them on
 * stderr, aggregated: at most once a second and once more at exit, with the count since the last
 * report, the total and the cause, so a broken pipe or a full disk is never reported as one write.
 */
export function reportWriteErrors(where: string): (error: Error, lines: number) => void {
  let total = 0;
  let since = 0;
  let cause = "";
  let timer: NodeJS.Timeout | undefined;
  const reporter: Reporter = {
    report() {
      clearTimeout(timer);
      timer = undefined;
      if (since === 0) return;
      warn(`mlobs: writing to ${where} failed (${cause}); ${since} records lost (${total} in total)`);
      since = 0;
    },
  };
  reporters.add(reporter);
  return (error, lines) => {
    diagnostics.outputErrors++;
    diagnostics.dropped += lines;
    total += lines;
    since += lines;
    cause = error.message;
    // A process that is ending has no later turn for the timer: the loss is reported at once.
    if (open.endsBy !== undefined) reporter.report();
    else timer ??= setTimeout(() => reporter.report(), REPORT_INTERVAL_MS).unref();
  };
}
