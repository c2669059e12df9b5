import path from "node:path";
import { describe, expect, it } from "vitest";
import { checkClusterAndService } from "../../../src/checks/cluster-service.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { liveService, makeRevision, makeDesired, makeTarget, EXAMPLE } from "../../helpers/factories.js";

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

  function withForeignRollout() {
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
