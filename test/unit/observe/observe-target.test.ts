import { describe, expect, it } from "vitest";
import { CHECK_ORDER, observeTarget, observeTargets, type ObserveTargetInput } from "../../../src/observe/observe-target.js";
import { DeployerError } from "../../../src/errors.js";
import type { Target } from "../../../src/config/types.js";
import { accessDenied, FakeWorld, healthyWorld } from "../../helpers/fake-aws.js";
import { CENTRAL, DIGEST, makeRevision, makeDesired, makeProject, makeTarget } from "../../helpers/factories.js";

async function input(world: FakeWorld, target: Target, extra: Partial<ObserveTargetInput> = {}): Promise<ObserveTargetInput> {
  const sessions = world.sessions();
  return {
    target,
    desired: makeDesired(target),
    project: makeProject([target]),
    sessions,
    baseEcr: (await sessions.base("eu-west-1")).ecr,
    runId: "r7k2",
    options: { waitForInProgress: false },
    validateTaskDefinition: () => [],
    ...extra,
  };
}

const READ_METHODS = new Set([
  "describeCluster",
  "describeServices",
  "describeTaskDefinition",
  "findImage",
  "getRepositoryPolicy",
  "getRole",
  "simulatePrincipalPolicy",
  "listInlinePolicies",
  "listAttachedPolicies",
  "getManagedPolicy",
]);

/** The checks of a target without a viewRole (no viewer session to assume). */
// task-network runs only for a unit that plans one-off tasks (these targets' service has none).
const ORDER = CHECK_ORDER.filter((c) => c.id !== "assume-view-role" && c.id !== "task-network");

describe("observeTarget", () => {
  describe("with a viewer role (issue 18)", () => {
    const viewed = () => makeTarget({ viewRole: "arn:aws:iam::222222222222:role/deployer-viewer", viewExternalId: "shop-viewer" });

    it("a read-only run assumes the viewer role only: every check reads as it, the deploy role is simulated, never assumed", async () => {
      const target = viewed();
      const world = healthyWorld(target);
      const observed = await observeTarget(await input(world, target, { access: "read" }));
      expect(world.assumed.map((r) => [r.roleArn, r.externalId, r.sessionName])).toEqual([
        ["arn:aws:iam::222222222222:role/deployer-viewer", "shop-viewer", "deployer-view-shop-api-r7k2"],
      ]);
      expect(observed.readsAs).toBe("view");
      expect(observed.session).toBeUndefined();
      const ids = observed.checks.map((c) => c.id);
      expect(ids[0]).toBe("assume-view-role");
      // The deploy role's trust is evaluated for the caller from its trust policy (checks/deploy-trust.ts), not assumed.
      expect(observed.checks.find((c) => c.id === "assume-role")?.evidence?.assumed).toBe(false);
      expect(observed.checks.every((c) => c.verdict === "pass")).toBe(true);
      const simulated = world.calls.filter((c) => c.method === "simulatePrincipalPolicy").map((c) => JSON.stringify(c.args));
      expect(simulated.some((s) => s.includes(target.deployRole))).toBe(true);
      expect(world.writes()).toEqual([]);
    });

    it("a run that writes also assumes the deploy role in preflight, keeps its session for the writes, and still reads as the viewer", async () => {
      const target = viewed();
      const world = healthyWorld(target);
      const observed = await observeTarget(await input(world, target, { access: "write" }));
      expect(world.assumed.map((r) => r.roleArn).sort()).toEqual([target.deployRole, target.viewRole].sort());
      expect(observed.readsAs).toBe("view");
      expect(observed.session?.identity.arn).toContain("assumed-role/deployer/deployer-shop-api-r7k2");
      expect(observed.checks.slice(0, 2).map((c) => [c.id, c.verdict])).toEqual([
        ["assume-view-role", "pass"],
        ["assume-role", "pass"],
      ]);
    });

    it("a viewer role that cannot be assumed: its check fails, naming viewExternalId, and every other check is skipped", async () => {
      const target = viewed();
      const world = healthyWorld(target);
      world.assumeFailures.set(
        target.viewRole!,
        new DeployerError({ code: "ASSUME_ROLE_DENIED", message: "denied", awsCode: "AccessDenied" }),
      );
      const observed = await observeTarget(await input(world, target, { access: "read" }));
      expect(observed.checks[0]).toMatchObject({
        id: "assume-view-role",
        verdict: "fail",
        error: { code: "ASSUME_ROLE_DENIED", field: "viewExternalId" },
      });
      expect(observed.checks.slice(1).every((c) => c.verdict === "skip")).toBe(true);
      expect(observed.checks.map((c) => c.id)).not.toContain("assume-role");
      expect(world.calls.filter((c) => c.account === target.account)).toEqual([]);
    });
  });

  it("reads the live state and runs every check, in the stable order, all passing for a healthy target", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    const observed = await observeTarget(await input(world, target));
    expect(observed.checks.map((c) => c.id)).toEqual(ORDER.map((c) => c.id));
    expect(observed.checks.map((c) => [c.id, c.verdict])).toEqual(ORDER.map((c) => [c.id, "pass"]));
    expect(observed.service?.name).toBe("api");
    expect(observed.liveTaskDefinition).toMatchObject({ revision: 1, tags: { "deployer:run-id": "old" } });
    expect(observed.latestRevision?.revision).toBe(1);
    expect(observed.session?.identity.arn).toContain("assumed-role/deployer/deployer-shop-api-r7k2");
  });

  it("calls only read APIs, and each shared read once", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    await observeTarget(await input(world, target));
    expect(world.writes()).toEqual([]);
    expect(world.calls.every((c) => READ_METHODS.has(c.method))).toBe(true);
    expect(world.calls.filter((c) => c.method === "describeServices")).toHaveLength(1);
    expect(world.calls.filter((c) => c.method === "describeCluster")).toHaveLength(1);
  });

  it("takes the PRIMARY deployment's task definition as live, and the family's latest ACTIVE revision", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    const rev3 = makeRevision(target.account, 3, makeDesired(target).taskDefinition);
    acct.taskDefinitions.set(rev3.arn, rev3);
    const observed = await observeTarget(await input(world, target));
    expect(observed.liveTaskDefinition?.revision).toBe(1);
    expect(observed.latestRevision?.revision).toBe(3);
  });

  it("on an assume-role failure: one failed check, every other check skipped, no AWS reads", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    world.assumeFailures.set(
      target.deployRole,
      new DeployerError({ code: "ASSUME_ROLE_DENIED", message: "denied", awsCode: "AccessDenied" }),
    );
    const observed = await observeTarget(await input(world, target));
    expect(observed.session).toBeUndefined();
    expect(observed.checks[0]).toMatchObject({ id: "assume-role", verdict: "fail", error: { code: "ASSUME_ROLE_DENIED" } });
    expect(observed.checks.slice(1).map((c) => c.verdict)).toEqual(ORDER.slice(1).map(() => "skip"));
    expect(observed.checks.map((c) => c.id)).toEqual(ORDER.map((c) => c.id));
    expect(world.calls.filter((c) => c.account === target.account)).toEqual([]);
  });

  it("reports the broken example's findings together: PassRole denied, task role not trusted, image not pullable", async () => {
    const target = makeTarget({ name: "broken", account: "666666666666", cluster: "shop-broken" });
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    acct.simulation.set(target.taskRole, "implicitDeny");
    acct.simulation.set(target.executionRole, "implicitDeny");
    acct.roles.get("shop-api-task")!.trustPolicy = {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
    world.account("111111111111").repositories.get(CENTRAL)!.policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: "arn:aws:iam::222222222222:root" },
          Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
        },
      ],
    };
    const observed = await observeTarget(await input(world, target));
    const byId = Object.fromEntries(observed.checks.map((c) => [c.id, c]));
    expect(byId["pass-role:taskRole"]?.error?.code).toBe("PASSROLE_DENIED");
    expect(byId["pass-role:executionRole"]?.error?.code).toBe("PASSROLE_DENIED");
    expect(byId["trust:taskRole"]?.error?.code).toBe("ROLE_NOT_TRUSTED");
    expect(byId["trust:executionRole"]?.verdict).toBe("pass");
    expect(byId["image-pull"]?.error?.code).toBe("IMAGE_NOT_PULLABLE");
    expect(byId["service"]?.verdict).toBe("pass");
    expect(world.writes()).toEqual([]);
  });

  it("a missing service fails the service check and skips the live-task-definition check", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    world.account(target.account).services.clear();
    const observed = await observeTarget(await input(world, target));
    const byId = Object.fromEntries(observed.checks.map((c) => [c.id, c]));
    expect(byId["service"]?.error?.code).toBe("SERVICE_NOT_FOUND");
    expect(byId["live-task-definition"]?.verdict).toBe("skip");
    expect(observed.service).toBeUndefined();
    expect(observed.liveTaskDefinition).toBeUndefined();
  });

  it("a denied DescribeTaskDefinition fails the live-task-definition check with the AWS error", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeTaskDefinition", accessDenied("ecs:DescribeTaskDefinition", "shop-api"));
    const observed = await observeTarget(await input(world, target));
    const live = observed.checks.find((c) => c.id === "live-task-definition")!;
    expect(live.verdict).toBe("fail");
    expect(live.error).toMatchObject({ code: "ACCESS_DENIED", action: "ecs:DescribeTaskDefinition", target: "dev" });
    expect(observed.liveTaskDefinition).toBeUndefined();
  });

  it("a check crashing on a malformed port answer fails with INTERNAL; the other checks still report", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    (world.account(target.account).services.get("shop-dev/api") as unknown as { deployments: unknown }).deployments = undefined;
    const observed = await observeTarget(await input(world, target));
    const byId = Object.fromEntries(observed.checks.map((c) => [c.id, c]));
    expect(byId["service"]).toMatchObject({ verdict: "fail", error: { code: "INTERNAL", target: "dev" } });
    expect(byId["live-task-definition"]?.error?.code).toBe("INTERNAL");
    expect(byId["trust:taskRole"]?.verdict).toBe("pass");
    expect(observed.checks).toHaveLength(ORDER.length);
  });

  it("validates the rendered definition with the foundation's validator by default", async () => {
    const target = makeTarget();
    const world = healthyWorld(target);
    const ok = await observeTarget(await input(world, target, { validateTaskDefinition: undefined }));
    expect(ok.checks.find((c) => c.id === "task-definition")).toMatchObject({ verdict: "pass", evidence: { validator: "run" } });
    const bad = await observeTarget(
      await input(world, target, { validateTaskDefinition: undefined, desired: makeDesired(target, { cpu: "300" }) }),
    );
    const check = bad.checks.find((c) => c.id === "task-definition")!;
    expect(check.verdict).toBe("fail");
    expect(check.error).toMatchObject({ code: "RENDER_INVALID", target: "dev" });
    expect(check.message).toContain("300");
  });

  it("a replica target checks the digest in its own account", async () => {
    const replica = "444444444444.dkr.ecr.eu-west-1.amazonaws.com/shop/api";
    const target = makeTarget({ name: "prod-eu", account: "444444444444", imageRepository: replica });
    const world = healthyWorld(target);
    world.account(target.account).repositories.set(replica, { images: [{ digest: DIGEST, tags: [] }] });
    const observed = await observeTarget(await input(world, target));
    expect(observed.checks.find((c) => c.id === "image-pull")).toMatchObject({ verdict: "pass", evidence: { method: "replica" } });
  });
});

describe("observeTargets", () => {
  function fleet(n: number) {
    const world = new FakeWorld();
    const targets: Target[] = [];
    for (let i = 0; i < n; i++) {
      const account = String(100000000000 + i);
      const t = makeTarget({ name: `t${i}`, account });
      healthyWorld(t, world);
      targets.push(t);
    }
    const central = world.account("111111111111");
    central.repositories.set(CENTRAL, {
      images: [{ digest: DIGEST, tags: ["3f2a9c1"] }],
      policy: {
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: "*",
            Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            Condition: { StringLike: { "aws:PrincipalAccount": "1000000*" } },
          },
        ],
      },
    });
    return { world, targets };
  }

  it("returns results in input order with at most `concurrency` targets in flight", async () => {
    const { world, targets } = fleet(40);
    const sessions = world.sessions();
    let inFlight = 0;
    let maxInFlight = 0;
    const wrapped = {
      ...sessions,
      target: async (req: Parameters<typeof sessions.target>[0]) => {
        inFlight++;
        maxInFlight = Math.max(maxInFlight, inFlight);
        try {
          const s = await sessions.target(req);
          await new Promise((r) => setImmediate(r));
          return s;
        } finally {
          inFlight--;
        }
      },
    };
    const baseEcr = (await sessions.base("eu-west-1")).ecr;
    const project = makeProject(targets);
    const seen: number[] = [];
    const results = await observeTargets(
      targets.map((t) => ({
        target: t,
        desired: makeDesired(t),
        project,
        sessions: wrapped,
        baseEcr,
        runId: "r1",
        options: { waitForInProgress: false },
        validateTaskDefinition: () => [],
      })),
      { concurrency: 5, onObserved: (_o, i) => seen.push(i) },
    );
    expect(results.map((r) => r.target.name)).toEqual(targets.map((t) => t.name));
    expect(maxInFlight).toBeLessThanOrEqual(5);
    expect(maxInFlight).toBeGreaterThan(1);
    expect([...seen].sort((a, b) => a - b)).toEqual(targets.map((_, i) => i));
    // The Principal "*" grant conditioned on PrincipalAccount passes with a warning.
    expect(results.every((r) => r.checks.find((c) => c.id === "image-pull")?.verdict === "warn")).toBe(true);
    expect(world.writes()).toEqual([]);
  });

  it("observes 200 targets with the default concurrency", async () => {
    const { world, targets } = fleet(200);
    const sessions = world.sessions();
    const baseEcr = (await sessions.base("eu-west-1")).ecr;
    const project = makeProject(targets);
    const results = await observeTargets(
      targets.map((t) => ({
        target: t,
        desired: makeDesired(t),
        project,
        sessions,
        baseEcr,
        runId: "r1",
        options: { waitForInProgress: false },
        validateTaskDefinition: () => [],
      })),
    );
    expect(results).toHaveLength(200);
    expect(results.filter((r) => r.checks.some((c) => c.verdict === "fail"))).toEqual([]);
  });
});
