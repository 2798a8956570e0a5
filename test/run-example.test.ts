import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runExample } from "./run-example.js";

describe("runExample()", () => {
  it("kills an example that does not end in time and fails with its stderr", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlobs-hanging-example-"));
    try {
      writeFileSync(
        join(dir, "index.js"),
        'process.stderr.write("waiting forever\\n"); setInterval(() => {}, 1000);\n',
      );
      await expect(runExample(dir, {}, 1_000)).rejects.toThrow(
        /still running after 1000 ms[\s\S]*waiting forever/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
