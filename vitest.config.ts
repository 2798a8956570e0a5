import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["packages/*/src/**/*.test.ts", "examples/*/**/*.test.ts", "test/**/*.test.ts"],
    exclude: ["**/node_modules/**", "**/dist/**"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // The end-to-end tests start real processes; two cores are shared.
    fileParallelism: true,
    maxWorkers: 2,
    typecheck: { enabled: false },
    coverage: {
      provider: "v8",
      include: ["packages/*/src/**/*.ts"],
      exclude: ["**/*.test.ts", "**/test-*.ts"],
      reporter: ["text-summary", "text"],
      thresholds: { "packages/core/src/**": { lines: 90 } },
    },
  },
});
