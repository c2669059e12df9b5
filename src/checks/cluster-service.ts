// Check `service`: the cluster and the service exist and are ACTIVE, the service uses the ECS
// deployment controller — with the rolling update or an ECS-native BLUE_GREEN / LINEAR / CANARY
// strategy (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html),
// which deployer follows through the service-deployment API, so that API must be readable —
// (CODE_DEPLOY and EXTERNAL services are refused), and nobody else's deployment is still rolling out
// (fail, or warn with --wait-for-in-progress).
import type { LiveDeployment } from "../aws/ports.js";
import type { ErrorInfo } from "../errors.js";
import type { CheckContext } from "./context.js";
import { locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import { isNativeStrategy, serviceState, strategyOf } from "../ecs/deployment-state.js";
import { currentOf } from "./rollback-target.js";
import type { CheckResult } from "./check-result.js";
import { sameTaskDefinition } from "../ecs/normalise.js";

export const SERVICE_CHECK = { id: "service", title: "cluster and service exist, ACTIVE, with the ECS deployment controller" } as const;

export async function checkClusterAndService(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...SERVICE_CHECK, target };
  const name = `${target.cluster}/${target.service}`;

  const cluster = await ctx.reads.cluster();
  if (!cluster.ok)
    return verdict(head, "fail", { message: `could not read cluster ${target.cluster}: ${cluster.error.message}`, error: cluster.error });
  if (!cluster.value || cluster.value.status !== "ACTIVE") {
    const status = cluster.value?.status;
    const error = targetError(target, {
      code: "CLUSTER_NOT_FOUND",
      message: status
        ? `cluster ${target.cluster} is ${status}, not ACTIVE`
        : `cluster ${target.cluster} does not exist in ${target.account}/${target.region}`,
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
      message: service
        ? `service ${name} is ${status}, not ACTIVE`
        : `service ${target.service} does not exist in cluster ${target.cluster}`,
      action: "ecs:DescribeServices",
      resource: service?.arn ?? name,
      ...locationOf(target, "service"),
      hint: service
        ? `The service is being deleted (${status}). deployer updates existing services only: recreate it (with your infrastructure code) first.`
        : `deployer updates existing services only: create ${target.service} in ${target.cluster} first (with your infrastructure code), or fix \`service\` in ${whereWritten(target, "service")}.`,
    });
    return verdict(head, "fail", {
      message: error.message,
      error,
      evidence: { cluster: cluster.value.arn, service: name, status: status ?? "MISSING" },
    });
  }

  const controller = service.deploymentController || "ECS";
  const evidence: Record<string, unknown> = {
    cluster: cluster.value.arn,
    service: service.arn,
    status: service.status,
    deploymentController: controller,
    taskDefinition: service.taskDefinition,
    deployments: service.deployments.map((d) => ({
      id: d.id,
      status: d.status,
      rolloutState: d.rolloutState,
      taskDefinition: d.taskDefinition,
    })),
  };
  if (controller !== "ECS") {
    const error = targetError(target, {
      code: "UNSUPPORTED_DEPLOYMENT_CONTROLLER",
      message: `service ${name} uses the ${controller} deployment controller; deployer supports only services with the ECS controller (rolling update, or ECS-native BLUE_GREEN / LINEAR / CANARY)`,
      action: "ecs:DescribeServices",
      resource: service.arn,
      ...locationOf(target, "service"),
      hint:
        controller === "CODE_DEPLOY"
          ? "CodeDeploy blue/green services are deployed through CodeDeploy (aws deploy create-deployment); keep this target out of deployer, or switch the service to the ECS controller with the BLUE_GREEN strategy (ECS-native blue/green), which deployer supports."
          : "EXTERNAL services are deployed through task sets; keep this target out of deployer.",
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }

  const strategy = strategyOf(service);
  evidence.strategy = strategy;
  const history = await ctx.reads.history();
  if (isNativeStrategy(service) && history.unavailable) {
    const error = targetError(target, {
      code: "ACCESS_DENIED",
      message: `${name} deploys with the ${strategy} strategy, which deployer follows through the service deployments, but it could not read them: ${history.unavailable.message}`,
      action: history.unavailable.action ?? "ecs:ListServiceDeployments",
      resource: service.arn,
      awsCode: history.unavailable.awsCode,
      awsMessage: history.unavailable.awsMessage,
      hint: "Allow the deploy role ecs:ListServiceDeployments, ecs:DescribeServiceDeployments, ecs:DescribeServiceRevisions and ecs:StopServiceDeployment on the service, its service-deployment/… and service-revision/… ARNs.",
    });
    return verdict(head, "fail", { message: error.message, error, evidence });
  }
  const state = serviceState(service, currentOf(service, history));
  const rolling =
    state.kind === "in-progress" ? state.deployment : state.kind === "rolling-back" ? (state.rollback ?? state.failed) : undefined;
  const busy = state.kind === "in-progress" || state.kind === "rolling-back";
  if (busy && !(rolling && (await isOurConvergingDeployment(ctx, rolling)))) {
    const what = rolling ? `deployment ${rolling.id} (${rolling.taskDefinition})` : "a deployment";
    const message = `${what} is still ${state.kind === "rolling-back" ? "being rolled back" : (rolling?.rolloutState ?? "rolling out")} on ${name} (${state.reason})`;
    const e = targetError(target, {
      code: "DEPLOYMENT_IN_PROGRESS",
      message: `another deployment is in progress on ${name}: ${rolling?.id ?? state.reason}`,
      action: "ecs:DescribeServices",
      resource: service.arn,
      hint: "Wait for it to finish, or pass --wait-for-in-progress to wait for it before deploying.",
    });
    evidence.inProgress = rolling
      ? { id: rolling.id, taskDefinition: rolling.taskDefinition, createdAt: rolling.createdAt }
      : { reason: state.reason };
    if (ctx.options.waitForInProgress) {
      return verdict(head, "warn", { message: `${message}: deployer will wait for it first (--wait-for-in-progress)`, evidence });
    }
    return verdict(head, "fail", { message, error: e, evidence });
  }

  const historyNote = unreadableHistory(ctx, history.unavailable);
  const details = [
    strategy === "ROLLING" ? "rolling update" : `${strategy} strategy`,
    service.bakeTimeInMinutes !== undefined && strategy !== "ROLLING" ? `bake time ${service.bakeTimeInMinutes}m` : undefined,
    service.lifecycleHookStages?.length ? `lifecycle hooks at ${service.lifecycleHookStages.join(", ")}` : undefined,
    service.alarms?.enable ? `alarms ${service.alarms.alarmNames.join(", ")}${service.alarms.rollback ? " (roll back)" : ""}` : undefined,
  ].filter(Boolean);
  const active = `${name} is ACTIVE (ECS controller, ${details.join(", ")}; ${service.runningCount}/${service.desiredCount} running)`;
  if (historyNote) {
    // A rolling service's history is optional (the rollout follows the service's deployments), but
    // without it the rollback target comes from the provenance tag only: say so instead of tolerating it silently.
    const error = targetError(target, {
      code: history.unavailable!.code === "ACCESS_DENIED" ? "ACCESS_DENIED" : "AWS_ERROR",
      message: historyNote,
      action: history.unavailable!.action ?? "ecs:ListServiceDeployments",
      resource: service.arn,
      awsCode: history.unavailable!.awsCode,
      awsMessage: history.unavailable!.awsMessage,
      hint: `Allow ${readingRole(ctx)} ecs:ListServiceDeployments on ${service.arn}, ecs:DescribeServiceDeployments on its service-deployment/… and ecs:DescribeServiceRevisions on its service-revision/… ARNs (deployer iam grants them). --strict turns this warning into an error.`,
    });
    return verdict(head, "unverified", {
      message: `${active}; but ${historyNote}`,
      error,
      evidence: { ...evidence, historyUnavailable: history.unavailable },
    });
  }
  return verdict(head, "pass", { message: active, evidence });
}

/** The role the checks read as: the viewer role when the target has one, else the deploy role (observe-target.ts). */
function readingRole(ctx: CheckContext): string {
  return ctx.target.viewRole ?? ctx.target.deployRole;
}

/**
 * Why the deployment history could not be read, in words, when AWS refused it (an endpoint without the
 * service-deployment API, a test double, stays silent as before). Without the history, the
 * known-good revision a failure rolls back to comes from the `deployer:previous-task-definition` tag
 * (or the steady state) only: src/ecs/deployment-history.ts.
 */
function unreadableHistory(ctx: CheckContext, unavailable: ErrorInfo | undefined): string | undefined {
  if (!unavailable || !ctx.session.ecs.listServiceDeployments) return undefined;
  const action = unavailable.action ?? "ecs:ListServiceDeployments";
  const aws = unavailable.awsCode ? `${unavailable.awsCode} on ${action}` : `${action}: ${unavailable.message}`;
  return `its deployment history could not be read as ${readingRole(ctx)} (${aws}): a rollback target comes from the deployer:previous-task-definition tag (or the revision that ran settled) instead of ECS's service deployments`;
}

/**
 * An earlier run of this very deployment (killed while waiting) left it IN_PROGRESS: the service
 * already runs what we want, so it is not someone else's and the run converges by waiting.
 */
async function isOurConvergingDeployment(ctx: CheckContext, rolling: LiveDeployment): Promise<boolean> {
  const td = await ctx.reads.taskDefinition(rolling.taskDefinition);
  if (!td.ok || !td.value) return false;
  return sameTaskDefinition(td.value.raw, ctx.desired.taskDefinition);
}
