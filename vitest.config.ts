import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    pool: "forks",
    // Most test time is spent waiting on the sandbox (deployments that take seconds, polls, child
    // processes), not on the CPU: vitest's default of one worker per core minus one (1 on CI's two
    // cores) left the machine mostly idle. Four workers took the suite from ~7 to ~2.5 minutes on two
    // cores with every test passing; timing in tests is on the sandbox's clock or generous bounds.
    maxWorkers: 4,
    // deployer supports Node >= 20; the SDK's notice about its future Node 22 floor is noise in test logs.
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true" },
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
