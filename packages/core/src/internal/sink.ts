import * as fs from "node:fs";

/** Bytes gathered before a write is forced within the same event-loop turn. */
const CHUNK = 64 * 1024;

const open = new Set<LineSink>();
let exitHookInstalled = false;

function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // 'exit' handlers must be synchronous: whatever is still buffered is written before the process ends.
  process.on("exit", () => {
    for (const sink of open) sink.flushSync();
  });
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/**
 * Buffers lines for a file descriptor and writes them in chunks: one write(2) per 64 KiB or per
 * event-loop turn, never one per record, so a log call does no I/O. Pending lines are written on
 * `flush()`, on `close()` and on process exit.
 */
export class LineSink {
  #fd: number;
  #buffer = "";
  #scheduled = false;
  #closeFd: boolean;
  /** Called with each write error; the lines of a failed write are reported, not retried forever. */
  onError: (error: Error, lines: number) => void = () => {};

  constructor(fd: number, options: { closeFd?: boolean } = {}) {
    this.#fd = fd;
    this.#closeFd = options.closeFd ?? false;
    open.add(this);
    installExitHook();
  }

  write(line: string): void {
    this.#buffer += line;
    if (this.#buffer.length >= CHUNK) this.flushSync();
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
    return this.#buffer.length;
  }

  flushSync(): void {
    if (this.#buffer === "") return;
    const text = this.#buffer;
    this.#buffer = "";
    // The string goes to write(2) as it is: Buffer.from() of a 64 KiB chunk first would cost about
    // 0.25 µs per line. Only a partial write (a pipe) or EAGAIN takes the Buffer path, where
    // offsets are bytes.
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
    this.#writeFrom(Buffer.from(text), written);
  }

  #writeFrom(data: Buffer, offset: number): void {
    let retries = 0;
    while (offset < data.length) {
      try {
        offset += fs.writeSync(this.#fd, data, offset);
        retries = 0;
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A non-blocking pipe that is full: wait a little for the reader, as SonicBoom does.
        if (code === "EAGAIN" && retries++ < 1000) {
          Atomics.wait(sleeper, 0, 0, 10);
          continue;
        }
        this.onError(error as Error, countLines(data, offset));
        return;
      }
    }
  }

  async flush(): Promise<void> {
    this.flushSync();
  }

  /** Sets the descriptor new lines go to (after rotation), writing what is buffered first. */
  reopen(fd: number): void {
    this.flushSync();
    if (this.#closeFd) fs.closeSync(this.#fd);
    this.#fd = fd;
  }

  close(): void {
    this.flushSync();
    open.delete(this);
    if (this.#closeFd) fs.closeSync(this.#fd);
  }
}

function countLines(data: Buffer, from: number): number {
  let lines = 0;
  for (let i = data.indexOf(10, from); i !== -1; i = data.indexOf(10, i + 1)) lines++;
  return lines;
}
