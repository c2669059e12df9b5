// The promotion's refusal rules, on an in-memory fleet: planPromotion must refuse (PROMOTION_REFUSED,
// one error per source target, with the reason and a hint) before planning anything.
import { beforeEach, describe, expect, it } from "vitest";
import { DeployerError, DeployerErrors } from "../../../src/errors.js";
import { pairSources, planPromotion, promotionStages, sourceTargetsOf } from "../../../src/workflow/promote.js";
import { assessSourceStage } from "../../../src/fleet/source-stage.js";
import { readTargets } from "../../../src/fleet/read-target.js";
import type { Project } from "../../../src/config/types.js";
import { DIGEST_A, DIGEST_B, FakeFleet, loadExample } from "./fleet-fakes.js";

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  project = await loadExample();
  fleet = new FakeFleet(project);
  for (const t of project.targets) fleet.runs(t.name, DIGEST_A);
});

const options = { strict: false, timeoutSeconds: 900, waitForInProgress: false, by: "test" };

async function refusals(to: string, extra: { from?: string; sourceEnvs?: string[] } = {}): Promise<DeployerError[]> {
  try {
    await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to, options, ...extra });
  } catch (e) {
    if (e instanceof DeployerErrors) return e.errors;
    if (e instanceof DeployerError) return [e];
    throw e;
  }
  throw new Error("expected the promotion to be refused");
}

describe("planPromotion refuses an unsound source stage", () => {
  it("mid-deployment: names the target, the deployment and says to wait", async () => {
    fleet.runs("staging", DIGEST_A, "in-progress");
    const errors = await refusals("prod");
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: "PROMOTION_REFUSED", target: "staging", account: "333333333333" });
    expect(errors[0]!.message).toMatch(/^mid-deployment: deployment ecs-svc\/2 \(shop-api-staging:4\) in progress/);
    expect(errors[0]!.hint).toContain("Wait for the deployment to finish");
    expect(fleet.calls.some((c) => c.startsWith("Register") || c.startsWith("Update"))).toBe(false);
  });

  it("the last deployment failed, rolling back or already rolled back", async () => {
    fleet.runs("staging", DIGEST_A, "failed-rolling-back");
    expect((await refusals("prod"))[0]!.message).toMatch(/^its last deployment failed: deployment ecs-svc\/2 .* FAILED/);
    fleet.runs("staging", DIGEST_A, "rolled-back");
    const [e] = await refusals("prod");
    expect(e!.message).toMatch(/^its last deployment failed: \(deployment ecs-svc\/2\) deployment failed: tasks failed to start/);
    expect(e!.hint).toContain("--force-new-deployment");
  });

  it("not stable: fewer tasks running than desired", async () => {
    fleet.runs("dev", DIGEST_A, "degraded");
    const [e] = await refusals("staging");
    expect(e).toMatchObject({ code: "PROMOTION_REFUSED", target: "dev", message: "not stable: 1 of 2 tasks running" });
  });

  it("scaled to zero: the digest never ran, so it is no source (issue 11, case 8)", async () => {
    fleet.runs("dev", DIGEST_B, "scaled-to-zero");
    const [e] = await refusals("staging");
    expect(e).toMatchObject({ code: "PROMOTION_REFUSED", target: "dev" });
    expect(e!.message).toBe(`scaled to zero (desiredCount 0): ${DIGEST_B} never ran there, so nothing is proven healthy`);
    expect(e!.hint).toContain("--desired-count");
  });

  it("split across digests: one error per source target, each naming its digest", async () => {
    fleet.runs("prod-us", DIGEST_B);
    // prod as the source of a (hypothetical) promotion back to staging.
    const errors = await refusals("staging", { from: "prod" });
    expect(errors.map((e) => e.target)).toEqual(["prod-eu", "prod-us"]);
    expect(errors[0]!.message).toContain(
      `stage prod is split across 2 digests (prod-eu sha256:a1a1a1a1a1a1, prod-us sha256:b2b2b2b2b2b2); prod-eu runs ${DIGEST_A}`,
    );
    expect(errors[1]!.message).toContain(`prod-us runs ${DIGEST_B}`);
    expect(errors[0]!.hint).toContain("--env");
  });

  it("--env narrows the source: one target of a split stage is a sound source", async () => {
    fleet.runs("prod-us", DIGEST_B);
    const reads = await readTargets(sourceTargetsOf(project, "prod", ["prod-us"]), fleet.sessions(), { service: "shop-api", runId: "t1" });
    const stage = assessSourceStage("prod", reads);
    expect(stage.refusals).toEqual([]);
    expect(stage.digest).toBe(DIGEST_B);
    expect(stage.imageTag).toBe("9c1e4b7");
  });

  it("an unreadable source target is a refusal with what AWS said", async () => {
    fleet.deny("dev");
    const [e] = await refusals("staging");
    expect(e).toMatchObject({ code: "PROMOTION_REFUSED", target: "dev", action: "sts:AssumeRole", awsCode: "AccessDenied" });
    expect(e!.message).toContain("cannot read what shop-dev/api runs");
  });

  it("an image neither pinned nor tagged, or contradicting its tag", async () => {
    fleet.edit("dev", (raw) => {
      (raw.containerDefinitions as Array<{ image: string }>)[0]!.image = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api:latest";
    });
    expect((await refusals("staging"))[0]!.message).toContain("not pinned by digest and without a deployer:image-digest tag");

    fleet.runs("dev", DIGEST_A);
    fleet.edit(
      "dev",
      (raw) => {
        (raw.containerDefinitions as Array<{ image: string }>)[0]!.image =
          `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${DIGEST_B}`;
      },
      true,
    );
    expect((await refusals("staging"))[0]!.message).toBe(
      `shop-api-dev:3 runs ${DIGEST_B} but its deployer:image-digest tag says ${DIGEST_A}`,
    );
  });
});

describe("promotion stages and sources", () => {
  it("defaults --from to the stage before --to; refuses the first stage, unknown and equal stages", async () => {
    expect(promotionStages(project, "prod")).toEqual({ from: "staging", to: "prod" });
    expect(promotionStages(project, "prod", "dev")).toEqual({ from: "dev", to: "prod" });
    expect(() => promotionStages(project, "dev")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", message: "dev is the first stage: there is no stage before it to promote from" }),
    );
    expect(() => promotionStages(project, "prd")).toThrow(
      expect.objectContaining({ code: "INVALID_ARGUMENT", hint: 'Did you mean "prod"? Stages in promotion order: dev → staging → prod.' }),
    );
    expect(() => promotionStages(project, "prod", "prod")).toThrow(expect.objectContaining({ code: "INVALID_ARGUMENT" }));
  });

  it("--env must name targets of the source stage", () => {
    expect(() => sourceTargetsOf(project, "staging", ["prod-eu"])).toThrow(
      expect.objectContaining({ code: "SELECTION_EMPTY", message: "--env prod-eu: not a target of the source stage staging" }),
    );
  });

  it("pairs each destination with the source in its region, else the first", async () => {
    const reads = await readTargets(
      project.targets.filter((t) => t.stage === "prod"),
      fleet.sessions(),
      { service: "shop-api", runId: "t1" },
    );
    const sources = assessSourceStage("prod", reads).targets;
    const staging = project.targets.filter((t) => t.stage === "staging");
    expect(pairSources(staging, sources).get("staging")?.target.name).toBe("prod-eu"); // both eu-west-1
    const usTarget = { ...staging[0]!, name: "staging-us", region: "us-east-1" };
    expect(pairSources([usTarget], sources).get("staging-us")?.target.name).toBe("prod-us");
  });
});
