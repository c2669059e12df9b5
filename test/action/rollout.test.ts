// `command: rollout` through the bundled Action against the sandbox: it deploys (the sandbox's
// service runs the new revision), reports (report-json, summary, one group per target written when
// the target is done), and hands the task-definition ARNs to later steps.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRun, runDistAction, useActionFixture } from "./run-dist.js";

const SENTRY_DSN = "https://0f1e2d3c4b5a@o1.ingest.sentry.example/42";

const fx = useActionFixture();

describe("action: rollout", () => {
  it("deploys the stage: task-definition-arns, report-json, summary, a group per target; a second run changes nothing", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "staging,dev", timeout: "2m" },
    });
    expect(r.exitCode, describeRun(r)).toBe(0);

    const arns = JSON.parse(r.outputs["task-definition-arns"]!) as Record<string, string>;
    expect(Object.keys(arns).sort()).toEqual(["dev", "staging"]);
    expect(arns.dev).toMatch(/^arn:aws:ecs:eu-west-1:222222222222:task-definition\/shop-api-dev:\d+$/);
    expect(arns.staging).toMatch(/^arn:aws:ecs:eu-west-1:333333333333:task-definition\/shop-api-staging:\d+$/);

    expect(fx.sandbox.admin.log({ account: "222222222222", action: "UpdateService" }).map((e) => e.status)).toEqual([200]);

    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    expect(report).toMatchObject({ formatVersion: 1, command: "rollout", service: "shop-api", ok: true });
    expect(
      report.targets.map((t: { target: { name: string }; outcome: string; taskDefinitionArn: string }) => [
        t.target.name,
        t.outcome,
        t.taskDefinitionArn,
      ]),
    ).toEqual([
      ["dev", "deployed", arns.dev],
      ["staging", "deployed", arns.staging],
    ]);
    expect(r.outputs.changes).toBe("true");
    expect(r.outputs["plan-json"]).toMatch(/plan\.json$/);

    // Plan groups first (one per target), then one rollout group per target, each closed before the next opens.
    expect(r.groups).toEqual([
      expect.stringMatching(/^dev · 🔄 \d+ changes$/),
      expect.stringMatching(/^staging · 🔄 \d+ changes$/),
      "dev · ✅ deployed",
      "staging · ✅ deployed",
    ]);
    const devGroup = /::group::dev · ✅ deployed\n([\s\S]*?)::endgroup::/.exec(r.log)?.[1] ?? "";
    expect(devGroup).toMatch(/\[dev\] /);
    expect(devGroup).not.toMatch(/\[staging\]/);
    expect(devGroup.trim().split("\n").at(-1)).toMatch(/\[dev\] ✔ deployed/);
    expect(r.log).toMatch(
      /stage dev: starting 1 target \(dev\)[\s\S]*::group::dev · ✅ deployed[\s\S]*stage dev: done[\s\S]*stage staging: starting/,
    );

    expect(r.summary).toMatch(/^### ✅ Rollout of `shop-api` succeeded/m);
    expect(r.summary).toMatch(/\| dev \| dev \| 222222222222 \| ✅ deployed \|/);
    expect(r.summary).toContain("<details><summary>The plan that was applied</summary>");
    for (const t of [
      r.log,
      r.stderr,
      r.summary,
      readFileSync(r.outputs["report-json"]!, "utf8"),
      readFileSync(r.outputs["plan-json"]!, "utf8"),
    ]) {
      expect(t).not.toContain(SENTRY_DSN);
    }

    const again = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "dev" },
    });
    expect(again.exitCode, describeRun(again)).toBe(0);
    expect(again.outputs.changes).toBe("false");
    // Read back from the live service by the second plan: dev runs what the first run's output said.
    expect(JSON.parse(again.outputs["task-definition-arns"]!)).toEqual({ dev: arns.dev });
    expect(fx.sandbox.admin.log({ account: "222222222222", action: "UpdateService" })).toHaveLength(1);
    expect(again.groups).toEqual(["dev · no change", "dev · ➖ unchanged"]);
  });

  it("a deployment that never becomes healthy: the step fails with the target's error, annotated, and the summary says so", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "bad0001", stage: "dev", timeout: "1m" },
    });
    expect(r.exitCode, describeRun(r)).toBe(1);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    expect(report.ok).toBe(false);
    expect(report.targets[0].outcome).toMatch(/^(failed|rolled-back)$/);
    expect(JSON.parse(r.outputs["task-definition-arns"]!)).toEqual({});
    expect(r.groups.at(-1)).toMatch(/^dev · (❌ failed|↩️ rolled back)$/);
    const targetError = r.annotations.find((a) => a.props.title?.endsWith("(dev)"));
    expect(targetError?.level).toBe("error");
    expect(r.annotations.at(-1)?.message).toMatch(/^dev failed in stage dev/);
    expect(r.summary).toMatch(/^### ❌ Rollout of `shop-api` failed/m);
  });

  it("rollout without an image is refused before any AWS call", async () => {
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "rollout", stage: "dev" } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations[0]).toMatchObject({ level: "error", props: { title: "INVALID_ARGUMENT" } });
    expect(r.annotations[0]!.message).toMatch(/^input `image`: is required for `command: rollout`/);
    expect(r.outputs).toEqual({});
  });
});
