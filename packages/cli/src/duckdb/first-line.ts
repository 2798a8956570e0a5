import { type Line, readLines } from "../inputs/read-lines.js";

/** The first non-blank line of a file, or undefined when it has none. */
export async function firstLine(file: string): Promise<Line | undefined> {
  const lines = readLines(file);
  try {
    for await (const line of lines) if (line.text.trim() !== "") return line;
    return undefined;
  } finally {
    await lines.return(undefined);
  }
}
