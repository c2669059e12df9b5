// `command: status` and `command: drift` through the bundled Action against the sandbox: the view in
// the summary and the log, its JSON in report-json, drift as `changes` and warnings.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRun, runDistAction, useActionFixture } from "./run-dist.js";

const fx = useActionFixture();

describe("action: status and drift", () => {
  it("status: every stage by default, JSON in report-json, the table in the summary", async () => {
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "status" } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const status = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    expect(status.rows.map((row: { target: { name: string } }) => row.target.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    expect(r.groups).toEqual(["Fleet status for shop-api"]);
    for (const name of ["dev", "staging", "prod-eu", "prod-us"]) expect(r.summary).toContain(name);
  });

  it("drift: a deployed target is in sync; a drifted target is a warning on its environment file; changes says so", async () => {
    const deployed = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "dev,staging" },
    });
    expect(deployed.exitCode, describeRun(deployed)).toBe(0);
    // A configuration change not rolled out: staging now runs something its configuration no longer renders.
    fx.repo.write("environments/staging.yaml", fx.repo.read("environments/staging.yaml") + "vars:\n  logLevel: debug\n");
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "drift", stage: "dev,staging" } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    const statusOf = Object.fromEntries(report.targets.map((t: { target: { name: string }; status: string }) => [t.target.name, t.status]));
    expect(statusOf).toEqual({ dev: "in-sync", staging: "drifted" });
    expect(report.summary.drifted).toBe(1);
    expect(r.outputs.changes).toBe("true");
    const warned = r.annotations.filter((a) => a.level === "warning" && a.props.title?.startsWith("drift: "));
    expect(warned.map((a) => [a.props.title, a.props.file])).toEqual([["drift: staging", "environments/staging.yaml"]]);
    expect(r.log).not.toContain("https://0f1e2d3c4b5a@o1.ingest.sentry.example/42");
  });

  it("drift: with every target in sync, changes is false and nothing is warned", async () => {
    const deployed = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "dev" },
    });
    expect(deployed.exitCode, describeRun(deployed)).toBe(0);
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "drift", stage: "dev" } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    expect(report.targets.map((t: { status: string }) => t.status)).toEqual(["in-sync"]);
    expect(r.outputs.changes).toBe("false");
    expect(r.annotations.filter((a) => a.props.title?.startsWith("drift: "))).toEqual([]);
  });
});
