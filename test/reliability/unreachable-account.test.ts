// One account among 10 that deployer cannot get into (connections dropped, or AssumeRole denied):
// preflight fails the whole run before any write, and the output names that account.
import { afterEach, describe, expect, it } from "vitest";
import { describeRun } from "../helpers/sandbox-cli.js";
import { IMAGE, startFleet, WRITE_ACTIONS, type Fleet, type ReportJson } from "./fleet.js";

let fleet: Fleet | undefined;
afterEach(async () => {
  await fleet?.stop();
  fleet = undefined;
});

async function rolloutJson(f: Fleet) {
  const r = await f.run(["-o", "json", "rollout", "--image", IMAGE]);
  return { r, report: JSON.parse(r.stdout) as ReportJson };
}

describe("one unreachable account among 10", () => {
  it("connection dropped for every call into it: PREFLIGHT_FAILED naming it, exit 1, no write anywhere", async () => {
    fleet = await startFleet({ targets: 10 });
    const bad = fleet.accounts[6]!;
    fleet.sb.admin.setFaults({ unreachableAccounts: [bad] });
    const { r, report } = await rolloutJson(fleet);
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(fleet.sb.admin.log().filter((e) => WRITE_ACTIONS.has(e.action))).toEqual([]);
    expect(report.error?.code).toBe("PREFLIGHT_FAILED");
    expect(report.error?.message).toContain(`gen-${bad}`);
    const t = report.targets.find((x) => x.target.account === bad)!;
    expect(t.error?.code).toBe("PREFLIGHT_FAILED");
    expect(report.targets.filter((x) => x.target.account !== bad).map((x) => x.outcome)).toEqual(Array(9).fill("not-started"));
    // The calls into it really were refused at the connection.
    expect(fleet.sb.admin.log().some((e) => e.fault === "drop")).toBe(true);
  });

  it("AssumeRole denied (wrong external id): preflight fails naming the account and the externalId line, exit 1, no write", async () => {
    fleet = await startFleet({ targets: 10 });
    const bad = fleet.accounts[3]!;
    fleet.repo.edit(`environments/gen-${bad}.yaml`, /externalId: .*/, "externalId: shop-deployer-someone-else");
    const r = await fleet.run(["rollout", "--image", IMAGE]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(fleet.sb.admin.log().filter((e) => WRITE_ACTIONS.has(e.action))).toEqual([]);
    expect(fleet.sb.admin.log({ action: "AssumeRole" }).some((e) => e.errorCode === "AccessDenied")).toBe(true);
    const out = r.stdout + r.stderr;
    expect(out).toContain(`arn:aws:iam::${bad}:role/deployer`);
    expect(out).toMatch(new RegExp(`gen-${bad}.*(blocked|FAIL)`));
    expect(out).toContain(`error PREFLIGHT_FAILED [gen-${bad} ${bad}] 1 check failed: deploy role can be assumed`);
    expect(out).toContain(`environments/gen-${bad}.yaml:${fleet.repo.lineOf(`environments/gen-${bad}.yaml`, "externalId:")}`);
    expect(out).toContain('ExternalId "shop-deployer-someone-else" was sent');
  });
});
