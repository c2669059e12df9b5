// Ctrl-C (SIGINT) during a rollout: deployer stops starting targets, stops waiting, exits non-zero
// with a report naming the in-flight targets and how far each got; nothing it wrote goes unreported.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeRun, type CliResult } from "../helpers/sandbox-cli.js";
import { IMAGE, startFleet, type Fleet, type ReportJson } from "./fleet.js";

let fleet: Fleet;
let run: CliResult;
let report: ReportJson;

beforeAll(async () => {
  // Deployments take a minute: without Ctrl-C handling this run could not end before the 20 s kill.
  fleet = await startFleet({ targets: 10, maxParallel: 4, deploymentSeconds: 60, pollIntervalMs: "200" });
  const reportFile = path.join(fleet.repo.dir, "report.json");
  const p = fleet.spawn(["rollout", "--image", IMAGE, "--out-report", reportFile], { timeoutMs: 20_000 });
  await p.waitForOutput(/(\] waiting for .*\n[\s\S]*){4}/);
  p.kill("SIGINT");
  run = await p.result;
  report = JSON.parse(readFileSync(reportFile, "utf8")) as ReportJson;
}, 60_000);
afterAll(() => fleet?.stop());

describe("SIGINT during a rollout", () => {
  it("exits by itself, non-zero (not killed by the test's 20 s guard)", () => {
    expect(run.timedOut, describeRun(run)).toBe(false);
    expect(run.signal).toBeNull();
    expect(run.exitCode).toBe(1);
  });

  it("the report names the in-flight targets as interrupted, the rest as not started", () => {
    expect(report.interrupted).toBe(true);
    expect(report.error?.code).toBe("INTERRUPTED");
    const interrupted = report.targets.filter((t) => t.outcome === "interrupted");
    expect(interrupted.length).toBe(4);
    expect(report.targets.filter((t) => t.outcome === "not-started").length).toBe(6);
    for (const t of interrupted) {
      expect(report.error?.message).toContain(t.target.name);
      expect(t.error?.code).toBe("INTERRUPTED");
      expect(t.error?.message).toMatch(/service updated, deployment .* still running in ECS/);
    }
    expect(run.stdout).toMatch(/interrupted/);
  });

  it("nothing half-written goes unreported: every account deployer wrote to is reported interrupted, with its revision", () => {
    for (const a of fleet.accounts) {
      const writes = fleet.sb.admin
        .log({ account: a })
        .filter((e) => (e.action === "RegisterTaskDefinition" || e.action === "UpdateService") && e.status === 200);
      const t = report.targets.find((x) => x.target.account === a)!;
      if (writes.length > 0) {
        expect(t.outcome, t.target.name).toBe("interrupted");
        expect(t.taskDefinitionArn, t.target.name).toMatch(/:task-definition\/shop-api-gen-\d+:2$/);
      } else {
        expect(t.outcome, t.target.name).toBe("not-started");
      }
    }
  });
});
