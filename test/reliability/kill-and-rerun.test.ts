// SIGKILL in the middle of a 20-target rollout, then the same command again: the second run
// converges, no target gets a second revision of the same rendered definition, and its report says
// which targets the first run had already done.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, type CliResult } from "../helpers/sandbox-cli.js";
import { IMAGE, startFleet, type Fleet, type ReportJson } from "./fleet.js";

let fleet: Fleet;
let killed: CliResult;
let rerun: CliResult;
let report: ReportJson;
/** What the sandbox saw from the killed run, per account. */
const firstRun = new Map<string, { registered: number; updated: number }>();
const reportedDeployed = new Set<string>();

beforeAll(async () => {
  // 5 at a time, so that when the 5th target is done, others are in flight and the rest not started.
  fleet = await startFleet({ targets: 20, maxParallel: 5, deploymentSeconds: 1 });
  const args = ["rollout", "--image", IMAGE];
  const p = fleet.spawn(args);
  await p.waitForOutput(/(\] ✔ deployed.*\n[\s\S]*){5}/);
  // From now on every UpdateService is lost on the way (connection dropped before ECS sees it), so
  // the targets starting now register their revision but never get their service updated...
  fleet.sb.admin.setFaults({ actions: ["UpdateService"], dropRate: 1 });
  await until(() => fleet.sb.admin.log({ action: "UpdateService" }).some((e) => e.fault === "drop"));
  // ...and the process dies while the SDK retries those calls.
  p.kill("SIGKILL");
  killed = await p.result;
  fleet.sb.admin.setFaults({});
  for (const m of killed.stdout.matchAll(/\[(gen-\d+)\] ✔ deployed/g)) reportedDeployed.add(m[1]!);
  for (const a of fleet.accounts) {
    const log = fleet.sb.admin.log({ account: a });
    firstRun.set(a, {
      registered: log.filter((e) => e.action === "RegisterTaskDefinition" && e.status === 200).length,
      updated: log.filter((e) => e.action === "UpdateService" && e.status === 200).length,
    });
  }
  const reportFile = path.join(fleet.repo.dir, "rerun-report.json");
  rerun = await fleet.run([...args, "--out-report", reportFile]);
  report = JSON.parse(readFileSync(reportFile, "utf8")) as ReportJson;
}, 90_000);
afterAll(() => fleet?.stop());

async function until(condition: () => boolean, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !condition();) {
    if (Date.now() > end) throw new Error("test setup: condition not reached");
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("SIGKILL mid-rollout, then the same command again", () => {
  it("the first run really died in the middle", () => {
    expect(killed.signal).toBe("SIGKILL");
    expect(reportedDeployed.size).toBeGreaterThanOrEqual(5);
    const untouched = fleet.accounts.filter((a) => firstRun.get(a)!.registered === 0);
    expect(untouched.length, "targets the killed run never started").toBeGreaterThan(0);
  });

  it("the second run converges: exit 0, every target deployed or unchanged", () => {
    expect(rerun.exitCode, describeRun(rerun)).toBe(0);
    expect(report.ok).toBe(true);
    expect(
      report.targets.filter((t) => t.outcome !== "deployed" && t.outcome !== "unchanged").map((t) => `${t.target.name}:${t.outcome}`),
    ).toEqual([]);
  });

  it("no target registered twice for the same rendered definition", () => {
    expect([...fleet.registrations().entries()].filter(([, n]) => n !== 1)).toEqual([]);
  });

  it("the report says which targets were already done: those the first run updated are unchanged", () => {
    for (const t of report.targets) {
      const before = firstRun.get(t.target.account)!;
      // Updated by the first run: done ("unchanged"), or its deployment was still rolling out when
      // the re-run looked, and the re-run waited for it ("deployed", resumed; nothing registered or updated).
      if (before.updated > 0) {
        if (t.outcome !== "unchanged")
          expect({ outcome: t.outcome, resumed: t.resumedDeployment }, t.target.name).toEqual({ outcome: "deployed", resumed: true });
      } else expect(t.outcome, t.target.name).toBe("deployed");
    }
    for (const name of reportedDeployed) expect(report.targets.find((t) => t.target.name === name)?.outcome).toBe("unchanged");
    expect(rerun.stdout).toMatch(/unchanged/);
  });

  it("a revision registered by the killed run but never deployed is reused, not registered again", () => {
    const registeredOnly = fleet.accounts.filter((a) => firstRun.get(a)!.registered === 1 && firstRun.get(a)!.updated === 0);
    expect(registeredOnly.length, "targets killed between RegisterTaskDefinition and UpdateService").toBeGreaterThan(0);
    for (const t of report.targets.filter((x) => registeredOnly.includes(x.target.account))) {
      expect(t.reusedTaskDefinition, t.target.name).toBe(true);
      expect(t.outcome).toBe("deployed");
    }
  });
});
