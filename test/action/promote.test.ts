// `command: promote` through the bundled Action against the sandbox: the digest dev runs goes to
// staging (provenance in the plan, ARNs in the output); a promotion the core refuses fails the step
// with its reason.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeRun, runDistAction, useActionFixture } from "./run-dist.js";

const DIGEST_8D1E4B7 = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";

const fx = useActionFixture();

describe("action: promote", () => {
  it("promotes the digest dev runs to staging", async () => {
    const dev = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "rollout", image: "8d1e4b7", stage: "dev" },
    });
    expect(dev.exitCode, describeRun(dev)).toBe(0);

    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      eventName: "workflow_dispatch",
      inputs: { command: "promote", stage: "staging" },
    });
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.log).toContain(`Promoting ${DIGEST_8D1E4B7} from dev to staging`);
    const plan = JSON.parse(readFileSync(r.outputs["plan-json"]!, "utf8"));
    expect(plan.image.digest).toBe(DIGEST_8D1E4B7);
    expect(plan.promotion).toMatchObject({ fromStage: "dev", sourceTargets: { staging: "dev" } });
    const arns = JSON.parse(r.outputs["task-definition-arns"]!);
    expect(Object.keys(arns)).toEqual(["staging"]);
    const report = JSON.parse(readFileSync(r.outputs["report-json"]!, "utf8"));
    expect(report).toMatchObject({ command: "promote", ok: true });
    expect(r.summary).toMatch(/^### ✅ Promote of `shop-api` succeeded/m);
  });

  it("the first stage has nothing to promote from: the step fails with the core's reason, nothing deployed", async () => {
    fx.sandbox.admin.clearLog();
    const r = await runDistAction({ workspace: fx.repo.dir, sandbox: fx.sandbox, inputs: { command: "promote", stage: "dev" } });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.at(-1)?.message).toBe("INVALID_ARGUMENT dev is the first stage: there is no stage before it to promote from");
    expect(fx.sandbox.admin.log({ action: "RegisterTaskDefinition" })).toEqual([]);
  });

  it("promote needs exactly one stage and no image", async () => {
    const r = await runDistAction({
      workspace: fx.repo.dir,
      sandbox: fx.sandbox,
      inputs: { command: "promote", stage: "staging,prod", image: "8d1e4b7" },
    });
    expect(r.exitCode).toBe(1);
    expect(r.annotations.filter((a) => a.props.title === "INVALID_ARGUMENT").map((a) => a.message.split("\n")[0])).toEqual([
      "input `stage`: `command: promote` needs exactly one stage: the one to deploy to",
      "input `image`: `command: promote` deploys the digest the source stage runs, not an image you give",
    ]);
  });
});
