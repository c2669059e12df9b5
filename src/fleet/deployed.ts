// What a target runs and how healthy it is, read from a DescribeServices snapshot and the task
// definition of its PRIMARY deployment. Pure functions: promotion, status and drift all ask these.
import type { LiveDeployment, LiveService, LiveTaskDefinition, ServiceDeploymentInfo, ServiceEvent } from "../aws/ports.js";
import { describeTrigger, serviceState } from "../ecs/deployment-state.js";
import { firstImageDigest } from "../plan/build.js";
import { taskDefinitionName, isImageDigest } from "../config/aws-names.js";

/** Tags deployer puts on the task definitions it registers (see src/ecs/tags.ts). */
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
  const tagDigest = tagValue && isImageDigest(tagValue) ? tagValue : undefined;
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
  /** The only deployment, PRIMARY, COMPLETED (or without rollout state), running == desired > 0. */
  | "stable"
  /** Settled with desiredCount 0: nothing runs, so nothing is proven healthy (never "stable", never a promotion source). */
  | "scaled-to-zero"
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
  const failed = events
    .slice(f)
    .find((e) => FAILED.test(e.message) && (Number.isNaN(at) || Math.abs(Date.parse(e.createdAt) - at) <= ROLLBACK_PAIRING_MS));
  return failed ?? failure;
}

/**
 * The health `deployer status` and `deployer promote` show, from the one deployment-state model
 * (src/ecs/deployment-state.ts) plus the service events (a failure ECS already rolled back).
 */
export function serviceHealth(service: LiveService, current?: ServiceDeploymentInfo): ServiceHealth {
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  const withPrimary = (h: Omit<ServiceHealth, "primary">): ServiceHealth => (primary ? { ...h, primary } : h);
  const state = serviceState(service, current);
  switch (state.kind) {
    case "unknown":
      return withPrimary({ state: "degraded", reason: `could not be read: ${state.error.message}` });
    case "missing":
      return { state: "degraded", reason: "the service does not exist" };
    case "inactive":
      return withPrimary({ state: "degraded", reason: `service is ${state.status}` });
    case "rolling-back": {
      const failed = state.failed;
      const reason = failed
        ? `deployment ${failed.id} (${taskDefinitionName(failed.taskDefinition)}) FAILED${failed.rolloutStateReason ? `: ${failed.rolloutStateReason}` : ""}${state.rollback ? `; ECS is rolling back to ${taskDefinitionName(state.rollback.taskDefinition)}` : ""}`
        : `${state.reason}; ECS is rolling back`;
      return withPrimary({
        state: "failed",
        reason,
        failure: { message: failed?.rolloutStateReason ?? state.reason, ...(failed?.updatedAt ? { at: failed.updatedAt } : {}) },
      });
    }
    case "failed": {
      const d = state.deployment;
      return withPrimary({
        state: "failed",
        reason: state.reason,
        failure: { message: d?.rolloutStateReason ?? state.reason, ...(d?.updatedAt ? { at: d.updatedAt } : {}) },
      });
    }
    case "in-progress":
      return withPrimary({ state: "in-progress", reason: state.reason });
    default:
      break;
  }
  // Settled. A failure ECS rolled back still counts: "failed" until a newer deployment succeeds.
  const failure = lastDeploymentFailure(service.events);
  if (failure) {
    const rolledBack = service.events.some((e) => ROLLING_BACK.test(e.message));
    return withPrimary({
      state: "failed",
      reason: `${stripServicePrefix(failure.message).replace(/\.$/, "")} (${failure.createdAt})${rolledBack && primary ? `; ECS rolled back to ${taskDefinitionName(primary.taskDefinition)}` : ""}`,
      failure: { message: failure.message, at: failure.createdAt },
    });
  }
  if (state.lastFailure) {
    return withPrimary({
      state: "failed",
      reason: `the last deployment failed (${describeTrigger(state.lastFailure.trigger)}): ${state.lastFailure.reason}; ECS rolled back`,
      failure: { message: state.lastFailure.reason, ...(state.lastFailure.at ? { at: state.lastFailure.at } : {}) },
    });
  }
  if (state.kind === "scaled-to-zero") {
    return withPrimary({
      state: "scaled-to-zero",
      reason: `desiredCount 0: no task runs ${taskDefinitionName(state.primary.taskDefinition)}`,
    });
  }
  if (state.kind === "degraded") return withPrimary({ state: "degraded", reason: state.reason });
  return withPrimary({
    state: "stable",
    reason: `${service.runningCount}/${service.desiredCount} running, deployment ${state.primary.id} ${state.primary.rolloutState ?? "stable"}`,
  });
}

function stripServicePrefix(message: string): string {
  return message.replace(/^\(service [^)]*\)\s*/, "");
}
