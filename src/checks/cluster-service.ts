// Check `service`: the cluster and the service exist and are ACTIVE, the service uses the ECS
// deployment controller (CODE_DEPLOY and EXTERNAL services are refused for now), and nobody else's
// deployment is still rolling out (fail, or warn with --wait-for-in-progress).
import type { LiveDeployment, LiveService } from "../aws/ports.js";
import type { CheckResult } from "../plan/types.js";
import { sameTaskDefinition } from "../plan/fingerprint.js";
import type { CheckContext } from "./context.js";
import { locationOf, targetError, verdict, whereWritten } from "./check-result.js";

export const SERVICE_CHECK = { id: "service", title: "cluster and service exist, ACTIVE, with the ECS deployment controller" } as const;

/** A deployment still rolling out: rolloutState IN_PROGRESS, or (services without rollout state) more than one deployment. */
export function inProgressDeployment(service: LiveService): LiveDeployment | undefined {
  const rolling = service.deployments.filter((d) => d.rolloutState === "IN_PROGRESS");
  if (rolling.length > 0) return rolling.find((d) => d.status === "PRIMARY") ?? rolling[0];
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  if (primary && primary.rolloutState === undefined && service.deployments.length > 1) return primary;
  return undefined;
}

export async function checkClusterAndService(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...SERVICE_CHECK, target };
  const name = `${target.cluster}/${target.service}`;

  const cluster = await ctx.reads.cluster();
  if (!cluster.ok) return verdict(head, "fail", { message: `could not read cluster ${target.cluster}: ${cluster.error.message}`, error: cluster.error });
  if (!cluster.value || cluster.value.status !== "ACTIVE") {
    const status = cluster.value?.status;
    const error = targetError(target, {
      code: "CLUSTER_NOT_FOUND",
      message: status ? `cluster ${target.cluster} is ${status}, not ACTIVE` : `cluster ${target.cluster} does not exist in ${target.account}/${target.region}`,
      action: "ecs:DescribeClusters",
      resource: target.cluster,
      ...locationOf(target, "cluster"),
      hint: `Check \`cluster\` in ${whereWritten(target, "cluster")}, and the account and region of the target (${target.account}, ${target.region}).`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { cluster: target.cluster, status: status ?? "MISSING" } });
  }

  const read = await ctx.reads.service();
  if (!read.ok) return verdict(head, "fail", { message: `could not read service ${name}: ${read.error.message}`, error: read.error });
  const service = read.value;
  if (!service || service.status !== "ACTIVE") {
    const status = service?.status;
    const error = targetError(target, {
      code: service ? "SERVICE_INACTIVE" : "SERVICE_NOT_FOUND",
      message: service ? `service ${name} is ${status}, not ACTIVE` : `service ${target.service} does not exist in cluster ${target.cluster}`,
      action: "ecs:DescribeServices",
      resource: service?.arn ?? name,
      ...locationOf(target, "service"),
      hint: service
        ? `The service is being deleted (${status}). deployer updates existing services only: recreate it (with your infrastructure code) first.`
        : `deployer updates existing services only: create ${target.service} in ${target.cluster} first (with your infrastructure code), or fix \`service\` in ${whereWritten(target, "service")}.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { cluster: cluster.value.arn, service: name, status: status ?? "MISSING" } });
  }

  const controller = service.deploymentController || "ECS";
  const evidence: Record<string, unknown> = {
    cluster: cluster.value.arn,
    service: service.arn,
    status: service.status,
    deploymentController: controller,
    taskDefinition: service.taskDefinition,
    deployments: service.deployments.map((d) => ({ id: d.id, status: d.status, rolloutState: d.rolloutState, taskDefinition: d.taskDefinition })),
  };
  if (controller !== "ECS") {
    const error = targetError(target, {
      code: "UNSUPPORTED_DEPLOYMENT_CONTROLLER",
      message: `service ${name} uses the ${controller} deployment controller; deployer supports only ECS (rolling update) services`,
      action: "ecs:DescribeServices",
      resource: service.arn,
      ...locationOf(target, "service"),
      hint:
        controller === "CODE_DEPLOY"
          ? "Blue/green services are deployed through CodeDeploy (aws deploy create-deployment); keep this target out of deployer, or switch the service to the ECS controller."
          : "EXTERNAL services are deployed through task sets; keep this target out of deployer.",
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }

  const rolling = inProgressDeployment(service);
  if (rolling && !(await isOurConvergingDeployment(ctx, rolling))) {
    const message = `deployment ${rolling.id} (${rolling.taskDefinition}) is still ${rolling.rolloutState ?? "rolling out"} on ${name}`;
    const e = targetError(target, {
      code: "DEPLOYMENT_IN_PROGRESS",
      message: `another deployment is in progress on ${name}: ${rolling.id}`,
      action: "ecs:DescribeServices",
      resource: service.arn,
      hint: "Wait for it to finish, or pass --wait-for-in-progress to wait for it before deploying.",
    });
    evidence.inProgress = { id: rolling.id, taskDefinition: rolling.taskDefinition, createdAt: rolling.createdAt };
    if (ctx.options.waitForInProgress) {
      return verdict(head, "warn", { message: `${message}: deployer will wait for it first (--wait-for-in-progress)`, evidence });
    }
    return verdict(head, "fail", { message, error: e, evidence });
  }

  return verdict(head, "pass", { message: `${name} is ACTIVE (ECS controller, ${service.runningCount}/${service.desiredCount} running)`, evidence });
}

/**
 * An earlier run of this very deployment (killed while waiting) left it IN_PROGRESS: the service
 * already runs what we want, so it is not someone else's and the run converges by waiting.
 */
async function isOurConvergingDeployment(ctx: CheckContext, rolling: LiveDeployment): Promise<boolean> {
  const td = await ctx.reads.taskDefinition(rolling.taskDefinition);
  if (!td.ok || !td.value) return false;
  return sameTaskDefinition(td.value.raw, ctx.desired.taskDefinition as unknown as Record<string, unknown>);
}
