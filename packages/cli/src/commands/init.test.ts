import { existsSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../../../../test/e2e/collector.js";
import { TEMPLATE_FILES } from "../init/template-files.js";
import { EXAMPLE_SERVICE } from "../init/user-compose.js";
import { runCli } from "../testing/run-cli.js";

interface Compose {
  services: Record<string, { volumes?: string[]; build?: unknown; [key: string]: unknown }>;
}

describe("mlobs init", () => {
  it("writes the files this repository runs, byte for byte, and the compose file without the example", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-init-"));
    const run = await runCli(["init", dir]);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    for (const file of TEMPLATE_FILES) {
      const written = readFileSync(join(dir, file));
      if (file !== "docker-compose.yml")
        expect(written.equals(readFileSync(join(REPO_ROOT, file))), file).toBe(true);
    }
    const repo = parse(readFileSync(join(REPO_ROOT, "docker-compose.yml"), "utf8")) as Compose;
    const text = readFileSync(join(dir, "docker-compose.yml"), "utf8");
    const user = parse(text) as Compose;
    // Every service but the example, unchanged; nothing that points into this repository.
    const { [EXAMPLE_SERVICE]: example, ...others } = repo.services;
    expect(example).toBeDefined();
    expect(user.services).toEqual(others);
    expect(text).not.toMatch(/ml-example|examples\/|Dockerfile|MLOBS_COLLECTOR/);
    // Every file the services mount is one init wrote, or a directory the collector writes in.
    for (const service of Object.values(user.services)) {
      for (const volume of service.volumes ?? []) {
        const source = volume.split(":")[0]!;
        if (source.startsWith("./.cache/")) continue;
        expect(TEMPLATE_FILES as readonly string[], volume).toContain(source.replace(/^\.\//, ""));
        expect(existsSync(join(dir, source)), volume).toBe(true);
      }
    }
  });

  it("refuses to overwrite a file without --force, and overwrites with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mlobs-cli-init-"));
    writeFileSync(join(dir, "otel-collector.yaml"), "mine\n");
    const refused = await runCli(["init", dir]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("otel-collector.yaml already exists: pass --force");
    expect(readFileSync(join(dir, "otel-collector.yaml"), "utf8")).toBe("mine\n");
    expect(existsSync(join(dir, "docker-compose.yml"))).toBe(false); // nothing written at all
    const forced = await runCli(["init", "--force", dir]);
    expect(forced.code).toBe(0);
    expect(readFileSync(join(dir, "otel-collector.yaml"), "utf8")).toBe(
      readFileSync(join(REPO_ROOT, "otel-collector.yaml"), "utf8"),
    );
  });
});
