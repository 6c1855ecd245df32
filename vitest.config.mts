import { defineConfig } from "vitest/config";

const REAL_CLI_TESTS = "test/e2e/**/*.test.ts";

export default defineConfig({
  test: {
    reporters: ["default", "./test/support/summaryReporter.mts"],
    // The engine-harness tests start real provider host processes; on a 2-core machine a
    // few files at a time keeps them from starving each other.
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["test/**/*.test.ts"], exclude: [REAL_CLI_TESTS] },
      },
      {
        // Its setup finds or builds the Pulumi CLI, only when a run includes these files.
        extends: true,
        test: {
          name: "real-cli",
          include: [REAL_CLI_TESTS],
          globalSetup: ["./test/support/realCliSetup.ts"],
        },
      },
    ],
  },
});
