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
  bakeMinutesOf,
  findDeployment,
  isNativeStrategy,
  isSettled,
  serviceDeploymentId,
  strategyOf,
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

describe("deployment state: the exact words and fields each state carries", () => {
  const sdInfo = (status: string, more: Partial<ServiceDeploymentInfo> = {}): ServiceDeploymentInfo => ({
    arn: "arn:aws:ecs:eu-west-1:111111111111:service-deployment/main/api/abc123",
    status,
    detailed: true,
    ...more,
  });
  const primaryDone = (more: Partial<LiveDeployment> = {}) =>
    dep("p", "PRIMARY", TD1, { rolloutState: "COMPLETED", runningCount: 2, pendingCount: 0, ...more });
  const running = (deployments: LiveDeployment[], more: Partial<LiveService> = {}) => svc(deployments, { runningCount: 2, ...more });

  it("a service deployment in progress names its short id, status and lifecycle stage, and carries the PRIMARY", () => {
    const p = primaryDone();
    const s = running([p]);
    expect(serviceState(s, sdInfo("PENDING"))).toEqual({
      kind: "in-progress",
      deployment: p,
      serviceDeployment: sdInfo("PENDING"),
      reason: "service deployment abc123 PENDING",
    });
    expect(serviceState(s, sdInfo("STOP_REQUESTED", { lifecycleStage: "CLEAN_UP" }))).toMatchObject({
      reason: "service deployment abc123 STOP_REQUESTED (CLEAN_UP)",
    });
  });

  it("a service deployment in progress without a PRIMARY deployment carries no deployment", () => {
    const s = svc([dep("a", "ACTIVE", TD1)]);
    const state = serviceState(s, sdInfo("IN_PROGRESS"));
    expect(state.kind).toBe("in-progress");
    expect("deployment" in state).toBe(false);
  });

  it("a service deployment rolling back names what detected the failure", () => {
    const s = running([primaryDone()], { circuitBreaker: { enable: true, rollback: true } });
    expect(serviceState(s, sdInfo("ROLLBACK_REQUESTED", { circuitBreakerStatus: "TRIGGERED" }))).toEqual({
      kind: "rolling-back",
      serviceDeployment: sdInfo("ROLLBACK_REQUESTED", { circuitBreakerStatus: "TRIGGERED" }),
      trigger: { by: "circuit-breaker" },
      reason: "service deployment abc123 ROLLBACK_REQUESTED (circuit breaker)",
    });
  });

  it("a stopped service deployment is failed, with its status reason when ECS gives one", () => {
    const p = primaryDone();
    const s = running([p]);
    expect(serviceState(s, sdInfo("STOPPED", { statusReason: "stopped by ops" }))).toEqual({
      kind: "failed",
      deployment: p,
      serviceDeployment: sdInfo("STOPPED", { statusReason: "stopped by ops" }),
      trigger: { by: "stopped" },
      reason: "service deployment abc123 STOPPED: stopped by ops",
    });
    expect(serviceState(s, sdInfo("ROLLBACK_FAILED"))).toMatchObject({ reason: "service deployment abc123 ROLLBACK_FAILED" });
    const noPrimary = serviceState(svc([dep("a", "ACTIVE", TD1)]), sdInfo("ROLLBACK_FAILED"));
    expect(noPrimary.kind).toBe("failed");
    expect("deployment" in noPrimary).toBe(false);
  });

  it("a rolled-back service deployment settles with the last failure: its reason, else the rollback's, else a default; and when", () => {
    const p = primaryDone();
    const s = running([p]);
    expect(serviceState(s, sdInfo("ROLLBACK_SUCCESSFUL", { statusReason: "alarm api-5xx", finishedAt: "2026-01-01T00:00:00Z" }))).toEqual({
      kind: "stable",
      primary: p,
      lastFailure: { reason: "alarm api-5xx", trigger: { by: "alarm" }, at: "2026-01-01T00:00:00Z" },
    });
    expect(serviceState(s, sdInfo("ROLLBACK_SUCCESSFUL", { rollback: { reason: "Stopped by user" } }))).toEqual({
      kind: "stable",
      primary: p,
      lastFailure: { reason: "Stopped by user", trigger: { by: "stopped" } },
    });
    expect(serviceState(s, sdInfo("ROLLBACK_SUCCESSFUL"))).toEqual({
      kind: "stable",
      primary: p,
      lastFailure: { reason: "service deployment abc123 was rolled back", trigger: { by: "unknown" } },
    });
  });

  it("a rolled-back service deployment without a PRIMARY falls back to the deployments' own state", () => {
    expect(serviceState(svc([dep("a", "ACTIVE", TD1)]), sdInfo("ROLLBACK_SUCCESSFUL"))).toEqual({
      kind: "degraded",
      reason: "the service has no PRIMARY deployment",
    });
  });

  it("the service's current service deployment is trusted when the service names none", () => {
    const s = running([primaryDone()]);
    expect(serviceState(s, sdInfo("IN_PROGRESS")).kind).toBe("in-progress");
    expect(serviceState({ ...s, currentServiceDeployment: sdInfo("IN_PROGRESS").arn }, sdInfo("IN_PROGRESS")).kind).toBe("in-progress");
  });

  it("an unknown service deployment status says nothing: the deployments decide", () => {
    const p = primaryDone();
    expect(serviceState(running([p]), sdInfo("SUCCESSFUL"))).toEqual({ kind: "stable", primary: p });
    expect(serviceState(running([p]), sdInfo("SOMETHING_NEW"))).toEqual({ kind: "stable", primary: p });
  });

  it("ECS rolling back a failed rolling update: the failed deployment, the rollback, the trigger and both task definitions", () => {
    const rb = dep("rb", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" });
    const bad = dep("bad", "ACTIVE", TD2, {
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
    });
    const current = sdInfo("IN_PROGRESS", { arn: "arn:sd/x" });
    expect(serviceState(svc([rb, bad]), current)).toEqual({
      kind: "in-progress",
      deployment: rb,
      serviceDeployment: current,
      reason: "service deployment x IN_PROGRESS",
    });
    expect(serviceState(svc([rb, bad]))).toEqual({
      kind: "rolling-back",
      failed: bad,
      rollback: rb,
      trigger: { by: "circuit-breaker" },
      reason: "deployment bad (shop-api:2) failed; ECS is rolling back to shop-api:1",
    });
    // A service deployment ECS no longer lists as current is not carried.
    const other = serviceState({ ...svc([rb, bad]), currentServiceDeployment: "arn:sd/y" }, current);
    expect("serviceDeployment" in other).toBe(false);
    // With a listed, unsettled service deployment that says nothing more (UNKNOWN), it is carried along.
    const carried = serviceState(svc([rb, bad]), sdInfo("UNKNOWN_STATE", { arn: "arn:sd/x" }));
    expect(carried).toMatchObject({ kind: "rolling-back", serviceDeployment: { arn: "arn:sd/x" } });
  });

  it("a FAILED deployment beside a rollout that is not the PRIMARY's is not a rollback", () => {
    const p = dep("p", "PRIMARY", TD2, { rolloutState: "COMPLETED", runningCount: 2 });
    const other = dep("o", "ACTIVE", TD1, { rolloutState: "IN_PROGRESS" });
    const bad = dep("bad", "ACTIVE", TD1, { rolloutState: "FAILED" });
    expect(serviceState(svc([p, other, bad])).kind).toBe("in-progress");
    // No PRIMARY at all: the first rolling deployment is the one shown.
    expect(serviceState(svc([other, bad]))).toMatchObject({ kind: "in-progress", deployment: { id: "o" } });
  });

  it("a rolling update in progress: which deployment, how many run, and how many deployments", () => {
    const a = dep("a", "ACTIVE", TD1, { rolloutState: "IN_PROGRESS", runningCount: 1 });
    const b = dep("b", "PRIMARY", TD2, { rolloutState: "IN_PROGRESS", runningCount: 0 });
    expect(serviceState(svc([a, b]))).toEqual({
      kind: "in-progress",
      deployment: b,
      reason: "deployment b (shop-api:2) in progress: 0/2 running, 2 deployments",
    });
    expect(serviceState(svc([b]))).toMatchObject({ reason: "deployment b (shop-api:2) in progress: 0/2 running" });
    const current = sdInfo("WHATEVER", { arn: "arn:sd/z" });
    expect(serviceState(svc([b]), current)).toMatchObject({ serviceDeployment: current });
  });

  it("a FAILED PRIMARY names the deployment, its task definition and ECS's reason", () => {
    const bad = dep("bad", "PRIMARY", TD2, { rolloutState: "FAILED", rolloutStateReason: "tasks failed to start" });
    expect(serviceState(svc([bad]))).toEqual({
      kind: "failed",
      deployment: bad,
      trigger: { by: "unknown" },
      reason: "deployment bad (shop-api:2) FAILED: tasks failed to start",
    });
    const silent = dep("bad", "PRIMARY", TD2, { rolloutState: "FAILED" });
    expect(serviceState(svc([silent]))).toMatchObject({ reason: "deployment bad (shop-api:2) FAILED" });
    const current = sdInfo("WHATEVER", { arn: "arn:sd/z" });
    expect(serviceState(svc([silent]), current)).toMatchObject({ kind: "failed", serviceDeployment: current });
  });

  it("without rollout state, two deployments: the PRIMARY's counts and the number of deployments", () => {
    const g = dep("g", "PRIMARY", TD2, { runningCount: 1 });
    const b = dep("b", "ACTIVE", TD1, { runningCount: 2 });
    expect(serviceState(svc([g, b]))).toEqual({
      kind: "in-progress",
      deployment: g,
      reason: "deployment g (shop-api:2) in progress: 1/2 running, 2 deployments",
    });
    const current = sdInfo("WHATEVER", { arn: "arn:sd/z" });
    expect(serviceState(svc([g, b]), current)).toMatchObject({ serviceDeployment: current });
  });

  it("a PRIMARY in a rollout state ECS does not document is in progress, never stable", () => {
    const p = primaryDone({ rolloutState: "NEW_STATE" });
    expect(serviceState(running([p]))).toEqual({ kind: "in-progress", deployment: p, reason: "deployment p is NEW_STATE" });
    const noState = dep("p", "PRIMARY", TD1, { runningCount: 2, pendingCount: 0 });
    expect(serviceState(running([noState])).kind).toBe("stable");
  });

  it("a service that wants tasks is never scaled to zero, even while its PRIMARY deployment still desires none", () => {
    const p = primaryDone({ desiredCount: 0, runningCount: 0 });
    expect(serviceState(svc([p], { desiredCount: 2, runningCount: 0 }))).toEqual({
      kind: "degraded",
      primary: p,
      reason: "0 of 2 tasks running",
    });
  });

  it("degraded when the service or the PRIMARY runs fewer tasks than desired; scaled to zero only when the PRIMARY desires none too", () => {
    const p = primaryDone();
    expect(serviceState(running([p], { runningCount: 1 }))).toEqual({ kind: "degraded", primary: p, reason: "1 of 2 tasks running" });
    const short = primaryDone({ runningCount: 1 });
    expect(serviceState(running([short]))).toEqual({ kind: "degraded", primary: short, reason: "2 of 2 tasks running" });
    const zeroSvc = primaryDone({ desiredCount: 2, runningCount: 0 });
    expect(serviceState(svc([zeroSvc], { desiredCount: 0, runningCount: 0 })).kind).toBe("degraded");
  });
});

describe("what detected a failure, and whether ECS rolls it back", () => {
  const sd = (more: Partial<ServiceDeploymentInfo>): ServiceDeploymentInfo => ({
    arn: "arn:sd/1",
    status: "ROLLBACK_IN_PROGRESS",
    detailed: true,
    ...more,
  });
  const s = svc([dep("a", "PRIMARY", TD2)], { alarms: { enable: true, rollback: true, alarmNames: ["api-5xx", "latency"] } });

  it("alarms ECS reports as triggered, with or without their names", () => {
    expect(failureTrigger(s, undefined, sd({ alarmsStatus: "TRIGGERED" }))).toEqual({ by: "alarm" });
    expect(failureTrigger(s, undefined, sd({ alarmsStatus: "TRIGGERED", triggeredAlarmNames: [] }))).toEqual({ by: "alarm" });
    expect(failureTrigger(s, undefined, sd({ alarmsStatus: "MONITORING", triggeredAlarmNames: ["latency"] }))).toEqual({ by: "unknown" });
  });

  it("a circuit breaker ECS reports as triggered, or named in any reason (any case)", () => {
    expect(failureTrigger(s, undefined, sd({ circuitBreakerStatus: "TRIGGERED" }))).toEqual({ by: "circuit-breaker" });
    expect(failureTrigger(s, undefined, sd({ circuitBreakerStatus: "MONITORING" }))).toEqual({ by: "unknown" });
    expect(failureTrigger(s, dep("a", "PRIMARY", TD2, { rolloutStateReason: "ECS deployment Circuit Breaker: tasks failed" }))).toEqual({
      by: "circuit-breaker",
    });
    expect(failureTrigger(s, undefined, sd({ statusReason: "circuit breaker tripped" }))).toEqual({ by: "circuit-breaker" });
    expect(failureTrigger(s, undefined, sd({ rollback: { reason: "circuit breaker tripped" } }))).toEqual({ by: "circuit-breaker" });
  });

  it("an alarm named in a reason: only the service's alarms that appear in it", () => {
    expect(failureTrigger(s, undefined, sd({ statusReason: "CloudWatch ALARM latency fired" }))).toEqual({
      by: "alarm",
      alarms: ["latency"],
    });
    expect(failureTrigger(s, undefined, sd({ rollback: { reason: "an alarm fired" } }))).toEqual({ by: "alarm" });
    expect(failureTrigger(svc([dep("a", "PRIMARY", TD2)]), undefined, sd({ statusReason: "alarm fired" }))).toEqual({ by: "alarm" });
  });

  it("a stop: the service deployment STOPPED or STOP_REQUESTED, or a rollback because of a stop", () => {
    expect(failureTrigger(s, undefined, sd({ status: "STOPPED" }))).toEqual({ by: "stopped" });
    expect(failureTrigger(s, undefined, sd({ status: "STOP_REQUESTED" }))).toEqual({ by: "stopped" });
    expect(failureTrigger(s, undefined, sd({ rollback: { reason: "Service deployment STOPPED by user" } }))).toEqual({ by: "stopped" });
    expect(failureTrigger(s, undefined, sd({}))).toEqual({ by: "unknown" });
    expect(failureTrigger(undefined)).toEqual({ by: "unknown" });
  });

  it("ECS rolls back only what a mechanism with rollback detected; a stop never", () => {
    const both = svc([dep("a", "PRIMARY", TD2)], {
      circuitBreaker: { enable: true, rollback: true },
      alarms: { enable: true, rollback: true, alarmNames: [] },
    });
    expect(ecsRollsBack(both, { by: "stopped" })).toBe(false);
    expect(ecsRollsBack(both, { by: "circuit-breaker" })).toBe(true);
    const breakerOff = svc([dep("a", "PRIMARY", TD2)], { circuitBreaker: { enable: false, rollback: true } });
    expect(ecsRollsBack(breakerOff, { by: "circuit-breaker" })).toBe(false);
    expect(ecsRollsBack(breakerOff, { by: "unknown" })).toBe(false);
    const alarmsOff = svc([dep("a", "PRIMARY", TD2)], { alarms: { enable: false, rollback: true, alarmNames: ["x"] } });
    expect(ecsRollsBack(alarmsOff, { by: "alarm" })).toBe(false);
    const alarmsNoRollback = svc([dep("a", "PRIMARY", TD2)], { alarms: { enable: true, rollback: false, alarmNames: ["x"] } });
    expect(ecsRollsBack(alarmsNoRollback, { by: "alarm" })).toBe(false);
    expect(ecsRollsBack(alarmsNoRollback, { by: "unknown" })).toBe(false);
    const breakerOnly = svc([dep("a", "PRIMARY", TD2)], { circuitBreaker: { enable: true, rollback: true } });
    expect(ecsRollsBack(breakerOnly, { by: "unknown" })).toBe(true);
    expect(ecsRollsBack(breakerOnly, { by: "alarm" })).toBe(false);
    expect(ecsRollsBack(undefined, { by: "unknown" })).toBe(false);
  });

  it("each trigger's words", () => {
    expect(describeTrigger({ by: "circuit-breaker" })).toBe("circuit breaker");
    expect(describeTrigger({ by: "alarm" })).toBe("alarm");
    expect(describeTrigger({ by: "alarm", alarms: [] })).toBe("alarm");
    expect(describeTrigger({ by: "alarm", alarms: ["a", "b"] })).toBe("alarm a, b");
    expect(describeTrigger({ by: "stopped" })).toBe("stop request");
    expect(describeTrigger({ by: "unknown" })).toBe("failure detection");
  });

  it("a native deployment's outcome carries what detected its failure", () => {
    expect(assessServiceDeployment(s, sd({ status: "ROLLBACK_IN_PROGRESS", alarmsStatus: "TRIGGERED" }))).toMatchObject({
      state: "rolling-back",
      trigger: { by: "alarm" },
    });
    expect(assessServiceDeployment(s, sd({ status: "ROLLBACK_SUCCESSFUL", circuitBreakerStatus: "TRIGGERED" }))).toMatchObject({
      state: "rolled-back",
      trigger: { by: "circuit-breaker" },
    });
    expect(assessServiceDeployment(s, sd({ status: "ROLLBACK_FAILED", circuitBreakerStatus: "TRIGGERED" }))).toMatchObject({
      state: "rollback-failed",
      trigger: { by: "circuit-breaker" },
    });
    expect(assessServiceDeployment(s, sd({ status: "STOPPED" }))).toMatchObject({ state: "stopped", trigger: { by: "stopped" } });
    expect(assessServiceDeployment(s, sd({ status: "SOMETHING_NEW" }))).toEqual({
      state: "in-progress",
      sd: sd({ status: "SOMETHING_NEW" }),
    });
  });
});

describe("following the deployment deployer started", () => {
  it("without a deployment id: the PRIMARY deployment carrying our task definition, else the first carrying it", () => {
    const s = svc([
      dep("old", "ACTIVE", TD2, { rolloutState: "COMPLETED" }),
      dep("new", "PRIMARY", TD2, { rolloutState: "IN_PROGRESS" }),
      dep("other", "ACTIVE", TD1, { rolloutState: "COMPLETED" }),
    ]);
    expect(findDeployment(s, { taskDefinitionArn: TD2 })?.id).toBe("new");
    const drained = svc([dep("new", "PRIMARY", TD1, { rolloutState: "IN_PROGRESS" }), dep("a", "ACTIVE", TD2), dep("b", "ACTIVE", TD2)]);
    expect(findDeployment(drained, { taskDefinitionArn: TD2 })?.id).toBe("a");
    expect(findDeployment(drained, { taskDefinitionArn: "arn:aws:ecs:eu-west-1:111111111111:task-definition/x:9" })).toBeUndefined();
  });

  it("replaced: whether ECS would roll back is read from the service's configuration", () => {
    const gone = svc([dep("theirs", "PRIMARY", TD1)], { circuitBreaker: { enable: true, rollback: true } });
    expect(assessDeployment(gone, { id: "ours", taskDefinitionArn: TD2 })).toEqual({
      state: "replaced",
      primary: gone.deployments[0],
      ecsRollbackExpected: true,
    });
    const demoted = svc([dep("theirs", "PRIMARY", TD1), dep("ours", "ACTIVE", TD2, { rolloutState: "IN_PROGRESS" })]);
    expect(assessDeployment(demoted, { id: "ours", taskDefinitionArn: TD2 })).toEqual({
      state: "replaced",
      primary: demoted.deployments[0],
      ecsRollbackExpected: false,
    });
    const demotedWithRollback = { ...demoted, alarms: { enable: true, rollback: true, alarmNames: [] } };
    expect(assessDeployment(demotedWithRollback, { id: "ours", taskDefinitionArn: TD2 })).toMatchObject({ ecsRollbackExpected: true });
  });

  it("failed: no ECS rollback when ours is still the PRIMARY, and none expected when the mechanism does not roll back", () => {
    const ours = dep("ours", "PRIMARY", TD2, {
      rolloutState: "FAILED",
      rolloutStateReason: "ECS deployment circuit breaker: tasks failed",
    });
    const s = svc([ours], { circuitBreaker: { enable: true, rollback: false } });
    expect(assessDeployment(s, { id: "ours", taskDefinitionArn: TD2 })).toEqual({
      state: "failed",
      deployment: ours,
      reason: "ECS deployment circuit breaker: tasks failed",
      ecsRollback: undefined,
      ecsRollbackExpected: false,
      trigger: { by: "circuit-breaker" },
    });
  });

  it("a PRIMARY with rollout state IN_PROGRESS is in progress, whatever its counts", () => {
    const ours = dep("ours", "PRIMARY", TD2, { rolloutState: "IN_PROGRESS", runningCount: 2, pendingCount: 0 });
    expect(assessDeployment(svc([ours]), { id: "ours", taskDefinitionArn: TD2 })).toEqual({ state: "in-progress", deployment: ours });
  });

  it("without rollout state: completed carries our deployment", () => {
    const ours = dep("ours", "PRIMARY", TD2, { runningCount: 2, pendingCount: 0 });
    expect(assessDeployment(svc([ours]), { id: "ours", taskDefinitionArn: TD2 })).toEqual({ state: "completed", deployment: ours });
    const notAllRunning = dep("ours", "PRIMARY", TD2, { runningCount: 1, pendingCount: 0 });
    expect(assessDeployment(svc([notAllRunning]), { id: "ours", taskDefinitionArn: TD2 })).toEqual({
      state: "in-progress",
      deployment: notAllRunning,
    });
  });
});

describe("service helpers", () => {
  const base = svc([dep("a", "PRIMARY", TD2)]);
  it("the strategy: ROLLING unless the service says otherwise; native strategies are the others", () => {
    expect(strategyOf(undefined)).toBe("ROLLING");
    expect(strategyOf(base)).toBe("ROLLING");
    expect(strategyOf({ ...base, strategy: "CANARY" })).toBe("CANARY");
    expect(isNativeStrategy(base)).toBe(false);
    expect(isNativeStrategy({ ...base, strategy: "BLUE_GREEN" })).toBe(true);
  });

  it("settled states are stable, scaled-to-zero and degraded only", () => {
    const p = base.deployments[0]!;
    expect(isSettled({ kind: "stable", primary: p })).toBe(true);
    expect(isSettled({ kind: "scaled-to-zero", primary: p })).toBe(true);
    expect(isSettled({ kind: "degraded", reason: "x" })).toBe(true);
    expect(isSettled({ kind: "in-progress", reason: "x" })).toBe(false);
    expect(isSettled({ kind: "missing" })).toBe(false);
  });

  it("a service deployment's short id is the last part of its ARN", () => {
    expect(serviceDeploymentId("arn:aws:ecs:eu-west-1:111111111111:service-deployment/main/api/Abc")).toBe("Abc");
    expect(serviceDeploymentId("plain")).toBe("plain");
  });

  it("bake minutes: none for a rolling update; the bake time, plus each linear step's bake but the last, plus the canary's", () => {
    expect(bakeMinutesOf({ ...base, bakeTimeInMinutes: 15 })).toBe(0);
    expect(bakeMinutesOf({ ...base, strategy: "BLUE_GREEN", bakeTimeInMinutes: 15 })).toBe(15);
    expect(bakeMinutesOf({ ...base, strategy: "BLUE_GREEN" })).toBe(0);
    expect(
      bakeMinutesOf({ ...base, strategy: "LINEAR", bakeTimeInMinutes: 5, linear: { stepPercent: 25, stepBakeTimeInMinutes: 3 } }),
    ).toBe(5 + 3 * 3);
    expect(bakeMinutesOf({ ...base, strategy: "LINEAR", linear: { stepPercent: 30, stepBakeTimeInMinutes: 2 } })).toBe(3 * 2);
    expect(bakeMinutesOf({ ...base, strategy: "LINEAR" })).toBe(9 * 6);
    expect(bakeMinutesOf({ ...base, strategy: "CANARY", bakeTimeInMinutes: 2, canary: { canaryBakeTimeInMinutes: 7 } })).toBe(9);
    expect(bakeMinutesOf({ ...base, strategy: "CANARY" })).toBe(10);
  });
});
