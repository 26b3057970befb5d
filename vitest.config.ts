import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "services/*/test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts", "services/*/test/integration/**/*.test.ts"],
          globalSetup: ["test/testbed/global-setup.ts"],
          setupFiles: ["test/helpers/aws-env.ts"],
          // The handlers log JSON and EMF to stdout as in Lambda; tests keep warnings and errors only.
          env: { POWERTOOLS_LOG_LEVEL: "WARN", POWERTOOLS_METRICS_DISABLED: "true" },
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
