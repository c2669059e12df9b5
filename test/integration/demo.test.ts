// `npm run demo` (scripts/demo.ts), the README's first command: every step behaves as the demo
// expects, and its output written to a file or a pipe is plain text: no ANSI codes unless stdout
// is a terminal (issue 15, "the demo writes raw ANSI codes into a file").
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { projectRoot } from "../fixtures/config/repo.js";

describe("npm run demo", () => {
  it("runs every step as expected and writes no ANSI codes into a pipe", async () => {
    const env: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(process.env)) {
      // Nothing that turns colours off (the demo must do it itself) or points elsewhere.
      if (v !== undefined && !/^(AWS_|NO_COLOR$|FORCE_COLOR$)/.test(k)) env[k] = v;
    }
    env.DEMO_DEPLOYMENT_SECONDS = "0.3";
    env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = "true";
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
      cwd: projectRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));

    expect(code, stdout + stderr).toBe(0);
    expect(stdout).toContain("Demo finished: every step behaved as expected.");
    expect(stdout).toMatch(/^\$ deployer validate$/m);
    expect(stdout).toMatch(/^\$ deployer promote --stage staging --yes$/m);
    // Two services (issue 17): both deployed, the api's migrate task ran first and succeeded.
    // The run report groups by environment: the env once, one row per service.
    expect(stdout).toMatch(/^dev +api +dev .*deployed/m);
    expect(stdout).toMatch(/^ +worker +deployed/m);
    expect(stdout + stderr).toContain("[dev/api] task migrate succeeded (exit code 0");
    expect(stdout.includes("\x1b"), "an ESC byte in stdout").toBe(false);
    expect(stderr.includes("\x1b"), "an ESC byte in stderr").toBe(false);
  }, 120_000);
});
