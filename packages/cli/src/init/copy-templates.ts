import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { TEMPLATE_FILES } from "./template-files.js";
import { userCompose } from "./user-compose.js";

/**
 * Copies the template files from the repository root into `outDir` (the build's
 * `dist/templates`), the compose file in its user-project form. Runs at build time, from tsup.
 */
export function copyTemplates(repoRoot: string, outDir: string): void {
  for (const file of TEMPLATE_FILES) {
    const target = join(outDir, file);
    mkdirSync(dirname(target), { recursive: true });
    if (file === "docker-compose.yml") {
      writeFileSync(target, userCompose(readFileSync(join(repoRoot, file), "utf8")));
    } else copyFileSync(join(repoRoot, file), target);
  }
}
