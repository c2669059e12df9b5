// Check `live-task-definition`: deployer could read what the service runs (the PRIMARY deployment's
// task definition, with its tags) and the latest ACTIVE revision of the desired family (to reuse a
// revision an interrupted run registered). Without them there is no diff, no rollback target and no
// idempotent re-run, so a failed read blocks the target.
import type { LiveService, LiveTaskDefinition } from "../aws/ports.js";
import type { CheckContext } from "./context.js";
import { targetError, verdict } from "./check-result.js";
import type { CheckResult } from "./check-result.js";

export const LIVE_TASK_DEFINITION_CHECK = { id: "live-task-definition", title: "live task definition readable" } as const;

export interface LiveState {
  service?: LiveService;
  liveTaskDefinition?: LiveTaskDefinition;
  latestRevision?: LiveTaskDefinition;
}

/** The task definition a service runs: its PRIMARY deployment's (the service's own field otherwise). */
export function primaryTaskDefinitionArn(service: LiveService): string {
  return service.deployments.find((d) => d.status === "PRIMARY")?.taskDefinition ?? service.taskDefinition;
}

/** What the plan needs about the live state, from the shared reads (errors are the check's business). */
export async function readLiveState(ctx: CheckContext): Promise<LiveState> {
  const out: LiveState = {};
  const [service, latest] = await Promise.all([ctx.reads.service(), ctx.reads.taskDefinition(ctx.desired.taskDefinition.family)]);
  if (latest.ok && latest.value) out.latestRevision = latest.value;
  if (!service.ok || !service.value) return out;
  out.service = service.value;
  const live = await ctx.reads.taskDefinition(primaryTaskDefinitionArn(service.value));
  if (live.ok && live.value) out.liveTaskDefinition = live.value;
  return out;
}

export async function checkLiveTaskDefinition(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...LIVE_TASK_DEFINITION_CHECK, target };
  const family = ctx.desired.taskDefinition.family;
  const [service, latest] = await Promise.all([ctx.reads.service(), ctx.reads.taskDefinition(family)]);
  if (!service.ok || !service.value) {
    return verdict(head, "skip", {
      message: `not run: the service ${target.cluster}/${target.service} could not be read (see the service check)`,
    });
  }
  const arn = primaryTaskDefinitionArn(service.value);
  const live = await ctx.reads.taskDefinition(arn);
  if (!live.ok) return verdict(head, "fail", { message: `could not read ${arn}: ${live.error.message}`, error: live.error });
  if (!live.value) {
    const error = targetError(target, {
      code: "AWS_ERROR",
      message: `the service runs ${arn}, which DescribeTaskDefinition does not find`,
      action: "ecs:DescribeTaskDefinition",
      resource: arn,
      hint: "The revision was deleted while the service still runs it; deploy with care: there is nothing to roll back to.",
    });
    return verdict(head, "fail", { message: error.message, error });
  }
  if (!latest.ok)
    return verdict(head, "fail", {
      message: `could not read the latest revision of ${family}: ${latest.error.message}`,
      error: latest.error,
    });
  return verdict(head, "pass", {
    message: `runs ${live.value.family}:${live.value.revision}${latest.value ? `; latest ACTIVE revision of ${family} is ${latest.value.revision}` : `; ${family} has no ACTIVE revision yet`}`,
    evidence: { live: live.value.arn, latest: latest.value?.arn ?? null, liveTags: live.value.tags },
  });
}
