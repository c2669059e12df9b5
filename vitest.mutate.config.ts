// The vitest configuration Stryker runs (`npm run mutate`, stryker.config.mjs): only the unit tests of
// the mutated modules. No global setup (unit tests need no built CLI), no sandbox, no subprocesses, and
// not test/action/dist-matches-source.test.ts, which fails on any source change without a rebuild —
// right for CI, noise for a mutant.
import { defineConfig } from "vitest/config";

// MUTATE_TESTS=test/unit/ecs/deployment-state.test.ts (comma-separated files or globs) narrows a
// one-module run to that module's own tests: much faster on a busy machine, and the score it gives is
// a lower bound (the other unit tests could only kill more mutants).
const only = process.env.MUTATE_TESTS?.split(",").filter(Boolean);

export default defineConfig({
  test: {
    include: only ?? [
      "test/unit/checks/**/*.test.ts",
      "test/unit/iam/**/*.test.ts",
      "test/unit/ecs/**/*.test.ts",
      "test/unit/plan/**/*.test.ts",
      "test/unit/render/**/*.test.ts",
      "test/unit/config/**/*.test.ts",
      "test/unit/fleet/**/*.test.ts",
    ],
    // fingerprint-secrecy brute-forces hashes (seconds per test, minutes under instrumentation) and
    // covers every normal-form mutant: it would time out the run; it runs in `npm test`.
    exclude: [
      "test/action/**",
      "test/integration/**",
      "test/reliability/**",
      "test/sandbox/**",
      "test/unit/plan/fingerprint-secrecy.test.ts",
    ],
    pool: "forks",
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 30_000,
  },
});
