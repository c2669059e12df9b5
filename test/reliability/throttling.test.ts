// Throttling on 30% of calls and 5xx on 5%: a rollout of 20 targets still completes, and no target
// gets two task-definition revisions out of the retries.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, type CliResult } from "../helpers/sandbox-cli.js";
import { IMAGE, startFleet, type Fleet, type ReportJson } from "./fleet.js";

let fleet: Fleet;
let run: CliResult;
beforeAll(async () => {
  fleet = await startFleet({ targets: 20, faults: { throttleRate: 0.3, errorRate: 0.05, seed: 8 } });
  run = await fleet.run(["-o", "json", "rollout", "--image", IMAGE], { timeoutMs: 110_000 });
}, 120_000);
afterAll(() => fleet?.stop());

describe("rollout of 20 targets under throttling (30%) and 5xx errors (5%)", () => {
  it("completes: exit 0, every target deployed", () => {
    expect(run.exitCode, describeRun(run)).toBe(0);
    const report = JSON.parse(run.stdout) as ReportJson;
    expect(report.ok).toBe(true);
    expect(report.targets.map((t) => `${t.target.name}:${t.outcome}`)).toEqual(fleet.names.map((n) => `${n}:deployed`));
  });

  it("the faults really happened (the scenario is not vacuous)", () => {
    const log = fleet.sb.admin.log();
    expect(log.filter((e) => e.fault === "throttle").length).toBeGreaterThan(20);
    expect(log.filter((e) => e.fault === "error").length).toBeGreaterThan(0);
    // Writes were throttled too, and retried.
    expect(log.filter((e) => (e.action === "RegisterTaskDefinition" || e.action === "UpdateService") && e.fault).length).toBeGreaterThan(0);
  });

  it("each target registered exactly once, and its service updated exactly once", () => {
    expect([...fleet.registrations().entries()].filter(([, n]) => n !== 1)).toEqual([]);
    const updates = new Map<string, number>();
    for (const e of fleet.sb.admin.log({ action: "UpdateService" }))
      if (e.status === 200) updates.set(e.account, (updates.get(e.account) ?? 0) + 1);
    expect(fleet.accounts.filter((a) => updates.get(a) !== 1)).toEqual([]);
  });

  it("prints no runtime warnings (e.g. MaxListenersExceededWarning with many targets in flight)", () => {
    expect(run.stderr).not.toMatch(/Warning:/);
  });
});
