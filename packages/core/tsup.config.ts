import { defineConfig } from "tsup";

export default defineConfig({
  entry: ["src/index.ts", "src/otel.ts", "src/processors.ts", "src/integrations.ts"],
  format: ["esm", "cjs"],
  // The workspace tsconfig is composite (for `tsc -b`); declaration bundling wants a plain program.
  dts: { compilerOptions: { composite: false, incremental: false } },
  clean: true,
  sourcemap: true,
  target: "node20",
  // Build errors still print; the per-file size report would bury the demo and test output.
  silent: true,
});
