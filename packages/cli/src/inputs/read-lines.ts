import { closeSync, createReadStream, openSync, readSync } from "node:fs";
import { createInterface } from "node:readline";
import { Readable } from "node:stream";
import { createGunzip } from "node:zlib";
import { CliError } from "../cli-error.js";
import { STDIN } from "./expand-inputs.js";

/** The display name of an input in messages: the path, or `stdin` for `-`. */
export function inputName(file: string): string {
  return file === STDIN ? "stdin" : file;
}

/** True when the file starts with gzip's magic bytes, whatever its name. */
export function isGzipFile(file: string): boolean {
  const fd = openSync(file, "r");
  try {
    const head = Buffer.alloc(2);
    return readSync(fd, head, 0, 2, 0) === 2 && isGzip(head);
  } finally {
    closeSync(fd);
  }
}

function isGzip(head: Uint8Array): boolean {
  return head[0] === 0x1f && head[1] === 0x8b;
}

/** Standard input, gunzipped when its first chunk starts with gzip's magic bytes. */
function openStdin(): Readable {
  return Readable.from(
    (async function* () {
      const it = process.stdin[Symbol.asyncIterator]();
      const first = await it.next();
      if (first.done) return;
      // The first chunk decides, then goes back in front of the rest.
      const all = (async function* () {
        yield first.value as Buffer;
        for (let next = await it.next(); !next.done; next = await it.next()) yield next.value as Buffer;
      })();
      if (isGzip(first.value as Buffer)) yield* Readable.from(all).pipe(createGunzip());
      else yield* all;
    })(),
  );
}

/** A readable stream of the input's bytes, gunzipped when it is gzip. */
function openInput(file: string): Readable {
  if (file === STDIN) return openStdin();
  const stream = createReadStream(file);
  return isGzipFile(file) ? stream.pipe(createGunzip()) : stream;
}

/** One line of an input and where it came from (1-based line number). */
export interface Line {
  readonly file: string;
  readonly line: number;
  readonly text: string;
}

/**
 * The input's lines, in order, with their numbers. A stream error (an unreadable file, a corrupt
 * gzip) becomes a one-line CliError naming the file.
 */
export async function* readLines(file: string): AsyncGenerator<Line> {
  const input = openInput(file);
  const errors: Error[] = [];
  // A gunzip error is raised on the gunzip stream, which readline does not forward.
  input.on("error", (error) => errors.push(error));
  const lines = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  let n = 0;
  try {
    for await (const text of lines) {
      if (errors.length > 0) break;
      yield { file, line: ++n, text };
    }
  } catch (error) {
    errors.push(error as Error);
  }
  if (errors.length > 0) {
    throw new CliError(`${inputName(file)}: cannot read it: ${errors[0]!.message}`);
  }
}
