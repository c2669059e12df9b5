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

  it("drift: a deployed target is in sync; drifted targets are warnings on their environment files; changes says so", async () => {
    const dev = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "dev" },
    });
    expect(dev.exitCode, describeRun(dev)).toBe(0);
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "drift", stage: "dev,staging" } });
    expect(r.exitCode, describeRun(r)).toBe(0);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    const statusOf = Object.fromEntries(report.targets.map((t: { target: { name: string }; status: string }) => [t.target.name, t.status]));
    expect(statusOf.dev).toBe("in-sync");
    expect(r.outputs.changes).toBe(String(report.summary.drifted > 0 || report.summary.inconsistentStages > 0));
    const warned = r.annotations.filter((a) => a.level === "warning" && a.props.title?.startsWith("drift: "));
    expect(warned.map((a) => a.props.title)).toEqual(
      report.targets
        .filter((t: { status: string }) => t.status === "drifted")
        .map((t: { target: { name: string } }) => `drift: ${t.target.name}`),
    );
    for (const a of warned) expect(a.props.file).toBe(`environments/${a.props.title!.slice("drift: ".length)}.yaml`);
    expect(r.log).not.toContain("https://0f1e2d3c4b5a@o1.ingest.sentry.example/42");
  });
});
