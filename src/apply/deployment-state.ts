// Pure reading of a DescribeServices snapshot: where is *this* deployment (the one deployer started,
// identified by the id UpdateService returned, else by its task definition), and is the service
// settled? No I/O here; the waiters poll and ask these functions what they see.
import type { LiveDeployment, LiveService } from "../aws/ports.js";

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
   * FAILED (the circuit breaker tripped). `ecsRollback` is the deployment ECS started to roll back,
   * when one is there; `ecsRollbackExpected` says the breaker is configured to roll back.
   */
  | { state: "failed"; deployment: LiveDeployment; reason?: string; ecsRollback?: LiveDeployment; ecsRollbackExpected: boolean }
  /**
   * Our deployment is no longer the PRIMARY one (or no longer listed) and did not fail: another
   * deployment replaced it. `primary` is that deployment, if any.
   */
  | { state: "replaced"; primary?: LiveDeployment; ecsRollbackExpected: boolean };

export function primaryDeployment(service: LiveService): LiveDeployment | undefined {
  return service.deployments.find((d) => d.status === "PRIMARY");
}

export function findDeployment(service: LiveService, ref: DeploymentRef): LiveDeployment | undefined {
  if (ref.id !== undefined) return service.deployments.find((d) => d.id === ref.id);
  const carrying = service.deployments.filter((d) => d.taskDefinition === ref.taskDefinitionArn);
  return carrying.find((d) => d.status === "PRIMARY") ?? carrying[0];
}

export function assessDeployment(service: LiveService | undefined, ref: DeploymentRef): DeploymentState {
  if (!service || service.status !== "ACTIVE") return { state: "service-gone", status: service?.status };
  const ecsRollbackExpected = service.circuitBreaker?.enable === true && service.circuitBreaker.rollback === true;
  const ours = findDeployment(service, ref);
  const primary = primaryDeployment(service);
  if (!ours) return { state: "replaced", primary, ecsRollbackExpected };

  if (ours.rolloutState === "COMPLETED") return { state: "completed", deployment: ours };
  if (ours.rolloutState === "FAILED") {
    const ecsRollback = primary && primary.id !== ours.id ? primary : undefined;
    return { state: "failed", deployment: ours, reason: ours.rolloutStateReason, ecsRollback, ecsRollbackExpected };
  }
  if (ours.status !== "PRIMARY") return { state: "replaced", primary, ecsRollbackExpected };
  if (ours.rolloutState === undefined) {
    // Services without rollout state: stable when ours is the only deployment and fully running.
    const stable = service.deployments.length === 1 && ours.runningCount === ours.desiredCount && ours.pendingCount === 0;
    return stable ? { state: "completed", deployment: ours } : { state: "in-progress", deployment: ours };
  }
  return { state: "in-progress", deployment: ours };
}

export type Settlement =
  | { state: "settled"; primary: LiveDeployment }
  | { state: "failed"; primary: LiveDeployment; reason?: string }
  | { state: "in-progress"; primary?: LiveDeployment }
  | { state: "service-gone"; status?: string };

/**
 * Whether a service has no deployment in flight (used to wait for someone else's deployment): no
 * deployment IN_PROGRESS and the PRIMARY one COMPLETED, or — without rollout state — a single
 * deployment with running == desired. A PRIMARY that FAILED with nothing else in flight is "failed".
 */
export function serviceSettlement(service: LiveService | undefined): Settlement {
  if (!service || service.status !== "ACTIVE") return { state: "service-gone", status: service?.status };
  const primary = primaryDeployment(service);
  if (!primary) return { state: "in-progress" };
  if (service.deployments.some((d) => d.rolloutState === "IN_PROGRESS")) return { state: "in-progress", primary };
  if (primary.rolloutState === "COMPLETED") return { state: "settled", primary };
  if (primary.rolloutState === "FAILED") return { state: "failed", primary, reason: primary.rolloutStateReason };
  const stable = service.deployments.length === 1 && primary.runningCount === primary.desiredCount && primary.pendingCount === 0;
  return stable ? { state: "settled", primary } : { state: "in-progress", primary };
}

