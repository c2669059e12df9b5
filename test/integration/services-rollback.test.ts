// Issue 17: a rollback puts back a revision whose one-off tasks (migrations) already ran; it never
// runs them again (an older migration run over a newer schema is how rollbacks lose data).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { servicesRepo, type TempRepo } from "../fixtures/config/repo.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";

const DEV = "222222222222";
let sb: Sandbox;
let repo: TempRepo;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = servicesRepo();
});
afterAll(async () => {
  await sb.stop();
  repo.cleanup();
});

const run = (args: string[]): Promise<CliResult> =>
  runCli(args, { cwd: repo.dir, sandbox: sb, timeoutMs: 120_000, env: { DEPLOYER_POLL_INTERVAL_MS: "100" } });

interface Report {
  targets: Array<{ target: { name: string }; outcome: string; tasks?: Array<{ name: string; outcome: string; skippedBecause?: string }> }>;
}

describe("rollback with several services", () => {
  it("puts both services back without running the api's migrate task again", async () => {
    for (const image of ["8d1e4b7", "3f2a9c1"]) {
      const r = await run(["rollout", "--image", image, "--stage", "dev"]);
      expect(r.exitCode, describeRun(r)).toBe(0);
    }
    const runTasksBefore = sb.admin.log({ account: DEV, action: "RunTask" }).length;
    expect(runTasksBefore).toBe(2);

    const r = await run(["rollback", "--env", "dev", "--yes", "-o", "json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["dev/api", "deployed"],
      ["dev/worker", "deployed"],
    ]);
    expect(report.targets[0]!.tasks).toEqual([
      expect.objectContaining({ name: "migrate", outcome: "skipped", skippedBecause: expect.stringMatching(/rollback/) as unknown }),
    ]);
    // No RunTask during the rollback; both services were updated.
    expect(sb.admin.log({ account: DEV, action: "RunTask" })).toHaveLength(runTasksBefore);
    expect(sb.admin.log({ account: DEV, action: "UpdateService" }).filter((e) => e.status === 200)).toHaveLength(6);
  }, 240_000);
});
