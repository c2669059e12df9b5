// The words of a target's rollout: the errors it ends with (failed, replaced, gone), how far it got
// when interrupted, the one-line result of each target, durations. Pure: they read what the rollout
// knows (RolloutFacts), never AWS.
import type { ErrorInfo } from "../errors.js";
import type { FailureTrigger } from "../ecs/deployment-state.js";
import { describeTrigger } from "../ecs/deployment-state.js";
import { taskDefinitionName } from "../config/aws-names.js";
import type { TargetResult } from "./types.js";
import { errorMessage } from "../errors.js";

/** What a target's rollout knows about itself, as the messages need it. */
export interface RolloutFacts {
  name: string;
  account: string;
  service: string;
  serviceResource: string;
  /** The steps done, in order. */
  completed: readonly string[];
  taskDefinitionArn?: string;
  deploymentId?: string;
  serviceUpdated: boolean;
  unansweredCall?: string;
}

export function failedError(f: RolloutFacts, message: string, reason: string | undefined, trigger: FailureTrigger): ErrorInfo {
  const hint =
    trigger.by === "alarm"
      ? `the CloudWatch deployment alarm${trigger.alarms && trigger.alarms.length === 1 ? "" : "s"}${trigger.alarms?.length ? ` ${trigger.alarms.join(", ")}` : ""} went into ALARM: look at the alarm's metric for the new revision`
      : trigger.by === "stopped"
        ? "the deployment was stopped: look at the service events"
        : "the deployment circuit breaker stopped it: look at the service events and the stopped tasks' reasons (container exit, failing health check, image pull)";
  return {
    code: "DEPLOYMENT_FAILED",
    message,
    ...where(f, "ecs:UpdateService"),
    ...(reason ? { awsCode: "FAILED", awsMessage: reason } : {}),
    hint,
  };
}
export function replacedError(f: RolloutFacts, what: string | undefined): ErrorInfo {
  return {
    code: "DEPLOYMENT_FAILED",
    message: `another deployment${what ? ` (${what})` : ""} replaced ours on ${f.service} before it finished`,
    ...where(f, "ecs:DescribeServices"),
    hint: "someone else deployed this service during the run; deployer did not roll back over their deployment. Check `deployer status` and run again",
  };
}
export function serviceGone(f: RolloutFacts, status: string | undefined): ErrorInfo {
  return {
    code: status ? "SERVICE_INACTIVE" : "SERVICE_NOT_FOUND",
    message: status
      ? `service ${f.service} became ${status} during the deployment`
      : `service ${f.service} disappeared during the deployment`,
    ...where(f, "ecs:DescribeServices"),
    hint: "someone deleted or deactivated the service while deployer was running; nothing can be rolled back",
  };
}
/** How far the target got, in words: what is done and what may still be going on in AWS. */
export function howFar(f: RolloutFacts): string {
  const parts: string[] = [];
  if (f.completed.includes("wait-foreign-deployment")) parts.push("earlier deployment finished");
  if (f.completed.includes("register-task-definition") && f.taskDefinitionArn)
    parts.push(`task definition ${taskDefinitionName(f.taskDefinitionArn)} registered`);
  if (f.completed.includes("reuse-task-definition") && f.taskDefinitionArn)
    parts.push(`task definition ${taskDefinitionName(f.taskDefinitionArn)} reused`);
  if (f.completed.includes("update-service")) parts.push("service updated");
  if (f.unansweredCall === "ecs:RegisterTaskDefinition")
    parts.push("RegisterTaskDefinition was sent but not answered (a revision may have been registered)");
  else if (f.unansweredCall === "ecs:UpdateService") parts.push("UpdateService was sent but not answered (the service may be deploying)");
  else if (f.unansweredCall === "ecs:StopServiceDeployment")
    parts.push("StopServiceDeployment was sent but not answered (ECS may be rolling back)");
  else if (f.serviceUpdated && !f.completed.includes("wait-stable"))
    parts.push(`deployment${f.deploymentId ? ` ${f.deploymentId}` : ""} still running in ECS`);
  if (parts.length === 0) parts.push("nothing was changed");
  return parts.join(", ");
}
export function interruptHint(f: RolloutFacts): string {
  if (f.serviceUpdated || f.unansweredCall) {
    return `check it with \`deployer status --env ${f.name}\`; running the same command again converges (an identical registered revision is reused)`;
  }
  if (f.completed.includes("register-task-definition")) return "running the same command again reuses the registered revision";
  return "nothing was changed for this target";
}
export function where(f: RolloutFacts, action: string, resource?: string): Pick<ErrorInfo, "target" | "account" | "action" | "resource"> {
  return { target: f.name, account: f.account, action, resource: resource ?? f.serviceResource };
}

export function doneMessage(r: TargetResult): string {
  const td = r.taskDefinitionArn ? taskDefinitionName(r.taskDefinitionArn) : undefined;
  switch (r.outcome) {
    case "deployed":
      return `deployed ${td ?? ""}`.trim();
    case "rolled-back":
      return `rolled back to ${r.rollback?.toTaskDefinitionArn ? taskDefinitionName(r.rollback.toTaskDefinitionArn) : "the previous revision"}`;
    case "failed": {
      const rb = r.rollback;
      const rollback = !rb
        ? ""
        : rb.by === "none"
          ? `; not rolled back${rb.error?.code === "ROLLBACK_REFUSED" ? " (no known-good revision)" : ""}`
          : `; ${rb.ok ? "rolled back" : "rollback FAILED"} by ${rb.by}${rb.by === "ecs" && rb.trigger ? ` (${describeTrigger(rb.trigger)})` : rb.via === "stop-service-deployment" ? " (StopServiceDeployment)" : ""}${rb.toTaskDefinitionArn ? ` to ${taskDefinitionName(rb.toTaskDefinitionArn)}` : ""}`;
      return `${(r.error?.message ?? "failed").replace(/\.$/, "")}${rollback}`;
    }
    case "unknown":
      return `state unknown: could not read ${r.target.service}${r.error ? ` (${r.error.message.replace(/\.$/, "")})` : ""}; nothing more was written to it — look with \`deployer status --env ${r.target.name}\``;
    case "interrupted":
      return r.error?.message ?? "interrupted";
    case "unchanged":
      return "unchanged";
    case "not-started":
      return r.error?.message ?? "not started";
  }
}

export function internalError(e: unknown, target: string, account: string): ErrorInfo {
  return {
    code: "INTERNAL",
    message: errorMessage(e),
    target,
    account,
    hint: "This is a bug in deployer; please report it with the command you ran.",
  };
}

export function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  if (seconds > 60) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${seconds}s`;
}
