// Assumed-role sessions that expire in the middle of the wait: deployer refreshes them (AssumeRole
// again) and the rollout completes; no call is refused for expired credentials it failed to recover from.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, type CliResult } from "../helpers/sandbox-cli.js";
import { IMAGE, startFleet, type Fleet, type ReportJson } from "./fleet.js";

let fleet: Fleet;
let run: CliResult;
beforeAll(async () => {
  // Sessions live 4 s; each deployment takes 9 s of polling every 100 ms. (With 2 s sessions a request
  // signed just before the refresh point could reach the sandbox after the expiry on a loaded CI machine:
  // the sandbox's short sessions are an acceleration, AWS's shortest is 900 s.)
  fleet = await startFleet({ targets: 5, maxSessionSeconds: 4, deploymentSeconds: 9 });
  run = await fleet.run(["-o", "json", "rollout", "--image", IMAGE]);
}, 90_000);
afterAll(() => fleet?.stop());

describe("credentials that expire mid-wait", () => {
  it("the rollout completes: exit 0, every target deployed", () => {
    expect(run.exitCode, describeRun(run)).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.targets.map((t) => t.outcome)).toEqual(fleet.names.map(() => "deployed"));
  });

  it("sessions were refreshed: more successful AssumeRole calls than targets", () => {
    // The log records AssumeRole under the caller (the CI account), not the role's account: count them all.
    const assumes = fleet.sb.admin.log({ action: "AssumeRole" }).filter((e) => e.status === 200);
    expect(assumes.length).toBeGreaterThanOrEqual(2 * fleet.accounts.length);
  });

  it("each target was still polled successfully after its first session had expired", () => {
    for (const account of fleet.accounts) {
      const calls = fleet.sb.admin.log({ account });
      const polls = calls.filter((e) => e.action === "DescribeServices");
      const last = polls.at(-1)!;
      expect(last.status, `last DescribeServices of ${account}`).toBe(200);
      // The account's first call used its first session (issued just before, living 4 s): a poll
      // more than 4 s later was signed with a refreshed one.
      expect(Date.parse(last.time) - Date.parse(calls[0]!.time), `${account} polled past its first session's lifetime`).toBeGreaterThan(
        4_000,
      );
    }
  });
});
