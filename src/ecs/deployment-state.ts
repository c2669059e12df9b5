// The one model of a service's deployment state, read by rollout, rollback, resume, status and
// promote. Pure: a DescribeServices snapshot (and, where ECS has it, the current service deployment
// from the service-deployment API) in, a state out. No I/O here; the waiters poll and ask these
// functions what they see.
//
// Sources for what each ECS value means:
//   Deployment.rolloutState IN_PROGRESS / COMPLETED / FAILED, "only returned for services that use
//     the rolling update": https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_Deployment.html
//   Service deployment states (PENDING; ongoing IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED,
//     ROLLBACK_IN_PROGRESS; completed SUCCESSFUL, STOPPED, ROLLBACK_SUCCESSFUL, ROLLBACK_FAILED):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html
//   Failure detection (circuit breaker, CloudWatch alarms, each with optional rollback):
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-failure-detection.html
//     https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html
import type { LiveDeployment, LiveService, ServiceDeploymentInfo } from "../aws/ports.js";
import type { ErrorInfo } from "../errors.js";
import { taskDefinitionName } from "../config/aws-names.js";

/** What detected a failure. */
export interface FailureTrigger {
  by: "circuit-breaker" | "alarm" | "stopped" | "unknown";
  /** For `alarm`: the alarms that went into ALARM, when ECS says which. */
  alarms?: string[];
}

export type ServiceState =
  /** deployer could not read the service (credentials, throttling past retries, network): `error` says why. */
  | { kind: "unknown"; error: ErrorInfo }
  /** The service does not exist. */
  | { kind: "missing" }
  /** DRAINING or INACTIVE. */
  | { kind: "inactive"; status: string }
  /** A deployment is rolling out (ours or someone else's). */
  | { kind: "in-progress"; deployment?: LiveDeployment; serviceDeployment?: ServiceDeploymentInfo; reason: string }
  /** A deployment failed and ECS is rolling it back (circuit breaker or alarm with rollback, or a stop). */
  | {
      kind: "rolling-back";
      failed?: LiveDeployment;
      rollback?: LiveDeployment;
      serviceDeployment?: ServiceDeploymentInfo;
      trigger: FailureTrigger;
      reason: string;
    }
  /** The last deployment failed and nothing rolls it back: the PRIMARY is FAILED (or the service deployment STOPPED / ROLLBACK_FAILED). */
  | { kind: "failed"; deployment?: LiveDeployment; serviceDeployment?: ServiceDeploymentInfo; trigger: FailureTrigger; reason: string }
  /** Settled, desiredCount 0: nothing runs, so nothing is proven healthy. */
  | { kind: "scaled-to-zero"; primary: LiveDeployment; lastFailure?: LastFailure }
  /** Settled, every desired task running. */
  | { kind: "stable"; primary: LiveDeployment; lastFailure?: LastFailure }
  /** Settled, but not every desired task runs (or no PRIMARY deployment). */
  | { kind: "degraded"; primary?: LiveDeployment; reason: string; lastFailure?: LastFailure };

/** The last deployment failed and ECS rolled it back: the service is settled on the revision before. */
export interface LastFailure {
  reason: string;
  trigger: FailureTrigger;
  at?: string;
}

export type SettledState = Extract<ServiceState, { kind: "stable" | "scaled-to-zero" | "degraded" }>;

export const ONGOING_SERVICE_DEPLOYMENT = new Set([
  "PENDING",
  "IN_PROGRESS",
  "STOP_REQUESTED",
  "ROLLBACK_REQUESTED",
  "ROLLBACK_IN_PROGRESS",
]);

/** ROLLING unless the service says otherwise. */
export function strategyOf(service: LiveService | undefined): string {
  return service?.strategy ?? "ROLLING";
}

/** BLUE_GREEN, LINEAR and CANARY: followed through the service-deployment API, not rolloutState. */
export function isNativeStrategy(service: LiveService | undefined): boolean {
  return strategyOf(service) !== "ROLLING";
}

export function primaryDeployment(service: LiveService): LiveDeployment | undefined {
  return service.deployments.find((d) => d.status === "PRIMARY");
}

export function unknownState(error: ErrorInfo): ServiceState {
  return { kind: "unknown", error };
}

export function isSettled(s: ServiceState): s is SettledState {
  return s.kind === "stable" || s.kind === "scaled-to-zero" || s.kind === "degraded";
}

/** The short id of a service deployment ARN (its last path element). */
export function serviceDeploymentId(arn: string): string {
  return arn.slice(arn.lastIndexOf("/") + 1);
}

/** What detected the failure of `d` (or of the service deployment `sd`), from what ECS says. */
export function failureTrigger(service: LiveService | undefined, d?: LiveDeployment, sd?: ServiceDeploymentInfo): FailureTrigger {
  if (sd?.alarmsStatus === "TRIGGERED")
    return sd.triggeredAlarmNames?.length ? { by: "alarm", alarms: [...sd.triggeredAlarmNames] } : { by: "alarm" };
  if (sd?.circuitBreakerStatus === "TRIGGERED") return { by: "circuit-breaker" };
  const text = `${d?.rolloutStateReason ?? ""} ${sd?.statusReason ?? ""} ${sd?.rollback?.reason ?? ""}`;
  if (/circuit breaker/i.test(text)) return { by: "circuit-breaker" };
  if (/alarm/i.test(text)) {
    const named = (service?.alarms?.alarmNames ?? []).filter((n) => text.includes(n));
    return named.length ? { by: "alarm", alarms: named } : { by: "alarm" };
  }
  if (sd?.status === "STOPPED" || sd?.status === "STOP_REQUESTED" || /stop/i.test(sd?.rollback?.reason ?? "")) return { by: "stopped" };
  return { by: "unknown" };
}

/**
 * Whether ECS rolls a failure back by itself: the mechanism that detected it has `rollback`. When
 * deployer cannot tell which mechanism it was, either one configured with rollback counts (then
 * deployer waits for ECS rather than racing it).
 */
export function ecsRollsBack(service: LiveService | undefined, trigger: FailureTrigger): boolean {
  const breaker = service?.circuitBreaker?.enable === true && service.circuitBreaker.rollback === true;
  const alarms = service?.alarms?.enable === true && service.alarms.rollback === true;
  switch (trigger.by) {
    case "circuit-breaker":
      return breaker;
    case "alarm":
      return alarms;
    case "stopped":
      return false;
    case "unknown":
      return breaker || alarms;
  }
}

/** "circuit breaker", "alarm api-5xx", "a stop request". */
export function describeTrigger(t: FailureTrigger): string {
  switch (t.by) {
    case "circuit-breaker":
      return "circuit breaker";
    case "alarm":
      return t.alarms?.length ? `alarm ${t.alarms.join(", ")}` : "alarm";
    case "stopped":
      return "stop request";
    case "unknown":
      return "failure detection";
  }
}

/**
 * The state of a service. `current` is the service's current service deployment when it could be
 * read (DescribeServiceDeployments): for BLUE_GREEN / LINEAR / CANARY it is the only source of
 * progress; for the rolling update it adds what detected a failure.
 */
export function serviceState(service: LiveService | undefined, current?: ServiceDeploymentInfo): ServiceState {
  if (!service) return { kind: "missing" };
  if (service.status !== "ACTIVE") return { kind: "inactive", status: service.status };
  const primary = primaryDeployment(service);
  const sd = current && (!service.currentServiceDeployment || current.arn === service.currentServiceDeployment) ? current : undefined;

  if (sd) {
    const id = serviceDeploymentId(sd.arn);
    switch (sd.status) {
      case "PENDING":
      case "IN_PROGRESS":
      case "STOP_REQUESTED":
        return {
          kind: "in-progress",
          ...(primary ? { deployment: primary } : {}),
          serviceDeployment: sd,
          reason: `service deployment ${id} ${sd.status}${sd.lifecycleStage ? ` (${sd.lifecycleStage})` : ""}`,
        };
      case "ROLLBACK_REQUESTED":
      case "ROLLBACK_IN_PROGRESS": {
        const trigger = failureTrigger(service, undefined, sd);
        return {
          kind: "rolling-back",
          serviceDeployment: sd,
          trigger,
          reason: `service deployment ${id} ${sd.status} (${describeTrigger(trigger)})`,
        };
      }
      case "ROLLBACK_FAILED":
      case "STOPPED": {
        const trigger = failureTrigger(service, undefined, sd);
        return {
          kind: "failed",
          ...(primary ? { deployment: primary } : {}),
          serviceDeployment: sd,
          trigger,
          reason: `service deployment ${id} ${sd.status}${sd.statusReason ? `: ${sd.statusReason}` : ""}`,
        };
      }
      case "ROLLBACK_SUCCESSFUL":
        if (primary) {
          const trigger = failureTrigger(service, undefined, sd);
          return settled(service, primary, {
            reason: sd.statusReason ?? sd.rollback?.reason ?? `service deployment ${id} was rolled back`,
            trigger,
            ...(sd.finishedAt ? { at: sd.finishedAt } : {}),
          });
        }
        break;
      default:
        break;
    }
  }

  const rolling = service.deployments.filter((d) => d.rolloutState === "IN_PROGRESS");
  const failed = service.deployments.filter((d) => d.rolloutState === "FAILED");
  if (rolling.length > 0) {
    const ecsRollback = primary && primary.rolloutState === "IN_PROGRESS" ? failed.find((f) => f.id !== primary.id) : undefined;
    if (primary && ecsRollback) {
      const trigger = failureTrigger(service, ecsRollback, sd);
      return {
        kind: "rolling-back",
        failed: ecsRollback,
        rollback: primary,
        ...(sd ? { serviceDeployment: sd } : {}),
        trigger,
        reason: `deployment ${ecsRollback.id} (${taskDefinitionName(ecsRollback.taskDefinition)}) failed; ECS is rolling back to ${taskDefinitionName(primary.taskDefinition)}`,
      };
    }
    const d = rolling.find((x) => x.status === "PRIMARY") ?? rolling[0]!;
    const n = service.deployments.length;
    return {
      kind: "in-progress",
      deployment: d,
      ...(sd ? { serviceDeployment: sd } : {}),
      reason: `deployment ${d.id} (${taskDefinitionName(d.taskDefinition)}) in progress: ${d.runningCount}/${d.desiredCount} running${n > 1 ? `, ${n} deployments` : ""}`,
    };
  }
  if (primary?.rolloutState === "FAILED") {
    const trigger = failureTrigger(service, primary, sd);
    return {
      kind: "failed",
      deployment: primary,
      ...(sd ? { serviceDeployment: sd } : {}),
      trigger,
      reason: `deployment ${primary.id} (${taskDefinitionName(primary.taskDefinition)}) FAILED${primary.rolloutStateReason ? `: ${primary.rolloutStateReason}` : ""}`,
    };
  }
  if (!primary) return { kind: "degraded", reason: "the service has no PRIMARY deployment" };
  // Without rollout state (ECS-native strategies, Classic Load Balancer): more than one deployment
  // means one is still rolling out.
  if (service.deployments.length > 1) {
    return {
      kind: "in-progress",
      deployment: primary,
      ...(sd ? { serviceDeployment: sd } : {}),
      reason: `deployment ${primary.id} (${taskDefinitionName(primary.taskDefinition)}) in progress: ${primary.runningCount}/${primary.desiredCount} running, ${service.deployments.length} deployments`,
    };
  }
  if (primary.rolloutState !== undefined && primary.rolloutState !== "COMPLETED") {
    return { kind: "in-progress", deployment: primary, reason: `deployment ${primary.id} is ${primary.rolloutState}` };
  }
  const leftover = failed.find((f) => f.id !== primary.id);
  return settled(
    service,
    primary,
    leftover
      ? {
          reason: leftover.rolloutStateReason ?? `deployment ${leftover.id} FAILED`,
          trigger: failureTrigger(service, leftover, sd),
          ...(leftover.updatedAt ? { at: leftover.updatedAt } : {}),
        }
      : undefined,
  );
}

function settled(service: LiveService, primary: LiveDeployment, lastFailure: LastFailure | undefined): SettledState {
  const extra = lastFailure ? { lastFailure } : {};
  if (service.desiredCount === 0 && primary.desiredCount === 0) return { kind: "scaled-to-zero", primary, ...extra };
  if (service.runningCount !== service.desiredCount || primary.runningCount !== primary.desiredCount) {
    return { kind: "degraded", primary, reason: `${service.runningCount} of ${service.desiredCount} tasks running`, ...extra };
  }
  return { kind: "stable", primary, ...extra };
}

// ---------- the deployment deployer started (rolling update) ----------

/** Which deployment we are following. */
export interface DeploymentRef {
  /** The deployment id from UpdateService's response, when known. */
  id?: string;
  /** The task definition the deployment carries. */
  taskDefinitionArn: string;
}

export type DeploymentState =
  /** The service is gone or no longer ACTIVE. */
  | { state: "service-gone"; status?: string }
  /** Still rolling out. */
  | { state: "in-progress"; deployment: LiveDeployment }
  /** COMPLETED (or, for services without rollout state, the only deployment with running == desired). */
  | { state: "completed"; deployment: LiveDeployment }
  /**
   * FAILED (circuit breaker or alarms). `ecsRollback` is the deployment ECS started to roll back,
   * when one is there; `ecsRollbackExpected` says the mechanism that failed it rolls back.
   */
  | {
      state: "failed";
      deployment: LiveDeployment;
      reason?: string;
      ecsRollback?: LiveDeployment;
      ecsRollbackExpected: boolean;
      trigger: FailureTrigger;
    }
  /**
   * Our deployment is no longer the PRIMARY one (or no longer listed) and did not fail: another
   * deployment replaced it. `primary` is that deployment, if any.
   */
  | { state: "replaced"; primary?: LiveDeployment; ecsRollbackExpected: boolean };

export function findDeployment(service: LiveService, ref: DeploymentRef): LiveDeployment | undefined {
  if (ref.id !== undefined) return service.deployments.find((d) => d.id === ref.id);
  const carrying = service.deployments.filter((d) => d.taskDefinition === ref.taskDefinitionArn);
  return carrying.find((d) => d.status === "PRIMARY") ?? carrying[0];
}

export function assessDeployment(service: LiveService | undefined, ref: DeploymentRef): DeploymentState {
  if (!service || service.status !== "ACTIVE") return { state: "service-gone", status: service?.status };
  const anyRollback = ecsRollsBack(service, { by: "unknown" });
  const ours = findDeployment(service, ref);
  const primary = primaryDeployment(service);
  if (!ours) return { state: "replaced", primary, ecsRollbackExpected: anyRollback };

  if (ours.rolloutState === "COMPLETED") return { state: "completed", deployment: ours };
  if (ours.rolloutState === "FAILED") {
    const ecsRollback = primary && primary.id !== ours.id ? primary : undefined;
    const trigger = failureTrigger(service, ours);
    return {
      state: "failed",
      deployment: ours,
      reason: ours.rolloutStateReason,
      ecsRollback,
      ecsRollbackExpected: ecsRollsBack(service, trigger),
      trigger,
    };
  }
  if (ours.status !== "PRIMARY") return { state: "replaced", primary, ecsRollbackExpected: anyRollback };
  if (ours.rolloutState === undefined) {
    // Services without rollout state: stable when ours is the only deployment and fully running.
    const stable = service.deployments.length === 1 && ours.runningCount === ours.desiredCount && ours.pendingCount === 0;
    return stable ? { state: "completed", deployment: ours } : { state: "in-progress", deployment: ours };
  }
  return { state: "in-progress", deployment: ours };
}

// ---------- the service deployment deployer started (BLUE_GREEN / LINEAR / CANARY) ----------

export type ServiceDeploymentProgress =
  | { state: "in-progress"; sd: ServiceDeploymentInfo }
  | { state: "completed"; sd: ServiceDeploymentInfo }
  /** ECS is rolling it back (after a failure it detected, or a stop request). */
  | { state: "rolling-back"; sd: ServiceDeploymentInfo; trigger: FailureTrigger }
  | { state: "rolled-back"; sd: ServiceDeploymentInfo; trigger: FailureTrigger }
  | { state: "rollback-failed"; sd: ServiceDeploymentInfo; trigger: FailureTrigger }
  /** STOPPED: failed without rollback, or stopped by someone; nothing was rolled back. */
  | { state: "stopped"; sd: ServiceDeploymentInfo; trigger: FailureTrigger }
  /** ECS no longer knows it (or it was never returned). */
  | { state: "missing" };

export function assessServiceDeployment(
  service: LiveService | undefined,
  sd: ServiceDeploymentInfo | undefined,
): ServiceDeploymentProgress {
  if (!sd) return { state: "missing" };
  switch (sd.status) {
    case "SUCCESSFUL":
      return { state: "completed", sd };
    case "ROLLBACK_REQUESTED":
    case "ROLLBACK_IN_PROGRESS":
      return { state: "rolling-back", sd, trigger: failureTrigger(service, undefined, sd) };
    case "ROLLBACK_SUCCESSFUL":
      return { state: "rolled-back", sd, trigger: failureTrigger(service, undefined, sd) };
    case "ROLLBACK_FAILED":
      return { state: "rollback-failed", sd, trigger: failureTrigger(service, undefined, sd) };
    case "STOPPED":
      return { state: "stopped", sd, trigger: failureTrigger(service, undefined, sd) };
    default:
      // PENDING, IN_PROGRESS, STOP_REQUESTED, and any state added later: still going on.
      return { state: "in-progress", sd };
  }
}

/** Minutes a native deployment spends baking (bake time, and linear/canary step bakes), from the service's configuration. */
export function bakeMinutesOf(service: LiveService): number {
  if (!isNativeStrategy(service)) return 0;
  let minutes = service.bakeTimeInMinutes ?? 0;
  if (service.strategy === "LINEAR") {
    const step = service.linear?.stepPercent ?? 10;
    minutes += (Math.ceil(100 / step) - 1) * (service.linear?.stepBakeTimeInMinutes ?? 6);
  }
  if (service.strategy === "CANARY") minutes += service.canary?.canaryBakeTimeInMinutes ?? 10;
  return minutes;
}
