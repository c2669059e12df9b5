// When a target's deployment fails: wait for ECS's own rollback (circuit breaker, CloudWatch alarms
// with rollback), or roll back to the known-good revision with UpdateService (registering an
// identical copy of an INACTIVE one first), or — BLUE_GREEN / LINEAR / CANARY — stop the service
// deployment with a rollback (StopServiceDeployment ROLLBACK). Never to an unproven revision, never
// blind (the service is read first), never over someone else's deployment.
import type { LiveService, ServiceDeploymentInfo } from "../aws/ports.js";
import { toErrorInfo, type ErrorInfo } from "../errors.js";
import type { RollbackResult } from "./types.js";
import { awsError, callAws, CallAborted } from "./aws-call.js";
import {
  describeTrigger,
  isNativeStrategy,
  primaryDeployment,
  bakeMinutesOf,
  type DeploymentRef,
  type FailureTrigger,
  serviceDeploymentId,
} from "../ecs/deployment-state.js";
import { waitForDeployment, waitForEcsRollback, waitForServiceDeployment } from "./deployment-waiter.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { registeredInput } from "../ecs/registered-input.js";
import { copyTags } from "../ecs/tags.js";
import { deploymentFor, ECS_ROLLBACK_GRACE_MS, TargetEnded, type RolloutContext } from "./rollout-context.js";
import { formatSeconds, replacedError } from "./rollout-messages.js";

/** ECS rolls back by itself (circuit breaker or alarms with rollback): wait for its rollback deployment to complete. */
export async function failWithEcsRollback(
  ctx: RolloutContext,
  error: ErrorInfo,
  failedId: string | undefined,
  seconds: number,
  trigger: FailureTrigger,
): Promise<TargetEnded> {
  const to = ctx.rollbackTo?.taskDefinitionArn ?? ctx.previousTaskDefinitionArn;
  ctx.step("rollback", `waiting for ECS to roll back (${describeTrigger(trigger)})${to ? ` to ${taskDefinitionName(to)}` : ""}`);
  const obs = ctx.observe();
  obs.watch.restart();
  const now = ctx.deps.clock.now();
  const end = await waitForEcsRollback(obs, failedId, Math.min(now + ECS_ROLLBACK_GRACE_MS, now + seconds * 1000), now + seconds * 1000);
  if (end.kind === "aborted") {
    return new TargetEnded("failed", error, {
      by: "ecs",
      trigger,
      ...(to ? { toTaskDefinitionArn: to } : {}),
      ok: false,
      error: ctx.info({
        code: "INTERRUPTED",
        message: "interrupted while ECS was rolling back; the rollback continues in ECS",
        hint: `check it with \`deployer status --env ${ctx.name}\``,
      }),
    });
  }
  if (end.kind === "done" && end.value.state === "not-started") {
    ctx.emit({
      type: "warning",
      at: ctx.iso(),
      target: ctx.name,
      message: `ECS did not start a rollback within ${formatSeconds(ECS_ROLLBACK_GRACE_MS / 1000)}; deployer rolls back itself`,
    });
    return new TargetEnded("failed", error, await rollBack(ctx, seconds));
  }
  if (end.kind === "done" && end.value.state === "completed") {
    ctx.serviceUpdated = false;
    const back = end.value.deployment.taskDefinition;
    ctx.done("rollback", `ECS rolled back (${describeTrigger(trigger)}) to ${taskDefinitionName(back)}`);
    return new TargetEnded("failed", error, { by: "ecs", trigger, toTaskDefinitionArn: back, ok: true });
  }
  if (end.kind === "unreadable") {
    return new TargetEnded("failed", error, {
      by: "ecs",
      trigger,
      ...(to ? { toTaskDefinitionArn: to } : {}),
      ok: false,
      error: ctx.stateUnknownInfo(end.error, "while ECS rolled back"),
    });
  }
  const why =
    end.kind === "timeout"
      ? `ECS's rollback did not complete within ${formatSeconds(seconds)}`
      : end.value.state === "failed"
        ? `ECS's rollback deployment failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
        : "the service disappeared while ECS rolled back";
  return new TargetEnded("failed", error, {
    by: "ecs",
    trigger,
    ...(to ? { toTaskDefinitionArn: to } : {}),
    ok: false,
    error: ctx.info({
      code: "ROLLBACK_FAILED",
      message: why,
      action: "ecs:DescribeServices",
      resource: ctx.serviceResource,
      hint: `the service may be unhealthy: check \`deployer status --env ${ctx.name}\` and the service events${ctx.rollbackTo ? `; \`deployer rollback --env ${ctx.name} --to ${ctx.rollbackTo.taskDefinitionArn}\` puts the known-good revision back` : ""}`,
    }),
  });
}

/** Deployer rolls back: update the service to the known-good revision, and wait. */
export async function failAndRollBack(ctx: RolloutContext, error: ErrorInfo, seconds: number): Promise<TargetEnded> {
  ctx.emit({ type: "warning", at: ctx.iso(), target: ctx.name, message: error.message });
  const rollback = await rollBack(ctx, seconds);
  return new TargetEnded("failed", error, rollback);
}

/** BLUE_GREEN / LINEAR / CANARY: StopServiceDeployment (ROLLBACK) and wait for ECS to finish it. */
export async function failAndStop(ctx: RolloutContext, error: ErrorInfo, seconds: number): Promise<TargetEnded> {
  ctx.emit({ type: "warning", at: ctx.iso(), target: ctx.name, message: error.message });
  const sdArn = ctx.serviceDeploymentArn!;
  const ecs = ctx.deps.session.ecs;
  if (!ecs.stopServiceDeployment) {
    return new TargetEnded("failed", error, {
      by: "none",
      ok: false,
      error: ctx.info({
        code: "ROLLBACK_FAILED",
        message: "this endpoint has no StopServiceDeployment, so deployer could not roll back",
        hint: `check \`deployer status --env ${ctx.name}\``,
      }),
    });
  }
  ctx.step("rollback", `stopping service deployment ${serviceDeploymentId(sdArn)} with a rollback (StopServiceDeployment ROLLBACK)`);
  try {
    await callAws({ action: "ecs:StopServiceDeployment", resource: sdArn, target: ctx.name, account: ctx.account }, ctx.deps.signal, () =>
      ecs.stopServiceDeployment!(sdArn),
    );
  } catch (e) {
    if (e instanceof CallAborted) {
      ctx.unansweredCall = "ecs:StopServiceDeployment";
      return new TargetEnded("failed", error, {
        by: "deployer",
        via: "stop-service-deployment",
        ok: false,
        error: ctx.info({
          code: "INTERRUPTED",
          message: "interrupted while asking ECS to roll back",
          hint: `check it with \`deployer status --env ${ctx.name}\``,
        }),
      });
    }
    const info = toErrorInfo(awsError(e, { action: "ecs:StopServiceDeployment", resource: sdArn, target: ctx.name, account: ctx.account }));
    // ConflictException: it is no longer stoppable (it just finished): the wait below says how.
    if (info.awsCode !== "ConflictException") {
      return new TargetEnded("failed", error, {
        by: "deployer",
        via: "stop-service-deployment",
        ok: false,
        error: { ...info, code: "ROLLBACK_FAILED", message: `StopServiceDeployment failed: ${info.message}` },
      });
    }
  }
  const obs = ctx.observe();
  obs.watch.restart();
  const end = await waitForServiceDeployment(obs, ecs, sdArn, ctx.deps.clock.now() + seconds * 1000, { hookStages: ctx.hookStages });
  const stopResult = (ok: boolean, extra: Partial<RollbackResult> = {}): RollbackResult => ({
    by: "deployer",
    via: "stop-service-deployment",
    ok,
    ...extra,
  });
  if (end.kind === "aborted")
    return new TargetEnded(
      "failed",
      error,
      stopResult(false, {
        error: ctx.info({
          code: "INTERRUPTED",
          message: "interrupted while ECS rolled back; the rollback continues in ECS",
          hint: `check it with \`deployer status --env ${ctx.name}\``,
        }),
      }),
    );
  if (end.kind === "unreadable")
    return new TargetEnded("failed", error, stopResult(false, { error: ctx.stateUnknownInfo(end.error, "while ECS rolled back") }));
  if (end.kind === "timeout")
    return new TargetEnded(
      "failed",
      error,
      stopResult(false, {
        error: ctx.info({
          code: "ROLLBACK_FAILED",
          message: `the rollback did not finish within ${formatSeconds(seconds)}`,
          hint: `check \`deployer status --env ${ctx.name}\``,
        }),
      }),
    );
  const p = end.value;
  if (p.state === "rolled-back") {
    ctx.serviceUpdated = false;
    const to = await rollbackRevisionOf(ctx, p.sd);
    ctx.done(
      "rollback",
      `rolled back${to ? ` to ${taskDefinitionName(to)}` : ""} (service deployment ${serviceDeploymentId(sdArn)} ROLLBACK_SUCCESSFUL)`,
    );
    return new TargetEnded("failed", error, stopResult(true, to ? { toTaskDefinitionArn: to } : {}));
  }
  if (p.state === "completed") {
    // It finished between the timeout and the stop: nothing to roll back after all.
    ctx.done("wait-stable", `service deployment ${serviceDeploymentId(sdArn)} SUCCESSFUL after all`);
    throw new TargetEnded("deployed", undefined);
  }
  return new TargetEnded(
    "failed",
    error,
    stopResult(false, {
      error: ctx.info({
        code: "ROLLBACK_FAILED",
        message: `the rollback ended ${p.state === "missing" ? "unknown to ECS" : p.sd.status}`,
        hint: `the service may be unhealthy: check \`deployer status --env ${ctx.name}\``,
      }),
    }),
  );
}

/**
 * Put the known-good revision back with UpdateService and wait. Refuses (by "none") when no
 * revision is known to have run healthy, when the service cannot be read, or when someone
 * else's deployment replaced ours since.
 */
export async function rollBack(ctx: RolloutContext, seconds: number, reason?: string): Promise<RollbackResult> {
  const known = ctx.rollbackTo;
  if (!known) {
    return {
      by: "none",
      ok: false,
      error: ctx.info({
        code: "ROLLBACK_REFUSED",
        message: "no revision is known to have run healthy before this deployment, so deployer did not roll back",
        hint: `look at \`deployer status --env ${ctx.name}\`; put a revision you know is good back with \`deployer rollback --env ${ctx.name} --to FAMILY:REVISION\``,
      }),
    };
  }
  // Read the service again: never roll back blind, nor over someone else's deployment.
  let service: LiveService | undefined;
  try {
    service = await ctx.readService();
  } catch (e) {
    if (!(e instanceof TargetEnded)) throw e;
    const read = e.error;
    if (e.outcome !== "unknown" || !read) return { by: "none", ok: false, ...(read ? { error: read } : {}) };
    return {
      by: "none",
      ok: false,
      error: ctx.info({
        ...read,
        code: "STATE_UNKNOWN",
        message: `the service could not be read before rolling back, so deployer did not roll back: ${read.message}`,
        hint: `${read.hint ? `${read.hint.replace(/\.?$/, "")}; then ` : ""}look with \`deployer status --env ${ctx.name}\``,
      }),
    };
  }
  const primary = service ? primaryDeployment(service) : undefined;
  const ours = ctx.taskDefinitionArn;
  if (
    primary &&
    ours &&
    primary.taskDefinition !== ours &&
    primary.id !== ctx.deploymentId &&
    primary.taskDefinition !== known.taskDefinitionArn
  ) {
    return {
      by: "none",
      ok: false,
      error: ctx.info({
        ...replacedError(ctx, `${primary.id}, ${taskDefinitionName(primary.taskDefinition)}`),
        code: "DEPLOYMENT_IN_PROGRESS",
      }),
    };
  }

  let to = known.taskDefinitionArn;
  ctx.step("rollback", `rolling back to ${taskDefinitionName(to)}${reason ? ` (${reason})` : ""}: ${known.evidence}`);
  if (known.status === "INACTIVE") {
    const copy = await registerCopy(ctx, to);
    if ("error" in copy) return { by: "deployer", via: "update-service", toTaskDefinitionArn: to, ok: false, error: copy.error };
    to = copy.arn;
  }
  let updated: LiveService;
  try {
    updated = await ctx.call({ action: "ecs:UpdateService", resource: ctx.serviceResource }, () =>
      ctx.deps.session.ecs.updateService(ctx.cluster, ctx.service, to),
    );
  } catch (e) {
    if (e instanceof TargetEnded) {
      const cause = e.error;
      // Deregistered since the plan: ECS refuses INACTIVE revisions; deploy an identical copy.
      if (cause && /inactive/i.test(`${cause.awsMessage ?? ""} ${cause.message}`) && known.status !== "INACTIVE") {
        ctx.rollbackTo = { ...known, status: "INACTIVE" };
        return rollBack(ctx, seconds, reason);
      }
      const error: ErrorInfo | undefined =
        cause?.code === "INTERRUPTED"
          ? cause
          : cause && {
              ...cause,
              code: "ROLLBACK_FAILED",
              message: `rollback to ${taskDefinitionName(to)} failed: ${cause.message}`,
              hint: cause.hint ?? `check \`deployer status --env ${ctx.name}\`, then \`deployer rollback --env ${ctx.name}\``,
            };
      return { by: "deployer", via: "update-service", toTaskDefinitionArn: to, ok: false, ...(error ? { error } : {}) };
    }
    throw e;
  }
  const obs = ctx.observe();
  obs.watch.restart();
  const result = (ok: boolean, error?: ErrorInfo): RollbackResult => ({
    by: "deployer",
    via: "update-service",
    toTaskDefinitionArn: to,
    ok,
    ...(error ? { error } : {}),
  });
  if (isNativeStrategy(updated) && updated.currentServiceDeployment && ctx.deps.session.ecs.describeServiceDeployments) {
    const end = await waitForServiceDeployment(
      obs,
      ctx.deps.session.ecs,
      updated.currentServiceDeployment,
      ctx.deps.clock.now() + seconds * 1000,
      { hookStages: updated.lifecycleHookStages ?? [], bakeMs: bakeMinutesOf(updated) * 60_000 },
    );
    if (end.kind === "done" && end.value.state === "completed") {
      ctx.serviceUpdated = false;
      ctx.done("rollback", `rolled back to ${taskDefinitionName(to)}`);
      return result(true);
    }
    if (end.kind === "aborted")
      return result(
        false,
        ctx.info({
          code: "INTERRUPTED",
          message: `interrupted while rolling back to ${taskDefinitionName(to)}; the rollback deployment continues in ECS`,
          hint: `check it with \`deployer status --env ${ctx.name}\``,
        }),
      );
    if (end.kind === "unreadable") return result(false, ctx.stateUnknownInfo(end.error, "during the rollback"));
    return result(
      false,
      ctx.info({
        code: "ROLLBACK_FAILED",
        message:
          end.kind === "timeout"
            ? `the rollback to ${taskDefinitionName(to)} did not finish within ${formatSeconds(seconds)}`
            : `the rollback deployment to ${taskDefinitionName(to)} ended ${end.value.state === "missing" ? "unknown to ECS" : end.value.sd.status}`,
        hint: `the service may be unhealthy: check \`deployer status --env ${ctx.name}\``,
      }),
    );
  }
  const ref: DeploymentRef = { id: deploymentFor(updated, to).id, taskDefinitionArn: to };
  const end = await waitForDeployment(obs, ref, ctx.deps.clock.now() + seconds * 1000);
  if (end.kind === "done" && end.value.state === "completed") {
    ctx.serviceUpdated = false;
    ctx.done("rollback", `rolled back to ${taskDefinitionName(to)}`);
    return result(true);
  }
  if (end.kind === "aborted") {
    ctx.serviceUpdated = false;
    return result(
      false,
      ctx.info({
        code: "INTERRUPTED",
        message: `interrupted while rolling back to ${taskDefinitionName(to)}; the rollback deployment continues in ECS`,
        hint: `check it with \`deployer status --env ${ctx.name}\``,
      }),
    );
  }
  if (end.kind === "unreadable") return result(false, ctx.stateUnknownInfo(end.error, "during the rollback"));
  const why =
    end.kind === "timeout"
      ? `the rollback to ${taskDefinitionName(to)} did not become stable within ${formatSeconds(seconds)}`
      : end.value.state === "failed"
        ? `the rollback deployment to ${taskDefinitionName(to)} failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
        : end.value.state === "replaced"
          ? "another deployment replaced the rollback deployment"
          : "the service disappeared during the rollback";
  return result(
    false,
    ctx.info({
      code: "ROLLBACK_FAILED",
      message: why,
      action: "ecs:UpdateService",
      resource: ctx.serviceResource,
      hint: `the service may be unhealthy: check \`deployer status --env ${ctx.name}\` and the service events`,
    }),
  );
}

/** ECS refuses UpdateService to an INACTIVE revision: register an identical copy of it (same definition, its deployer tags, `deployer:copy-of`). */
export async function registerCopy(ctx: RolloutContext, arn: string): Promise<{ arn: string } | { error: ErrorInfo }> {
  ctx.step("rollback", `${taskDefinitionName(arn)} is INACTIVE (deregistered): registering an identical copy to roll back to`);
  try {
    const original = await ctx.call({ action: "ecs:DescribeTaskDefinition", resource: arn }, () =>
      ctx.deps.session.ecs.describeTaskDefinition(arn),
    );
    if (!original)
      return {
        error: ctx.info({
          code: "ROLLBACK_FAILED",
          message: `${taskDefinitionName(arn)} no longer exists, so deployer could not roll back to it`,
          hint: `put a revision back with \`deployer rollback --env ${ctx.name} --to FAMILY:REVISION\``,
        }),
      };
    const copy = await ctx.call({ action: "ecs:RegisterTaskDefinition", resource: original.family }, () =>
      ctx.deps.session.ecs.registerTaskDefinition(registeredInput(original), copyTags(original)),
    );
    ctx.done("rollback", `registered ${taskDefinitionName(copy.arn)}, an identical copy of ${taskDefinitionName(arn)}`);
    return { arn: copy.arn };
  } catch (e) {
    if (!(e instanceof TargetEnded)) throw e;
    const cause = e.error;
    return {
      error: cause
        ? {
            ...cause,
            code: cause.code === "INTERRUPTED" ? "INTERRUPTED" : "ROLLBACK_FAILED",
            message: `could not register a copy of ${taskDefinitionName(arn)} to roll back to: ${cause.message}`,
          }
        : ctx.info({ code: "ROLLBACK_FAILED", message: `could not register a copy of ${taskDefinitionName(arn)}` }),
    };
  }
}

/** The task definition a service deployment rolled back to (best effort: for the report). */
export async function rollbackRevisionOf(ctx: RolloutContext, sd: ServiceDeploymentInfo): Promise<string | undefined> {
  const rev = sd.rollback?.serviceRevisionArn ?? sd.sourceRevisionArns?.[0];
  const ecs = ctx.deps.session.ecs;
  if (!rev || !ecs.describeServiceRevisions) return ctx.previousTaskDefinitionArn;
  try {
    return (await ecs.describeServiceRevisions([rev]))[0]?.taskDefinition ?? ctx.previousTaskDefinitionArn;
  } catch {
    return ctx.previousTaskDefinitionArn;
  }
}
