// Check `deploy-role-permissions`: the deploy role may make the writes a rollout makes —
// ecs:RegisterTaskDefinition on the family's next revision, ecs:TagResource on it with
// ecs:CreateAction = RegisterTaskDefinition (deployer always tags at creation, and ECS then
// authorises ecs:TagResource too: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html),
// ecs:UpdateService on the service, and — for a BLUE_GREEN / LINEAR / CANARY service — ecs:StopServiceDeployment
// on its service deployments (deployer rolls a failed one back with stopType ROLLBACK:
// https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_StopServiceDeployment.html; a rolling
// service never sends it). And the reads the deploy role makes itself during a rollout and a rollback
// (a read-only run reads as the viewer role, so only the simulation can tell): ecs:DescribeServices
// (re-read before the update, then the wait), the service-deployment history (followed for
// BLUE_GREEN / LINEAR / CANARY; for a rolling service the rollback target falls back to the provenance
// tag without it) and ecs:DescribeTaskDefinition (a rollback to an INACTIVE revision copies it).
// Resources as the Service Authorization Reference lists them
// (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelasticcontainerservice.html):
// DescribeServices / ListServiceDeployments: service; DescribeServiceDeployments / StopServiceDeployment:
// service-deployment; DescribeServiceRevisions: service-revision; DescribeTaskDefinition: no resource type ("*").
// A unit that plans one-off tasks (its service has `tasks:` and no --skip-tasks: plannedTasks) adds the
// calls of src/apply/one-off-task.ts: ecs:RunTask on the task definition (resource task-definition,
// condition key ecs:cluster = the cluster's ARN), ecs:DescribeTasks and ecs:StopTask on the cluster's
// tasks (resource task: arn:PARTITION:ecs:REGION:ACCOUNT:task/CLUSTER/TASK_ID), per the Service
// Authorization Reference above and https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RunTask.html.
// iam:PassRole of the task's roles is the same as the service's (the task runs the same task
// definition): the PassRole asks below already cover it.
// Asked in ONE iam:SimulatePrincipalPolicy call together with iam:PassRole of the task and execution
// roles (the pass-role checks read the same answer), with the deploy role as policy source. One child
// check per action, each with the statement to add.
import { ecsServiceArn, regionalArn } from "../config/aws-names.js";
import { DEPLOYER_TAG_KEYS, templateTags } from "../ecs/tags.js";
import { isNativeStrategy } from "../ecs/deployment-state.js";
import type { RequestContext } from "../iam/evaluator.js";
import { verdict, locationOf, targetError, type CheckResult } from "./check-result.js";
import { ECS_TASKS_SERVICE, plannedTasks, type CheckContext } from "./context.js";
import { answerPermissions, contextEntries, type PermissionAnswer, type PermissionAnswers } from "./permission.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";
import type { SimulationQuestion } from "./target-reads.js";

export const DEPLOY_ROLE_CHECK = {
  id: "deploy-role-permissions",
  title: "deploy role may register and tag the task definition, update the service, and read it",
} as const;

export const DEPLOY_WRITE_ACTIONS = ["ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService"] as const;
/** Written only for a BLUE_GREEN / LINEAR / CANARY service: rolling back a failed service deployment. */
export const NATIVE_ROLLBACK_ACTION = "ecs:StopServiceDeployment" as const;
/** What the deploy role reads itself during a rollout or a rollback. */
export const DEPLOY_READ_ACTIONS = [
  "ecs:DescribeServices",
  "ecs:ListServiceDeployments",
  "ecs:DescribeServiceDeployments",
  "ecs:DescribeServiceRevisions",
  "ecs:DescribeTaskDefinition",
] as const;
/** Sent only by a unit that runs one-off tasks (src/apply/one-off-task.ts): start, wait for, stop on a timeout. */
export const ONE_OFF_TASK_ACTIONS = ["ecs:RunTask", "ecs:DescribeTasks", "ecs:StopTask"] as const;
export type DeployWriteAction =
  (typeof DEPLOY_WRITE_ACTIONS)[number] | typeof NATIVE_ROLLBACK_ACTION | (typeof ONE_OFF_TASK_ACTIONS)[number];
export type DeployReadAction = (typeof DEPLOY_READ_ACTIONS)[number];
export type DeployRoleAction = DeployWriteAction | DeployReadAction;

export function deployWriteCheckId(action: DeployRoleAction): string {
  return `${DEPLOY_ROLE_CHECK.id}:${action}`;
}

/** A 32-hex-digit id standing for a service deployment or revision not known yet (ECS ids are opaque). */
const SOME_ID = "00000000000000000000000000000000";

/** The resources of the deploy role's simulation. */
export interface DeployRoleResources {
  taskRole: string;
  executionRole: string;
  /** The revision RegisterTaskDefinition will create: arn:…:task-definition/FAMILY:NEXT. */
  taskDefinition: string;
  /** Every revision of the family, for hints: arn:…:task-definition/FAMILY:*. */
  taskDefinitions: string;
  service: string;
  /** A service deployment of the service: arn:…:service-deployment/CLUSTER/SERVICE/ID. */
  serviceDeployment: string;
  /** A service revision of the service: arn:…:service-revision/CLUSTER/SERVICE/ID. */
  serviceRevision: string;
  /** For hints: every service deployment / revision of the service (…/SERVICE/*). */
  serviceDeployments: string;
  serviceRevisions: string;
  /** The cluster's ARN (RunTask's ecs:cluster condition key). */
  cluster: string;
  /** A task of the cluster (arn:…:task/CLUSTER/ID): DescribeTasks and StopTask. */
  task: string;
  /** For hints: every task of the cluster (…:task/CLUSTER/*). */
  tasks: string;
  /** The unit runs one-off tasks (`tasks:`, no --skip-tasks). */
  runsTasks: boolean;
  /** The service uses a BLUE_GREEN / LINEAR / CANARY strategy (read from the live service). */
  native: boolean;
}

/**
 * The deploy role's one simulation: iam:PassRole on both roles (iam:PassedToService =
 * ecs-tasks.amazonaws.com) and the three writes, with the request context a registration carries
 * (ecs:CreateAction, aws:TagKeys and the aws:RequestTag/… values deployer knows before planning).
 */
export async function deployRoleQuestion(ctx: CheckContext): Promise<{ question: SimulationQuestion; resources: DeployRoleResources }> {
  const { target, desired } = ctx;
  const family = desired.taskDefinition.family;
  const latest = await ctx.reads.taskDefinition(family);
  const next = latest.ok && latest.value ? latest.value.revision + 1 : 1;
  const service = ecsServiceArn(target);
  const inService = (kind: string, id: string) => service.replace(/:service\//, `:${kind}/`) + `/${id}`;
  const live = await ctx.reads.service();
  const resources: DeployRoleResources = {
    taskRole: target.taskRole,
    executionRole: target.executionRole,
    taskDefinition: regionalArn("ecs", target.region, target.account, `task-definition/${family}:${next}`),
    taskDefinitions: regionalArn("ecs", target.region, target.account, `task-definition/${family}:*`),
    service,
    serviceDeployment:
      live.ok && live.value?.currentServiceDeployment ? live.value.currentServiceDeployment : inService("service-deployment", SOME_ID),
    serviceRevision: inService("service-revision", SOME_ID),
    serviceDeployments: inService("service-deployment", "*"),
    serviceRevisions: inService("service-revision", "*"),
    cluster: regionalArn("ecs", target.region, target.account, `cluster/${target.cluster}`),
    task: regionalArn("ecs", target.region, target.account, `task/${target.cluster}/${SOME_ID}`),
    tasks: regionalArn("ecs", target.region, target.account, `task/${target.cluster}/*`),
    runsTasks: plannedTasks(ctx).length > 0,
    native: live.ok && live.value !== undefined && isNativeStrategy(live.value),
  };
  // Tags sent at creation are in the request context (aws:TagKeys, aws:RequestTag/KEY). The keys
  // deployer always writes and the template's are known now; of the values, those of the template,
  // the image and the run (the others come from the plan: a policy testing them is "unverified").
  const tags: Record<string, string> = { ...templateTags(desired.taskDefinition) };
  tags["deployer:image-digest"] = desired.image.digest;
  if (desired.image.tag) tags["deployer:image-tag"] = desired.image.tag;
  const keys = new Set([...Object.keys(tags), ...DEPLOYER_TAG_KEYS.filter((k) => ALWAYS_WRITTEN.has(k))]);
  const context: RequestContext = {
    "iam:PassedToService": ECS_TASKS_SERVICE,
    "ecs:CreateAction": "RegisterTaskDefinition",
    "aws:TagKeys": [...keys].sort(),
    // Every ECS action on a cluster's resources carries ecs:cluster (RunTask's condition key in the
    // Service Authorization Reference); harmless for the actions that ignore it.
    ...(resources.runsTasks ? { "ecs:cluster": resources.cluster } : {}),
  };
  for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v;
  const roles = [...new Set([target.taskRole, target.executionRole])];
  return {
    resources,
    question: {
      key: "deploy-role",
      policySourceArn: target.deployRole,
      actions: ["iam:PassRole", ...deployRoleActions(resources), ...DEPLOY_READ_ACTIONS],
      resources: [
        ...roles,
        resources.taskDefinition,
        resources.service,
        resources.serviceDeployment,
        resources.serviceRevision,
        ...(resources.runsTasks ? [resources.task] : []),
        "*",
      ],
      context: contextEntries(context),
    },
  };
}

/** Keys every registration carries (registrationTags): image digest, run id, who, fingerprint. */
const ALWAYS_WRITTEN = new Set(["deployer:image-digest", "deployer:run-id", "deployer:by", "deployer:fingerprint"]);

/** The writes the deploy role makes for this service (StopServiceDeployment only for BLUE_GREEN / LINEAR / CANARY). */
function deployRoleActions(r: DeployRoleResources): DeployWriteAction[] {
  return [
    ...DEPLOY_WRITE_ACTIONS,
    ...(r.native ? [NATIVE_ROLLBACK_ACTION] : ([] as DeployWriteAction[])),
    ...(r.runsTasks ? ONE_OFF_TASK_ACTIONS : []),
  ];
}

/** The resource each action of the deploy role is asked on. */
function resourceOf(action: DeployRoleAction, r: DeployRoleResources): string {
  switch (action) {
    case "ecs:RegisterTaskDefinition":
    case "ecs:TagResource":
    case "ecs:RunTask":
      return r.taskDefinition;
    case "ecs:DescribeTasks":
    case "ecs:StopTask":
      return r.task;
    case "ecs:DescribeTaskDefinition":
      // No resource type: authorised on "*" (an ARN would be a resource the action cannot take: implicitDeny).
      return "*";
    case "ecs:UpdateService":
    case "ecs:DescribeServices":
    case "ecs:ListServiceDeployments":
      return r.service;
    case "ecs:StopServiceDeployment":
    case "ecs:DescribeServiceDeployments":
      return r.serviceDeployment;
    case "ecs:DescribeServiceRevisions":
      return r.serviceRevision;
  }
}

/** The deploy role's answers for PassRole, the writes and its own reads (one simulation, shared). */
export async function deployRoleAnswers(
  ctx: CheckContext,
): Promise<{ answers: PermissionAnswers; resources: DeployRoleResources; asks: string[] }> {
  const { question, resources } = await deployRoleQuestion(ctx);
  const asks = [
    { action: "iam:PassRole", resource: resources.taskRole },
    { action: "iam:PassRole", resource: resources.executionRole },
    ...[...deployRoleActions(resources), ...DEPLOY_READ_ACTIONS].map((action) => ({ action, resource: resourceOf(action, resources) })),
  ];
  const answers = await ctx.reads.shared("deploy-role-answers", () => answerPermissions(ctx, question, asks));
  return { answers, resources, asks: asks.map((a) => `${a.action} ${a.resource}`) };
}

/** The answer for one (action, resource) of the deploy role's simulation. */
export function answerFor(all: { answers: PermissionAnswers; asks: string[] }, action: string, resource: string): PermissionAnswer {
  const i = all.asks.indexOf(`${action} ${resource}`);
  return all.answers.answers[i] ?? { verdict: "unverified", method: "none", why: `no answer for ${action} on ${resource}` };
}

function statementFor(action: DeployRoleAction, r: DeployRoleResources): Record<string, unknown> {
  switch (action) {
    case "ecs:RegisterTaskDefinition":
      return allowStatement("ecs:RegisterTaskDefinition", r.taskDefinitions);
    case "ecs:TagResource":
      return allowStatement("ecs:TagResource", r.taskDefinitions, { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } });
    case "ecs:UpdateService":
    case "ecs:DescribeServices":
    case "ecs:ListServiceDeployments":
      return allowStatement(action, r.service);
    case "ecs:StopServiceDeployment":
    case "ecs:DescribeServiceDeployments":
      return allowStatement(action, r.serviceDeployments);
    case "ecs:DescribeServiceRevisions":
      return allowStatement(action, r.serviceRevisions);
    case "ecs:DescribeTaskDefinition":
      return allowStatement(action, "*");
    case "ecs:RunTask":
      return allowStatement(action, r.taskDefinitions, { ArnEquals: { "ecs:cluster": r.cluster } });
    case "ecs:DescribeTasks":
    case "ecs:StopTask":
      return allowStatement(action, r.tasks);
  }
}

/**
 * What a denial of `action` means for a rollout: "fail" when the rollout (or its automatic rollback)
 * cannot work without it, "unverified" when deployer falls back to something weaker (the warning says which).
 */
function denialWeight(action: DeployRoleAction, r: DeployRoleResources): { verdict: "fail" | "unverified"; consequence: string } {
  switch (action) {
    case "ecs:DescribeServices":
      return { verdict: "fail", consequence: "a rollout re-reads the service before updating it and waits with it" };
    case "ecs:ListServiceDeployments":
    case "ecs:DescribeServiceDeployments":
    case "ecs:DescribeServiceRevisions":
      return r.native
        ? {
            verdict: "fail",
            consequence: "a BLUE_GREEN / LINEAR / CANARY deployment is followed (and rolled back) through its service deployments",
          }
        : {
            verdict: "unverified",
            consequence:
              "`deployer rollback` reads the deployment history as the deploy role; without it the rollback target comes from the deployer:previous-task-definition tag only",
          };
    case "ecs:DescribeTaskDefinition":
      return {
        verdict: "unverified",
        consequence:
          "a rollback to an INACTIVE revision reads it to register an identical copy; `deployer rollback` reads the revision it goes back to",
      };
    case "ecs:RunTask":
      return { verdict: "fail", consequence: "the one-off tasks (tasks:) run before the service is updated" };
    case "ecs:DescribeTasks":
      return { verdict: "fail", consequence: "a rollout waits for each one-off task to stop and reads its exit code" };
    case "ecs:StopTask":
      return { verdict: "fail", consequence: "a one-off task that outlives its timeoutSeconds (or an interrupted run) is stopped" };
    default:
      return { verdict: "fail", consequence: "" };
  }
}

export async function checkDeployRolePermissions(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...DEPLOY_ROLE_CHECK, target };
  const all = await deployRoleAnswers(ctx);
  const { resources } = all;
  const role = await ctx.reads.role(target.deployRole);
  const boundaryArn = role.ok ? role.value?.permissionsBoundaryArn : undefined;

  const actions: DeployRoleAction[] = [...deployRoleActions(resources), ...DEPLOY_READ_ACTIONS];
  const children = actions.map((action): CheckResult => {
    const resource = resourceOf(action, resources);
    const answer = answerFor(all, action, resource);
    const child = { id: deployWriteCheckId(action), title: `deploy role may ${action}`, target };
    const evidence: Record<string, unknown> = {
      method: answer.method,
      action,
      resource,
      ...(answer.verdict !== "unverified" ? { matchedStatements: answer.matched } : {}),
      ...(action === "ecs:TagResource" ? { context: { "ecs:CreateAction": "RegisterTaskDefinition" } } : {}),
      ...(all.answers.simulateError ? { simulateError: all.answers.simulateError.awsCode ?? all.answers.simulateError.code } : {}),
      ...(answer.verdict === "allowed" && answer.note ? { note: answer.note } : {}),
    };
    if (answer.verdict === "allowed") {
      return verdict(child, "pass", { message: `${action} on ${resource} allowed`, evidence });
    }
    if (answer.verdict === "unverified") {
      return verdict(child, "unverified", {
        message: `could not verify ${action} on ${resource}: ${answer.why}`,
        hint: `Check by hand that ${target.deployRole} may ${action} (${JSON.stringify(statementFor(action, resources))}). --strict turns this warning into an error.`,
        evidence: {
          ...evidence,
          ...(answer.missing ? { missingContextValues: answer.missing } : {}),
          ...(answer.unsupported ? { unsupported: answer.unsupported } : {}),
        },
      });
    }
    const opts = { boundaryArn, matched: answer.matched };
    const weight = denialWeight(action, resources);
    const denied = denialText(answer.by, target.deployRole, action, resource, opts);
    const message = weight.consequence ? `${denied}: ${weight.consequence}` : denied;
    const hint = denialHint(answer.by, target.deployRole, statementFor(action, resources), opts);
    const error = targetError(target, {
      code: "ACCESS_DENIED",
      message,
      action,
      resource,
      ...locationOf(target, "deployRole"),
      hint: weight.verdict === "unverified" ? `${hint} --strict turns this warning into an error.` : hint,
    });
    return verdict(child, weight.verdict, { message, error, evidence: { ...evidence, deniedBy: answer.by } });
  });

  const failed = children.filter((c) => c.verdict === "fail");
  const unverified = children.filter((c) => c.verdict === "unverified");
  if (failed.length > 0) {
    return verdict(head, "fail", {
      message: `${target.deployRole} may not ${failed.map((c) => c.id.slice(DEPLOY_ROLE_CHECK.id.length + 1)).join(", ")}`,
      children,
    });
  }
  if (unverified.length > 0) {
    return verdict(head, "unverified", {
      message: `${unverified.map((c) => c.id.slice(DEPLOY_ROLE_CHECK.id.length + 1)).join(", ")} for ${target.deployRole}: ${unverified.some((c) => c.error) ? "denied, with a weaker fallback, or " : ""}not verified`,
      children,
    });
  }
  return verdict(head, "pass", { message: `${target.deployRole} may ${actions.join(", ")}`, children });
}
