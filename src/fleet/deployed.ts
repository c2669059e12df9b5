// What a target runs and how healthy it is, read from a DescribeServices snapshot and the task
// definition of its PRIMARY deployment. Pure functions: promotion, status and drift all ask these.
import type { LiveDeployment, LiveService, LiveTaskDefinition, ServiceEvent } from "../aws/ports.js";
import { firstImageDigest } from "../plan/build.js";
import { taskDefinitionName } from "../config/aws-names.js";

/** Tags deployer puts on the task definitions it registers (see src/plan/tags.ts). */
export const TAG = {
  imageDigest: "deployer:image-digest",
  imageTag: "deployer:image-tag",
  gitSha: "deployer:git-sha",
  runId: "deployer:run-id",
  by: "deployer:by",
  promotedFrom: "deployer:promoted-from",
  sourceStage: "deployer:source-stage",
  sourceTaskDefinition: "deployer:source-task-definition",
} as const;

export interface DeployedImage {
  /** The first container's image, as the task definition has it. */
  ref?: string;
  /**
   * The digest that runs: the image's `@sha256:` when pinned, else the `deployer:image-digest` tag.
   * Undefined when neither says (an image by tag registered by hand).
   */
  digest?: string;
  /** The `@sha256:` of the image reference, when pinned. */
  imageDigest?: string;
  /** The `deployer:image-digest` tag, when set. */
  tagDigest?: string;
  /** Image reference and tag disagree: the definition was not registered by deployer as tagged. */
  conflict: boolean;
  /** `deployer:image-tag` (the tag asked for, usually the git sha). */
  imageTag?: string;
  gitSha?: string;
}

export function deployedImage(td: LiveTaskDefinition): DeployedImage {
  const containers = Array.isArray(td.raw.containerDefinitions) ? (td.raw.containerDefinitions as Array<{ image?: unknown }>) : [];
  const ref = typeof containers[0]?.image === "string" ? containers[0].image : undefined;
  const imageDigest = firstImageDigest(td.raw);
  const tagValue = td.tags[TAG.imageDigest];
  const tagDigest = tagValue && /^sha256:[0-9a-f]{64}$/.test(tagValue) ? tagValue : undefined;
  const out: DeployedImage = { conflict: imageDigest !== undefined && tagDigest !== undefined && imageDigest !== tagDigest };
  if (ref !== undefined) out.ref = ref;
  const digest = imageDigest ?? tagDigest;
  if (digest !== undefined) out.digest = digest;
  if (imageDigest !== undefined) out.imageDigest = imageDigest;
  if (tagDigest !== undefined) out.tagDigest = tagDigest;
  if (td.tags[TAG.imageTag]) out.imageTag = td.tags[TAG.imageTag];
  if (td.tags[TAG.gitSha]) out.gitSha = td.tags[TAG.gitSha];
  return out;
}

export type HealthState =
  /** The only deployment, PRIMARY, COMPLETED (or without rollout state), running == desired. */
  | "stable"
  /** A deployment is rolling out (several deployments, or one IN_PROGRESS). */
  | "in-progress"
  /** The last deployment failed (FAILED rollout state, or a circuit-breaker failure/rollback in the events). */
  | "failed"
  /** Settled, but not all desired tasks run (or the service is not ACTIVE). */
  | "degraded";

export interface ServiceHealth {
  state: HealthState;
  /** One line a human reads: "deployment ecs-svc/1 IN_PROGRESS (1/2 running)". */
  reason: string;
  primary?: LiveDeployment;
  /** The event (or deployment) that shows the last deployment failed. */
  failure?: { message: string; at?: string };
}

const COMPLETED = /deployment completed/i;
const FAILED = /deployment failed|circuit breaker/i;
const ROLLING_BACK = /rolling back/i;
/** A rollback announcement further than this from the failure belongs to another failure. */
const ROLLBACK_PAIRING_MS = 5 * 60_000;

/**
 * The failure event of the service's last deployment, when its last deployment failed, judging by
 * the service events (newest first, as ECS returns them; the last 100 only).
 *
 * Rule: take the newest failure event ("deployment failed", "circuit breaker", "rolling back"). If
 * ECS rolled back (a "rolling back" event next to it), the first "deployment completed" after it is
 * the rollback's own, so the failure still stands until a second completion; without a rollback, any
 * later completion means a newer deployment succeeded. A rollback deployer did itself (UpdateService
 * back to the old revision) looks like a newer successful deployment here: deployments that still
 * list a FAILED rollout state are caught by serviceHealth() instead.
 */
export function lastDeploymentFailure(events: readonly ServiceEvent[]): ServiceEvent | undefined {
  const f = events.findIndex((e) => FAILED.test(e.message) || ROLLING_BACK.test(e.message));
  if (f < 0) return undefined;
  const failure = events[f]!;
  const at = Date.parse(failure.createdAt);
  const rolledBack = events.some(
    (e) => ROLLING_BACK.test(e.message) && (Number.isNaN(at) || Math.abs(Date.parse(e.createdAt) - at) <= ROLLBACK_PAIRING_MS),
  );
  // Completions newer than the failure. Events sharing the failure's timestamp are not "after" it.
  const completions = events.slice(0, f).filter((e) => COMPLETED.test(e.message) && !(Date.parse(e.createdAt) <= at)).length;
  if (completions > (rolledBack ? 1 : 0)) return undefined;
  // Report the "deployment failed" event itself rather than the rollback announcement next to it.
  const failed = events.slice(f).find((e) => FAILED.test(e.message) && (Number.isNaN(at) || Math.abs(Date.parse(e.createdAt) - at) <= ROLLBACK_PAIRING_MS));
  return failed ?? failure;
}

export function serviceHealth(service: LiveService): ServiceHealth {
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  const withPrimary = (h: Omit<ServiceHealth, "primary">): ServiceHealth => (primary ? { ...h, primary } : h);
  if (service.status !== "ACTIVE") return withPrimary({ state: "degraded", reason: `service is ${service.status}` });

  const failedDeployment = service.deployments.find((d) => d.rolloutState === "FAILED");
  if (failedDeployment) {
    const rollingBack = primary && primary.id !== failedDeployment.id ? `; ECS is rolling back to ${taskDefinitionName(primary.taskDefinition)}` : "";
    return withPrimary({
      state: "failed",
      reason: `deployment ${failedDeployment.id} (${taskDefinitionName(failedDeployment.taskDefinition)}) FAILED${failedDeployment.rolloutStateReason ? `: ${failedDeployment.rolloutStateReason}` : ""}${rollingBack}`,
      failure: { message: failedDeployment.rolloutStateReason ?? "rollout state FAILED", ...(failedDeployment.updatedAt ? { at: failedDeployment.updatedAt } : {}) },
    });
  }

  const inProgress = service.deployments.find((d) => d.rolloutState === "IN_PROGRESS") ?? (service.deployments.length > 1 ? primary : undefined);
  if (inProgress || service.deployments.length > 1) {
    const d = inProgress ?? primary!;
    return withPrimary({
      state: "in-progress",
      reason: `deployment ${d.id} (${taskDefinitionName(d.taskDefinition)}) in progress: ${d.runningCount}/${d.desiredCount} running${service.deployments.length > 1 ? `, ${service.deployments.length} deployments` : ""}`,
    });
  }

  const failure = lastDeploymentFailure(service.events);
  if (failure) {
    const rolledBack = service.events.some((e) => ROLLING_BACK.test(e.message));
    return withPrimary({
      state: "failed",
      reason: `${stripServicePrefix(failure.message).replace(/\.$/, "")} (${failure.createdAt})${rolledBack && primary ? `; ECS rolled back to ${taskDefinitionName(primary.taskDefinition)}` : ""}`,
      failure: { message: failure.message, at: failure.createdAt },
    });
  }

  if (!primary) return { state: "degraded", reason: "the service has no PRIMARY deployment" };
  if (primary.rolloutState !== undefined && primary.rolloutState !== "COMPLETED") {
    return withPrimary({ state: "in-progress", reason: `deployment ${primary.id} is ${primary.rolloutState}` });
  }
  if (service.runningCount !== service.desiredCount || primary.runningCount !== primary.desiredCount) {
    return withPrimary({ state: "degraded", reason: `${service.runningCount} of ${service.desiredCount} tasks running` });
  }
  return withPrimary({ state: "stable", reason: `${service.runningCount}/${service.desiredCount} running, deployment ${primary.id} COMPLETED` });
}

function stripServicePrefix(message: string): string {
  return message.replace(/^\(service [^)]*\)\s*/, "");
}
