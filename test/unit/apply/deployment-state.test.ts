import { describe, expect, it } from "vitest";
import type { LiveDeployment, LiveService } from "../../../src/aws/ports.js";
import { assessDeployment, serviceSettlement } from "../../../src/apply/deployment-state.js";
import { parseTaskDefinitionRef, taskDefinitionName } from "../../../src/config/aws-names.js";

const TD1 = "arn:aws:ecs:eu-west-1:111111111111:task-definition/shop-api:1";
const TD2 = "arn:aws:ecs:eu-west-1:111111111111:task-definition/shop-api:2";

function dep(id: string, status: string, taskDefinition: string, more: Partial<LiveDeployment> = {}): LiveDeployment {
  return { id, status, taskDefinition, desiredCount: 2, runningCount: 0, pendingCount: 2, failedTasks: 0, ...more };
}

function svc(deployments: LiveDeployment[], more: Partial<LiveService> = {}): LiveService {
  return {
    arn: "arn:aws:ecs:eu-west-1:111111111111:service/main/api",
    name: "api",
    clusterArn: "arn:aws:ecs:eu-west-1:111111111111:cluster/main",
    status: "ACTIVE",
    taskDefinition: deployments[0]!.taskDefinition,
    desiredCount: 2,
    runningCount: 0,
    pendingCount: 0,
    deploymentController: "ECS",
    deployments,
    events: [],
    ...more,
  };
}

describe("assessDeployment", () => {
  it("follows our deployment by id, not by task definition", () => {
    // Rolling back to TD1 while the old TD1 deployment still drains: ours is the new one.
    const s = svc([dep("new", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }), dep("old", "ACTIVE", TD1, { rolloutState: "COMPLETED" })]);
    expect(assessDeployment(s, { id: "new", taskDefinitionArn: TD1 }).state).toBe("in-progress");
    expect(assessDeployment(s, { id: "old", taskDefinitionArn: TD1 }).state).toBe("completed");
  });

  it("reports FAILED with the rollback deployment ECS started", () => {
    const s = svc(
      [dep("rb", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }), dep("ours", "ACTIVE", TD2, { rolloutState: "FAILED", rolloutStateReason: "breaker" })],
      { circuitBreaker: { enable: true, rollback: true } },
    );
    const a = assessDeployment(s, { id: "ours", taskDefinitionArn: TD2 });
    expect(a).toMatchObject({ state: "failed", reason: "breaker", ecsRollback: { id: "rb" }, ecsRollbackExpected: true });
  });

  it("without rollout state: stable only when ours is the only deployment and fully running", () => {
    const both = svc([dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 0 }), dep("old", "ACTIVE", TD1, { runningCount: 2, pendingCount: 0 })]);
    expect(assessDeployment(both, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("in-progress");
    const alone = svc([dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 0 })]);
    expect(assessDeployment(alone, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("completed");
    const short = svc([dep("ours", "PRIMARY", TD2, { runningCount: 1, pendingCount: 1 })]);
    expect(assessDeployment(short, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("in-progress");
  });

  it("says replaced when ours is gone or no longer PRIMARY, and service-gone when the service is", () => {
    expect(assessDeployment(svc([dep("theirs", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" })]), { id: "ours", taskDefinitionArn: TD2 })).toMatchObject({ state: "replaced", primary: { id: "theirs" } });
    expect(
      assessDeployment(svc([dep("theirs", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }), dep("ours", "ACTIVE", TD2, { rolloutState: "IN_PROGRESS" })]), { id: "ours", taskDefinitionArn: TD2 }).state,
    ).toBe("replaced");
    expect(assessDeployment(undefined, { taskDefinitionArn: TD2 }).state).toBe("service-gone");
    expect(assessDeployment(svc([dep("ours", "PRIMARY", TD2)], { status: "DRAINING" }), { taskDefinitionArn: TD2 })).toEqual({ state: "service-gone", status: "DRAINING" });
  });
});

describe("serviceSettlement", () => {
  it("is in progress while any deployment is, settled when the PRIMARY completed, failed when it failed", () => {
    expect(serviceSettlement(svc([dep("a", "PRIMARY", TD2, { rolloutState: "IN_PROGRESS" }), dep("b", "ACTIVE", TD1, { rolloutState: "COMPLETED" })])).state).toBe("in-progress");
    expect(serviceSettlement(svc([dep("a", "PRIMARY", TD2, { rolloutState: "COMPLETED" })])).state).toBe("settled");
    expect(serviceSettlement(svc([dep("a", "PRIMARY", TD2, { rolloutState: "FAILED" }), dep("b", "ACTIVE", TD1, { rolloutState: "COMPLETED" })])).state).toBe("failed");
  });
});

describe("task definition names", () => {
  it("shortens ARNs to family:revision", () => {
    expect(taskDefinitionName(TD2)).toBe("shop-api:2");
    expect(taskDefinitionName("shop-api:7")).toBe("shop-api:7");
    expect(parseTaskDefinitionRef(TD2).revision).toBe(2);
    expect(parseTaskDefinitionRef("shop-api").revision).toBeUndefined();
  });
});
