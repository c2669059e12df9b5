import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkClusterAndService } from "../../../src/checks/cluster-service.js";
import type { CheckContext } from "../../../src/checks/context.js";
import { TargetReads } from "../../../src/checks/target-reads.js";
import { toDeployerError } from "../../../src/aws/aws-error.js";
import type { ServiceDeploymentInfo } from "../../../src/aws/ports.js";
import type { Target } from "../../../src/config/types.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { liveService, makeRevision, makeDesired, makeTarget, EXAMPLE } from "../../helpers/factories.js";

/** Someone else's rollout (revision 7, another image) IN_PROGRESS on the target's service. */
function withForeignRollout(target: Target = makeTarget()) {
  const world = healthyWorld(target);
  const acct = world.account(target.account);
  const other = makeRevision(target.account, 7, {
    family: "shop-api",
    containerDefinitions: [{ name: "app", image: "someone/else:latest" }],
  });
  acct.taskDefinitions.set(other.arn, other);
  const old = [...acct.taskDefinitions.values()][0]!;
  acct.services.set(
    "shop-dev/api",
    liveService(target.account, "shop-dev", other.arn, {
      deployments: [
        {
          id: "ecs-svc/2",
          status: "PRIMARY",
          taskDefinition: other.arn,
          rolloutState: "IN_PROGRESS",
          desiredCount: 1,
          runningCount: 0,
          pendingCount: 1,
          failedTasks: 0,
        },
        {
          id: "ecs-svc/1",
          status: "ACTIVE",
          taskDefinition: old.arn,
          rolloutState: "COMPLETED",
          desiredCount: 1,
          runningCount: 1,
          pendingCount: 0,
          failedTasks: 0,
        },
      ],
    }),
  );
  return world;
}

describe("check: cluster and service", () => {
  const target = makeTarget();

  it("passes for an ACTIVE cluster and service with the ECS controller", async () => {
    const world = healthyWorld(target);
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r).toMatchObject({ id: "service", target: "dev", verdict: "pass" });
    expect(r.evidence).toMatchObject({ deploymentController: "ECS", status: "ACTIVE" });
  });

  it("fails CLUSTER_NOT_FOUND pointing at the cluster line when the cluster is missing", async () => {
    const world = healthyWorld(target);
    world.account(target.account).clusters.clear();
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "CLUSTER_NOT_FOUND",
      target: "dev",
      account: "222222222222",
      field: "cluster",
      location: { file: path.join(EXAMPLE, "environments", "dev.yaml"), line: 4 },
    });
  });

  it("fails CLUSTER_NOT_FOUND for an INACTIVE cluster, saying so", async () => {
    const world = healthyWorld(target);
    world.account(target.account).clusters.set(target.cluster, "INACTIVE");
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.error?.code).toBe("CLUSTER_NOT_FOUND");
    expect(r.message).toContain("INACTIVE");
  });

  it("fails SERVICE_NOT_FOUND when the service is missing", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.clear();
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "SERVICE_NOT_FOUND", field: "service", location: { line: 5 }, action: "ecs:DescribeServices" });
    expect(r.hint).toContain("create api in shop-dev");
  });

  it("fails SERVICE_INACTIVE for a DRAINING service", async () => {
    const world = healthyWorld(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.status = "DRAINING";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.error?.code).toBe("SERVICE_INACTIVE");
  });

  it("refuses CODE_DEPLOY services with a clear message", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.deploymentController = "CODE_DEPLOY";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("UNSUPPORTED_DEPLOYMENT_CONTROLLER");
    expect(r.message).toContain("CODE_DEPLOY");
    expect(r.hint).toContain("CodeDeploy");
  });

  it("fails DEPLOYMENT_IN_PROGRESS for someone else's rollout", async () => {
    const r = await checkClusterAndService(await checkContext(withForeignRollout(), target));
    expect(r.verdict).toBe("fail");
    expect(r.error?.code).toBe("DEPLOYMENT_IN_PROGRESS");
    expect(r.evidence).toMatchObject({ inProgress: { id: "ecs-svc/2" } });
    expect(r.hint).toContain("--wait-for-in-progress");
  });

  it("warns instead with --wait-for-in-progress", async () => {
    const r = await checkClusterAndService(await checkContext(withForeignRollout(), target, { waitForInProgress: true }));
    expect(r.verdict).toBe("warn");
    expect(r.error).toBeUndefined();
    expect(r.message).toContain("will wait");
  });

  it("treats a service with several deployments and no rollout state as in progress", async () => {
    const world = healthyWorld(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.deployments = [
      { id: "d2", status: "PRIMARY", taskDefinition: "arn:td:2", desiredCount: 1, runningCount: 0, pendingCount: 1, failedTasks: 0 },
      { id: "d1", status: "ACTIVE", taskDefinition: "arn:td:1", desiredCount: 1, runningCount: 1, pendingCount: 0, failedTasks: 0 },
    ];
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.error?.code).toBe("DEPLOYMENT_IN_PROGRESS");
  });

  it("does not call an earlier run's rollout of the desired definition foreign", async () => {
    const world = healthyWorld(target);
    const acct = world.account(target.account);
    const desired = makeDesired(target);
    const ours = makeRevision(target.account, 2, desired.taskDefinition);
    acct.taskDefinitions.set(ours.arn, ours);
    const svc = acct.services.get("shop-dev/api")!;
    svc.deployments = [
      {
        id: "d2",
        status: "PRIMARY",
        taskDefinition: ours.arn,
        rolloutState: "IN_PROGRESS",
        desiredCount: 1,
        runningCount: 0,
        pendingCount: 1,
        failedTasks: 0,
      },
      ...svc.deployments.map((d) => ({ ...d, status: "ACTIVE" })),
    ];
    const r = await checkClusterAndService(await checkContext(world, target, { desired }));
    expect(r.verdict).toBe("pass");
  });

  it("turns an AWS error into a fail with the AWS code, never a throw", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeServices", accessDenied("ecs:DescribeServices", "shop-dev/api"));
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED", awsCode: "AccessDenied", action: "ecs:DescribeServices", target: "dev" });
  });
});

const DEV_FILE = "test/fixtures/config/one-service/environments/dev.yaml";
const SERVICE_ARN = "arn:aws:ecs:eu-west-1:222222222222:service/shop-dev/api";

/**
 * The context over a world whose ECS has the service-deployment API: `history` is what
 * ListServiceDeployments answers (an Error: it throws).
 */
async function withHistory(world: FakeWorld, t: Target, history: ServiceDeploymentInfo[] | Error, opts = {}): Promise<CheckContext> {
  const ctx = await checkContext(world, t, opts);
  const ecs = Object.create(ctx.session.ecs) as CheckContext["session"]["ecs"];
  ecs.listServiceDeployments = async () => {
    if (history instanceof Error) throw history;
    return history;
  };
  ecs.describeServiceDeployments = async (arns) => (history instanceof Error ? [] : history.filter((h) => arns.includes(h.arn)));
  ecs.describeServiceRevisions = async () => [];
  ctx.session = { ...ctx.session, ecs };
  ctx.reads = new TargetReads(t, ctx.session);
  return ctx;
}

describe("check: cluster and service, messages and hints", () => {
  const target = makeTarget();

  it("passes with the strategy and counts in the message, and what it rests on in the evidence", async () => {
    const world = healthyWorld(target);
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("shop-dev/api is ACTIVE (ECS controller, rolling update; 1/1 running)");
    const td = world.account(target.account).services.get("shop-dev/api")!.taskDefinition;
    expect(r.evidence).toEqual({
      cluster: "arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev",
      service: SERVICE_ARN,
      status: "ACTIVE",
      deploymentController: "ECS",
      taskDefinition: td,
      deployments: [{ id: "ecs-svc/1", status: "PRIMARY", rolloutState: "COMPLETED", taskDefinition: td }],
      strategy: "ROLLING",
    });
  });

  it("a service without a deployment controller field is an ECS one", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.deploymentController = "";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("pass");
    expect(r.evidence).toMatchObject({ deploymentController: "ECS" });
  });

  it("cluster unreadable: fails with the read's error in the message", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeCluster", accessDenied("ecs:DescribeClusters", "shop-dev"));
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe("could not read cluster shop-dev: Access denied: ecs:DescribeClusters on shop-dev");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED" });
    expect(world.calls.some((c) => c.method === "describeServices")).toBe(false);
  });

  it("cluster missing: names the account and region, the field to check, and reads no service", async () => {
    const world = healthyWorld(target);
    world.account(target.account).clusters.clear();
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("cluster shop-dev does not exist in 222222222222/eu-west-1");
    expect(r.hint).toBe(`Check \`cluster\` in ${DEV_FILE}:4, and the account and region of the target (222222222222, eu-west-1).`);
    expect(r.error).toMatchObject({ action: "ecs:DescribeClusters", resource: "shop-dev" });
    expect(r.evidence).toEqual({ cluster: "shop-dev", status: "MISSING" });
    expect(world.calls.some((c) => c.method === "describeServices")).toBe(false);
  });

  it("cluster INACTIVE: says so, with its status in the evidence", async () => {
    const world = healthyWorld(target);
    world.account(target.account).clusters.set(target.cluster, "INACTIVE");
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("cluster shop-dev is INACTIVE, not ACTIVE");
    expect(r.evidence).toEqual({ cluster: "shop-dev", status: "INACTIVE" });
  });

  it("service unreadable: fails with the read's error in the message", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeServices", accessDenied("ecs:DescribeServices", "shop-dev/api"));
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("could not read service shop-dev/api: Access denied: ecs:DescribeServices on shop-dev/api");
  });

  it("service missing: create it first, or fix `service` at its line", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.clear();
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("service api does not exist in cluster shop-dev");
    expect(r.hint).toBe(
      `deployer updates existing services only: create api in shop-dev first (with your infrastructure code), or fix \`service\` in ${DEV_FILE}:5.`,
    );
    expect(r.error).toMatchObject({ resource: "shop-dev/api" });
    expect(r.evidence).toEqual({
      cluster: "arn:aws:ecs:eu-west-1:222222222222:cluster/shop-dev",
      service: "shop-dev/api",
      status: "MISSING",
    });
  });

  it("service DRAINING: being deleted, recreate it first", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.status = "DRAINING";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("service shop-dev/api is DRAINING, not ACTIVE");
    expect(r.hint).toBe(
      "The service is being deleted (DRAINING). deployer updates existing services only: recreate it (with your infrastructure code) first.",
    );
    expect(r.error).toMatchObject({ code: "SERVICE_INACTIVE", resource: SERVICE_ARN, field: "service", action: "ecs:DescribeServices" });
    expect(r.evidence).toMatchObject({ status: "DRAINING" });
  });

  it("EXTERNAL and CODE_DEPLOY controllers: refused, each with its own hint", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.deploymentController = "EXTERNAL";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe(
      "service shop-dev/api uses the EXTERNAL deployment controller; deployer supports only services with the ECS controller (rolling update, or ECS-native BLUE_GREEN / LINEAR / CANARY)",
    );
    expect(r.hint).toBe("EXTERNAL services are deployed through task sets; keep this target out of deployer.");
    expect(r.error).toMatchObject({ action: "ecs:DescribeServices", resource: SERVICE_ARN, field: "service", location: { line: 5 } });
    expect(r.evidence).toMatchObject({ deploymentController: "EXTERNAL" });

    const cd = healthyWorld(target);
    cd.account(target.account).services.get("shop-dev/api")!.deploymentController = "CODE_DEPLOY";
    const c = await checkClusterAndService(await checkContext(cd, target));
    expect(c.hint).toBe(
      "CodeDeploy blue/green services are deployed through CodeDeploy (aws deploy create-deployment); keep this target out of deployer, or switch the service to the ECS controller with the BLUE_GREEN strategy (ECS-native blue/green), which deployer supports.",
    );
  });

  it("a native strategy needs the service deployments: without them it fails, naming the permissions", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.strategy = "BLUE_GREEN";
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(
      "shop-dev/api deploys with the BLUE_GREEN strategy, which deployer follows through the service deployments, but it could not read them: this AWS endpoint has no service-deployment API",
    );
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED", action: "ecs:ListServiceDeployments", resource: SERVICE_ARN });
    expect(r.hint).toBe(
      "Allow the deploy role ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions and ecs:StopServiceDeployment on the service, its service-deployment/… and service-revision/… ARNs.",
    );
    expect(r.evidence).toMatchObject({ strategy: "BLUE_GREEN" });

    const denied = healthyWorld(target);
    denied.account(target.account).services.get("shop-dev/api")!.strategy = "LINEAR";
    const d = await checkClusterAndService(await withHistory(denied, target, accessDenied("ecs:DescribeServiceDeployments", SERVICE_ARN)));
    expect(d.error).toMatchObject({ action: "ecs:DescribeServiceDeployments", awsCode: "AccessDenied", awsMessage: "not authorized" });
    const plain = await checkClusterAndService(await withHistory(denied, target, new Error("boom")));
    expect(plain.error).toMatchObject({ action: "ecs:ListServiceDeployments" });
    expect(plain.message).toContain("could not read them: boom");
  });

  it("a native strategy with its history: passes, naming strategy, bake time, hooks and alarms", async () => {
    const world = healthyWorld(target);
    Object.assign(world.account(target.account).services.get("shop-dev/api")!, {
      strategy: "BLUE_GREEN",
      bakeTimeInMinutes: 5,
      lifecycleHookStages: ["PRE_SCALE_UP", "POST_TEST_TRAFFIC_SHIFT"],
      alarms: { enable: true, rollback: true, alarmNames: ["api-5xx", "api-latency"] },
    });
    const r = await checkClusterAndService(await withHistory(world, target, []));
    expect(r.verdict, r.message).toBe("pass");
    expect(r.message).toBe(
      "shop-dev/api is ACTIVE (ECS controller, BLUE_GREEN strategy, bake time 5m, lifecycle hooks at PRE_SCALE_UP, POST_TEST_TRAFFIC_SHIFT, alarms api-5xx, api-latency (roll back); 1/1 running)",
    );
  });

  it("a native strategy without a bake time names none", async () => {
    const world = healthyWorld(target);
    world.account(target.account).services.get("shop-dev/api")!.strategy = "CANARY";
    const r = await checkClusterAndService(await withHistory(world, target, []));
    expect(r.message).toBe("shop-dev/api is ACTIVE (ECS controller, CANARY strategy; 1/1 running)");
  });

  it("a rolling update leaves out the bake time, disabled alarms, and '(roll back)' when alarms do not roll back", async () => {
    const world = healthyWorld(target);
    Object.assign(world.account(target.account).services.get("shop-dev/api")!, {
      bakeTimeInMinutes: 5,
      lifecycleHookStages: [],
      alarms: { enable: true, rollback: false, alarmNames: ["api-5xx"] },
    });
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toBe("shop-dev/api is ACTIVE (ECS controller, rolling update, alarms api-5xx; 1/1 running)");
    const off = healthyWorld(target);
    off.account(target.account).services.get("shop-dev/api")!.alarms = { enable: false, rollback: true, alarmNames: ["api-5xx"] };
    expect((await checkClusterAndService(await checkContext(off, target))).message).toBe(
      "shop-dev/api is ACTIVE (ECS controller, rolling update; 1/1 running)",
    );
  });

  it("a rolling service whose history is refused: unverified, naming the reading role and the permissions", async () => {
    const viewer = makeTarget({ viewRole: "arn:aws:iam::222222222222:role/deployer-viewer" });
    const world = healthyWorld(viewer);
    const r = await checkClusterAndService(await withHistory(world, viewer, accessDenied("ecs:ListServiceDeployments", SERVICE_ARN)));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      "shop-dev/api is ACTIVE (ECS controller, rolling update; 1/1 running); but its deployment history could not be read as arn:aws:iam::222222222222:role/deployer-viewer (AccessDenied on ecs:ListServiceDeployments): a rollback target comes from the deployer:previous-task-definition tag (or the revision that ran settled) instead of ECS's service deployments",
    );
    expect(r.error).toMatchObject({
      code: "ACCESS_DENIED",
      action: "ecs:ListServiceDeployments",
      resource: SERVICE_ARN,
      awsCode: "AccessDenied",
      awsMessage: "not authorized",
    });
    expect(r.hint).toBe(
      `Allow arn:aws:iam::222222222222:role/deployer-viewer ecs:ListServiceDeployments on ${SERVICE_ARN}, ecs:DescribeServiceDeployments on its service-deployment/… and ecs:DescribeServiceRevisions on its service-revision/… ARNs (deployer iam grants them). --strict turns this warning into an error.`,
    );
    expect(r.evidence).toMatchObject({ historyUnavailable: { code: "ACCESS_DENIED", action: "ecs:ListServiceDeployments" } });
  });

  it("a history failing otherwise: AWS_ERROR, the message when there is no AWS code, the deploy role without a viewer", async () => {
    const world = healthyWorld(target);
    const r = await checkClusterAndService(await withHistory(world, target, new Error("socket hang up")));
    expect(r.verdict).toBe("unverified");
    expect(r.message).toContain(
      "could not be read as arn:aws:iam::222222222222:role/deployer (ecs:ListServiceDeployments: socket hang up): a rollback target",
    );
    expect(r.error).toMatchObject({ code: "AWS_ERROR", action: "ecs:ListServiceDeployments" });
    expect(r.hint).toContain("Allow arn:aws:iam::222222222222:role/deployer ecs:ListServiceDeployments");

    const throttled = await checkClusterAndService(
      await withHistory(
        healthyWorld(target),
        target,
        toDeployerError(awsException("ThrottlingException", "Rate exceeded"), { action: "ecs:ListServiceDeployments" }),
      ),
    );
    expect(throttled.error).toMatchObject({ code: "AWS_ERROR", awsCode: "ThrottlingException" });
    expect(throttled.message).toContain("(ThrottlingException on ecs:ListServiceDeployments)");
  });

  it("someone else's rollout: the message names the deployment, its task definition and state", async () => {
    const world = withForeignRollout();
    const r = await checkClusterAndService(await checkContext(world, target));
    const other = world.account(target.account).services.get("shop-dev/api")!.taskDefinition;
    expect(r.message).toMatch(
      new RegExp(
        `^deployment ecs-svc/2 \\(${other.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}\\) is still IN_PROGRESS on shop-dev/api \\(deployment ecs-svc/2 .* in progress: 0/1 running, 2 deployments\\)$`,
      ),
    );
    expect(r.error).toMatchObject({
      code: "DEPLOYMENT_IN_PROGRESS",
      message: "another deployment is in progress on shop-dev/api: ecs-svc/2",
      action: "ecs:DescribeServices",
      resource: SERVICE_ARN,
    });
    expect(r.evidence).toMatchObject({ inProgress: { id: "ecs-svc/2", taskDefinition: other } });
    const w = await checkClusterAndService(await checkContext(withForeignRollout(), target, { waitForInProgress: true }));
    expect(w.message).toBe(`${r.message}: deployer will wait for it first (--wait-for-in-progress)`);
    expect(w.evidence).toMatchObject({ inProgress: { id: "ecs-svc/2" } });
  });

  it("a deployment without a rollout state in progress: 'rolling out'", async () => {
    const world = healthyWorld(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.deployments = [
      { id: "d2", status: "PRIMARY", taskDefinition: "arn:td:2", desiredCount: 1, runningCount: 0, pendingCount: 1, failedTasks: 0 },
      { id: "d1", status: "ACTIVE", taskDefinition: "arn:td:1", desiredCount: 1, runningCount: 1, pendingCount: 0, failedTasks: 0 },
    ];
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.message).toMatch(/^deployment d2 \(arn:td:2\) is still rolling out on shop-dev\/api \(/);
  });

  it("ECS rolling back a failed deployment: 'being rolled back', naming the rollback", async () => {
    const world = healthyWorld(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.deployments = [
      {
        id: "d3",
        status: "PRIMARY",
        taskDefinition: "arn:td:1",
        rolloutState: "IN_PROGRESS",
        desiredCount: 1,
        runningCount: 0,
        pendingCount: 1,
        failedTasks: 0,
      },
      {
        id: "d2",
        status: "ACTIVE",
        taskDefinition: "arn:td:2",
        rolloutState: "FAILED",
        desiredCount: 1,
        runningCount: 0,
        pendingCount: 0,
        failedTasks: 3,
      },
    ];
    const r = await checkClusterAndService(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.message).toMatch(
      /^deployment d3 \(arn:td:1\) is still being rolled back on shop-dev\/api \(deployment d2 .*failed; ECS is rolling back/,
    );
    expect(r.error?.message).toBe("another deployment is in progress on shop-dev/api: d3");
  });

  it("a native rollback with no deployment to name: 'a deployment', the service deployment's reason", async () => {
    const world = healthyWorld(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.strategy = "BLUE_GREEN";
    const sd: ServiceDeploymentInfo = {
      arn: "arn:aws:ecs:eu-west-1:222222222222:service-deployment/shop-dev/api/Abc123",
      status: "ROLLBACK_IN_PROGRESS",
      detailed: true,
    };
    const r = await checkClusterAndService(await withHistory(world, target, [sd]));
    expect(r.verdict).toBe("fail");
    expect(r.message).toMatch(/^a deployment is still being rolled back on shop-dev\/api \(service deployment Abc123 ROLLBACK_IN_PROGRESS/);
    expect(r.error?.message).toMatch(/^another deployment is in progress on shop-dev\/api: service deployment Abc123 ROLLBACK_IN_PROGRESS/);
    expect(r.evidence).toMatchObject({ inProgress: { reason: expect.stringContaining("ROLLBACK_IN_PROGRESS") } });
  });

  it("our own earlier rollout is only recognised when its task definition can be read", async () => {
    const world = healthyWorld(target);
    const desired = makeDesired(target);
    const svc = world.account(target.account).services.get("shop-dev/api")!;
    svc.deployments = [
      {
        id: "d2",
        status: "PRIMARY",
        taskDefinition: "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:2",
        rolloutState: "IN_PROGRESS",
        desiredCount: 1,
        runningCount: 0,
        pendingCount: 1,
        failedTasks: 0,
      },
      ...svc.deployments.map((d) => ({ ...d, status: "ACTIVE" })),
    ];
    const r = await checkClusterAndService(await checkContext(world, target, { desired }));
    expect(r.error?.code).toBe("DEPLOYMENT_IN_PROGRESS");
    world.account(target.account).failures.set("describeTaskDefinition", accessDenied("ecs:DescribeTaskDefinition", "x"));
    const u = await checkClusterAndService(await checkContext(world, target, { desired }));
    expect(u.error?.code).toBe("DEPLOYMENT_IN_PROGRESS");
  });
});
