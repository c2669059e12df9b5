// Issue 17: a promotion moves each service's healthy digest. A destination unit (env E, service S)
// follows the source units of the same service; one unsound service refuses the whole promotion, as one
// unsound source target always did. Planning itself (makePlan) is replaced by a recorder here: what
// matters is which targets, which digest and which provenance each service's plan is asked for.
import { beforeEach, describe, expect, it, vi } from "vitest";
import type { PlanRequest, PlanResult } from "../../../src/workflow/make-plan.js";
import type { Plan } from "../../../src/plan/types.js";
import type { Project } from "../../../src/config/types.js";
import { DeployerErrors } from "../../../src/errors.js";
import { targetSummary } from "../../../src/plan/build.js";
import { DIGEST_A, DIGEST_B, FakeFleet, loadExample, REPO, twoServiceProject, WORKER_REPO } from "../fleet/fleet-fakes.js";

const requests: PlanRequest[] = [];

vi.mock("../../../src/workflow/make-plan.js", async (importOriginal) => {
  const real = await importOriginal<typeof import("../../../src/workflow/make-plan.js")>();
  return {
    ...real,
    makePlan: (req: PlanRequest): Promise<PlanResult> => {
      requests.push(req);
      const plan: Plan = {
        formatVersion: 1,
        deployerVersion: "test",
        createdAt: "2025-03-01T12:00:00.000Z",
        runId: req.runId,
        service: req.project.config.service,
        image: { repository: req.project.config.image.repository, digest: req.image as string },
        stages: [{ name: req.targets[0]!.stage }],
        targets: req.targets.map((t) => ({
          target: targetSummary(t, req.project.config.rootDir),
          action: "update" as const,
          imageRef: `${req.project.config.image.repository}@${req.image as string}`,
          desired: { family: "f", containerDefinitions: [] },
          fingerprint: `sha256:${"0".repeat(64)}`,
          diff: [],
          checks: [],
          steps: [],
          sensitivePaths: [],
        })),
        summary: { targets: req.targets.length, toChange: req.targets.length, unchanged: 0, blocked: 0, failingChecks: 0, warnings: 0 },
        ...(req.options.promotion ? { promotion: req.options.promotion } : {}),
      };
      return Promise.resolve({ plan, observed: [], desired: [] });
    },
  };
});

const { pairSources, planPromotion } = await import("../../../src/workflow/promote.js");

let project: Project;
let fleet: FakeFleet;
beforeEach(async () => {
  requests.length = 0;
  project = twoServiceProject(await loadExample());
  fleet = new FakeFleet(project);
  // dev runs api@A and worker@B; the later stages run A everywhere.
  for (const t of project.targets) fleet.runs(t.name, t.name === "dev/worker" ? DIGEST_B : DIGEST_A);
});

const options = { strict: false, timeoutSeconds: 900, waitForInProgress: false, by: "test" };

describe("promote moves each service's digest", () => {
  it("dev runs api@A and worker@B: staging's api units get A from dev/api, its worker units B from dev/worker", async () => {
    const result = await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", options });
    expect(requests.map((r) => [r.targets.map((t) => t.name), r.image, r.project.config.image.repository])).toEqual([
      [["staging/api"], DIGEST_A, REPO],
      [["staging/worker"], DIGEST_B, WORKER_REPO],
    ]);
    expect(requests[1]!.options.promotion).toMatchObject({ fromStage: "dev", sourceTargets: { "staging/worker": "dev/worker" } });
    expect(result.digests).toEqual({ api: DIGEST_A, worker: DIGEST_B });
    expect(result.sourceTargets).toEqual({ "staging/api": "dev/api", "staging/worker": "dev/worker" });
    // One plan: every unit, per-service images, the provenance of both.
    expect(result.plan.targets.map((t) => [t.target.name, t.imageRef])).toEqual([
      ["staging/api", `${REPO}@${DIGEST_A}`],
      ["staging/worker", `${WORKER_REPO}@${DIGEST_B}`],
    ]);
    expect(Object.fromEntries(Object.entries(result.plan.images!).map(([k, i]) => [k, i.digest]))).toEqual({
      api: DIGEST_A,
      worker: DIGEST_B,
    });
    expect(result.plan.summary).toMatchObject({ targets: 2, toChange: 2 });
    expect(Object.keys(result.plan.promotion!.sourceTaskDefinitionArns)).toEqual(["staging/api", "staging/worker"]);
  });

  it("one service's source not healthy refuses the whole promotion, naming that unit only", async () => {
    fleet.runs("dev/worker", DIGEST_B, "degraded");
    const e = await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", options }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(DeployerErrors);
    const errors = (e as DeployerErrors).errors;
    expect(errors.map((x) => [x.code, x.target])).toEqual([["PROMOTION_REFUSED", "dev/worker"]]);
    expect(errors[0]!.message).toBe("not stable: 1 of 2 tasks running");
    expect(requests).toHaveLength(0);
  });

  it("a stage split within one service refuses; services on different digests are no split", async () => {
    // prod: api@A in both environments (sound), worker split across A and B (refused).
    fleet.runs("prod-us/worker", DIGEST_B);
    const e = await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", from: "prod", options }).catch(
      (x: unknown) => x,
    );
    const errors = (e as DeployerErrors).errors;
    expect(errors.map((x) => x.target)).toEqual(["prod-eu/worker", "prod-us/worker"]);
    expect(errors[0]!.message).toMatch(
      /^stage prod is split across 2 digests \(prod-eu\/worker sha256:a1a1a1a1a1a1, prod-us\/worker sha256:b2b2b2b2b2b2\)/,
    );
    expect(requests).toHaveLength(0);
  });

  it("--service narrows the promotion to that service", async () => {
    const result = await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", options, services: ["worker"] });
    expect(requests.map((r) => r.targets.map((t) => t.name))).toEqual([["staging/worker"]]);
    expect(result.digests).toEqual({ worker: DIGEST_B });
    await expect(
      planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", options, services: ["wroker"] }),
    ).rejects.toThrow(/--service wroker: not a service/);
  });

  it("--env names environments: every service of it is a source", async () => {
    await planPromotion({ project, sessions: fleet.sessions(), runId: "t1", to: "staging", options, sourceEnvs: ["dev"] });
    expect(requests.map((r) => r.image)).toEqual([DIGEST_A, DIGEST_B]);
  });
});

describe("pairSources", () => {
  it("pairs a destination unit with a source unit of its own service only", async () => {
    const staging = project.targets.filter((t) => t.stage === "staging");
    const { assessSourceStage } = await import("../../../src/fleet/source-stage.js");
    const { readTargets } = await import("../../../src/fleet/read-target.js");
    const dev = project.targets.filter((t) => t.stage === "dev");
    const sources = assessSourceStage("dev", await readTargets(dev, fleet.sessions(), { service: "shop", runId: "t1" })).targets;
    const pairs = pairSources(staging, sources);
    expect([...pairs].map(([d, s]) => [d, s.target.name])).toEqual([
      ["staging/api", "dev/api"],
      ["staging/worker", "dev/worker"],
    ]);
  });
});
