import { describe, expect, it } from "vitest";
import type { LiveDeployment, LiveService } from "../../../src/aws/ports.js";
import type { ServiceDeploymentInfo } from "../../../src/aws/ports.js";
import {
  assessDeployment,
  assessServiceDeployment,
  describeTrigger,
  ecsRollsBack,
  failureTrigger,
  serviceState,
  unknownState,
} from "../../../src/ecs/deployment-state.js";
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
      [
        dep("rb", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }),
        dep("ours", "ACTIVE", TD2, { rolloutState: "FAILED", rolloutStateReason: "breaker" }),
      ],
      { circuitBreaker: { enable: true, rollback: true } },
    );
    const a = assessDeployment(s, { id: "ours", taskDefinitionArn: TD2 });
    expect(a).toMatchObject({ state: "failed", reason: "breaker", ecsRollback: { id: "rb" }, ecsRollbackExpected: true });
  });

  it("without rollout state: stable only when ours is the only deployment and fully running", () => {
    const both = svc([
      dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 0 }),
      dep("old", "ACTIVE", TD1, { runningCount: 2, pendingCount: 0 }),
    ]);
    expect(assessDeployment(both, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("in-progress");
    const alone = svc([dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 0 })]);
    expect(assessDeployment(alone, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("completed");
    const short = svc([dep("ours", "PRIMARY", TD2, { runningCount: 1, pendingCount: 1 })]);
    expect(assessDeployment(short, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("in-progress");
  });

  it("without rollout state: not completed while a task is still pending, even with every desired task running", () => {
    const replacing = svc([dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 1 })]);
    expect(assessDeployment(replacing, { id: "ours", taskDefinitionArn: TD2 }).state).toBe("in-progress");
  });

  it("says replaced when ours is gone or no longer PRIMARY, and service-gone when the service is", () => {
    expect(
      assessDeployment(svc([dep("theirs", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" })]), { id: "ours", taskDefinitionArn: TD2 }),
    ).toMatchObject({ state: "replaced", primary: { id: "theirs" } });
    expect(
      assessDeployment(
        svc([dep("theirs", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }), dep("ours", "ACTIVE", TD2, { rolloutState: "IN_PROGRESS" })]),
        { id: "ours", taskDefinitionArn: TD2 },
      ).state,
    ).toBe("replaced");
    expect(assessDeployment(undefined, { taskDefinitionArn: TD2 }).state).toBe("service-gone");
    expect(assessDeployment(svc([dep("ours", "PRIMARY", TD2)], { status: "DRAINING" }), { taskDefinitionArn: TD2 })).toEqual({
      state: "service-gone",
      status: "DRAINING",
    });
  });
});

describe("serviceState: the one model of a service's deployment state", () => {
  const settledSvc = (more: Partial<LiveDeployment> = {}, svcMore: Partial<LiveService> = {}) =>
    svc([dep("a", "PRIMARY", TD2, { rolloutState: "COMPLETED", runningCount: 2, pendingCount: 0, ...more })], {
      runningCount: 2,
      ...svcMore,
    });

  it("missing, inactive", () => {
    expect(serviceState(undefined)).toEqual({ kind: "missing" });
    expect(serviceState(settledSvc({}, { status: "DRAINING" }))).toEqual({ kind: "inactive", status: "DRAINING" });
  });

  it("stable when the PRIMARY COMPLETED and every desired task runs; degraded when not all run", () => {
    expect(serviceState(settledSvc()).kind).toBe("stable");
    expect(serviceState(settledSvc({ runningCount: 1 }, { runningCount: 1 }))).toMatchObject({
      kind: "degraded",
      reason: "1 of 2 tasks running",
    });
  });

  it("desiredCount 0 is scaled to zero, never stable", () => {
    const zero = svc([dep("a", "PRIMARY", TD2, { rolloutState: "COMPLETED", desiredCount: 0, runningCount: 0, pendingCount: 0 })], {
      desiredCount: 0,
      runningCount: 0,
    });
    expect(serviceState(zero).kind).toBe("scaled-to-zero");
  });

  it("in progress while any deployment is IN_PROGRESS; rolling back when ECS replaced a FAILED one", () => {
    expect(
      serviceState(svc([dep("a", "PRIMARY", TD2, { rolloutState: "IN_PROGRESS" }), dep("b", "ACTIVE", TD1, { rolloutState: "COMPLETED" })]))
        .kind,
    ).toBe("in-progress");
    const rb = serviceState(
      svc(
        [
          dep("rb", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }),
          dep("bad", "ACTIVE", TD2, {
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
          }),
        ],
        {
          circuitBreaker: { enable: true, rollback: true },
        },
      ),
    );
    expect(rb).toMatchObject({ kind: "rolling-back", failed: { id: "bad" }, rollback: { id: "rb" }, trigger: { by: "circuit-breaker" } });
  });

  it("a FAILED PRIMARY is failed (never stable), whatever still runs beside it", () => {
    const s = serviceState(
      svc(
        [
          dep("bad", "PRIMARY", TD2, {
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
            runningCount: 0,
          }),
          dep("old", "ACTIVE", TD1, { rolloutState: "COMPLETED", runningCount: 2 }),
        ],
        { runningCount: 2 },
      ),
    );
    expect(s).toMatchObject({ kind: "failed", deployment: { id: "bad" }, trigger: { by: "circuit-breaker" } });
  });

  it("without rollout state (ECS-native strategies), two deployments mean one is rolling out", () => {
    expect(
      serviceState(
        svc([dep("g", "PRIMARY", TD2, { runningCount: 2 }), dep("b", "ACTIVE", TD1, { runningCount: 2 })], { strategy: "BLUE_GREEN" }),
      ).kind,
    ).toBe("in-progress");
  });

  it("the current service deployment decides where ECS has one: ongoing, rolling back, stopped, rolled back", () => {
    const base = settledSvc({}, { currentServiceDeployment: "arn:sd/1", strategy: "BLUE_GREEN" });
    const sd = (status: string, more: Partial<ServiceDeploymentInfo> = {}): ServiceDeploymentInfo => ({
      arn: "arn:sd/1",
      status,
      detailed: true,
      ...more,
    });
    expect(serviceState(base, sd("PENDING"))).toMatchObject({ kind: "in-progress" });
    expect(serviceState(base, sd("IN_PROGRESS", { lifecycleStage: "BAKE_TIME" }))).toMatchObject({
      kind: "in-progress",
      reason: "service deployment 1 IN_PROGRESS (BAKE_TIME)",
    });
    expect(serviceState(base, sd("ROLLBACK_IN_PROGRESS", { alarmsStatus: "TRIGGERED", triggeredAlarmNames: ["api-5xx"] }))).toMatchObject({
      kind: "rolling-back",
      trigger: { by: "alarm", alarms: ["api-5xx"] },
    });
    expect(serviceState(base, sd("STOPPED", { circuitBreakerStatus: "TRIGGERED" }))).toMatchObject({
      kind: "failed",
      trigger: { by: "circuit-breaker" },
    });
    expect(serviceState(base, sd("ROLLBACK_FAILED")).kind).toBe("failed");
    expect(serviceState(base, sd("ROLLBACK_SUCCESSFUL", { statusReason: "alarm" }))).toMatchObject({
      kind: "stable",
      lastFailure: { reason: "alarm" },
    });
    expect(serviceState(base, sd("SUCCESSFUL"))).toMatchObject({ kind: "stable" });
    // Another service deployment than the service's current one says nothing about it.
    expect(serviceState(base, { ...sd("IN_PROGRESS"), arn: "arn:sd/0" }).kind).toBe("stable");
  });

  it("the unknown state carries the read's own error", () => {
    const error = { code: "AWS_ERROR" as const, message: "expired", hint: "renew the credentials" };
    expect(unknownState(error)).toEqual({ kind: "unknown", error });
  });
});

describe("failure triggers and ECS's own rollback", () => {
  it("names the alarm from the service deployment, else from the reason, and knows whether ECS rolls back", () => {
    const s = svc([dep("a", "PRIMARY", TD2)], {
      alarms: { enable: true, rollback: true, alarmNames: ["api-5xx", "latency"] },
      circuitBreaker: { enable: true, rollback: false },
    });
    expect(
      failureTrigger(s, undefined, {
        arn: "x",
        status: "ROLLBACK_SUCCESSFUL",
        alarmsStatus: "TRIGGERED",
        triggeredAlarmNames: ["latency"],
        detailed: true,
      }),
    ).toEqual({ by: "alarm", alarms: ["latency"] });
    expect(
      failureTrigger(
        s,
        dep("a", "PRIMARY", TD2, { rolloutStateReason: "ECS deployment a failed: CloudWatch alarm(s) api-5xx in ALARM state." }),
      ),
    ).toEqual({ by: "alarm", alarms: ["api-5xx"] });
    expect(ecsRollsBack(s, { by: "alarm" })).toBe(true);
    expect(ecsRollsBack(s, { by: "circuit-breaker" })).toBe(false);
    expect(ecsRollsBack(s, { by: "unknown" })).toBe(true);
    expect(describeTrigger({ by: "alarm", alarms: ["api-5xx"] })).toBe("alarm api-5xx");
  });

  it("assessDeployment expects ECS's rollback for an alarm failure when the alarms roll back", () => {
    const s = svc(
      [
        dep("ours", "PRIMARY", TD2, {
          rolloutState: "FAILED",
          rolloutStateReason: "ECS deployment ours failed: CloudWatch alarm(s) api-5xx in ALARM state.",
        }),
        dep("old", "ACTIVE", TD1, { rolloutState: "COMPLETED" }),
      ],
      {
        alarms: { enable: true, rollback: true, alarmNames: ["api-5xx"] },
      },
    );
    expect(assessDeployment(s, { id: "ours", taskDefinitionArn: TD2 })).toMatchObject({
      state: "failed",
      ecsRollbackExpected: true,
      trigger: { by: "alarm", alarms: ["api-5xx"] },
    });
  });
});

describe("assessServiceDeployment (BLUE_GREEN / LINEAR / CANARY)", () => {
  const sd = (status: string): ServiceDeploymentInfo => ({ arn: "arn:sd/1", status, detailed: true });
  it.each([
    ["PENDING", "in-progress"],
    ["IN_PROGRESS", "in-progress"],
    ["STOP_REQUESTED", "in-progress"],
    ["SUCCESSFUL", "completed"],
    ["ROLLBACK_REQUESTED", "rolling-back"],
    ["ROLLBACK_IN_PROGRESS", "rolling-back"],
    ["ROLLBACK_SUCCESSFUL", "rolled-back"],
    ["ROLLBACK_FAILED", "rollback-failed"],
    ["STOPPED", "stopped"],
  ])("%s is %s", (status, state) => {
    expect(assessServiceDeployment(undefined, sd(status)).state).toBe(state);
  });
  it("missing when ECS does not return it", () => {
    expect(assessServiceDeployment(undefined, undefined).state).toBe("missing");
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
