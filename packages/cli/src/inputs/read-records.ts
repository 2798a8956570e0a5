import { CliError } from "../cli-error.js";
import type { ResourceKeys } from "./flatten-otlp.js";
import { parseLine, type Record, whyNotRecord } from "./parse-line.js";
import { inputName, readLines } from "./read-lines.js";

/**
 * Every record of one input, in file order. A line that is not a record fails with its file and
 * line number; blank lines are skipped; OTLP batches cut short by a killed collector are skipped
 * and counted on stderr, as collector/flatten-logs.mjs does. `keep` filters raw lines before they are parsed (a cheap
 * substring test saves parsing most lines of a large file).
 */
export async function* readRecords(
  file: string,
  keep?: (text: string) => boolean,
  resourceKeys: ResourceKeys = "all",
): AsyncGenerator<Record> {
  const cutShort = { batches: 0 };
  for await (const { line, text } of readLines(file)) {
    if (text.trim() === "" || (keep !== undefined && !keep(text))) continue;
    const records = parseLine(text, resourceKeys, cutShort);
    if (records === undefined) {
      throw new CliError(`${inputName(file)}:${line}: ${whyNotRecord(text)}, not a log record`);
    }
    yield* records;
  }
  if (cutShort.batches > 0) {
    process.stderr.write(
      `mlobs: ${inputName(file)}: skipped ${cutShort.batches} OTLP batch(es) cut short by a collector that was killed while writing\n`,
    );
  }
}
