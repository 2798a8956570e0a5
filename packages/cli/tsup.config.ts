import { resolve } from "node:path";
import { defineConfig } from "tsup";
import { copyTemplates } from "./src/init/copy-templates.js";

export default defineConfig({
  entry: ["src/index.ts", "src/bin.ts"],
  // ESM only: a command, and DuckDB's node-api is ESM-first.
  format: ["esm"],
  // The workspace tsconfig is composite (for `tsc -b`); declaration bundling wants a plain program.
  dts: { entry: "src/index.ts", compilerOptions: { composite: false, incremental: false } },
  clean: true,
  sourcemap: true,
  target: "node20",
  silent: true,
  onSuccess: async () => {
    // tsup runs in the package's folder; the templates are the repository's own files.
    copyTemplates(resolve("../.."), resolve("dist/templates"));
  },
});
