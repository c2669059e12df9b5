// Check `deploy-role-permissions`: the deploy role may make the writes a rollout makes —
// ecs:RegisterTaskDefinition on the family's next revision, ecs:TagResource on it with
// ecs:CreateAction = RegisterTaskDefinition (deployer always tags at creation, and ECS then
// authorises ecs:TagResource too: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html),
// and ecs:UpdateService on the service. Asked in ONE iam:SimulatePrincipalPolicy call together with
// iam:PassRole of the task and execution roles (the pass-role checks read the same answer), with the
// deploy role as policy source. One child check per action, each with the statement to add.
import { ecsServiceArn, regionalArn } from "../config/aws-names.js";
import { DEPLOYER_TAG_KEYS, templateTags } from "../ecs/tags.js";
import type { RequestContext } from "../iam/evaluator.js";
import { verdict, locationOf, targetError, type CheckResult } from "./check-result.js";
import { ECS_TASKS_SERVICE, type CheckContext } from "./context.js";
import { answerPermissions, contextEntries, type PermissionAnswer, type PermissionAnswers } from "./permission.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";
import type { SimulationQuestion } from "./target-reads.js";

export const DEPLOY_ROLE_CHECK = {
  id: "deploy-role-permissions",
  title: "deploy role may register and tag the task definition and update the service",
} as const;

export const DEPLOY_WRITE_ACTIONS = ["ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService"] as const;
export type DeployWriteAction = (typeof DEPLOY_WRITE_ACTIONS)[number];

export function deployWriteCheckId(action: DeployWriteAction): string {
  return `${DEPLOY_ROLE_CHECK.id}:${action}`;
}

/** The resources of the deploy role's simulation. */
export interface DeployRoleResources {
  taskRole: string;
  executionRole: string;
  /** The revision RegisterTaskDefinition will create: arn:…:task-definition/FAMILY:NEXT. */
  taskDefinition: string;
  /** Every revision of the family, for hints: arn:…:task-definition/FAMILY:*. */
  taskDefinitions: string;
  service: string;
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
  const resources: DeployRoleResources = {
    taskRole: target.taskRole,
    executionRole: target.executionRole,
    taskDefinition: regionalArn("ecs", target.region, target.account, `task-definition/${family}:${next}`),
    taskDefinitions: regionalArn("ecs", target.region, target.account, `task-definition/${family}:*`),
    service: ecsServiceArn(target),
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
  };
  for (const [k, v] of Object.entries(tags)) context[`aws:RequestTag/${k}`] = v;
  const roles = [...new Set([target.taskRole, target.executionRole])];
  return {
    resources,
    question: {
      key: "deploy-role",
      policySourceArn: target.deployRole,
      actions: ["iam:PassRole", ...DEPLOY_WRITE_ACTIONS],
      resources: [...roles, resources.taskDefinition, resources.service],
      context: contextEntries(context),
    },
  };
}

/** Keys every registration carries (registrationTags): image digest, run id, who, fingerprint. */
const ALWAYS_WRITTEN = new Set(["deployer:image-digest", "deployer:run-id", "deployer:by", "deployer:fingerprint"]);

/** The deploy role's answers for PassRole and the three writes (one simulation, shared). */
export async function deployRoleAnswers(
  ctx: CheckContext,
): Promise<{ answers: PermissionAnswers; resources: DeployRoleResources; asks: string[] }> {
  const { question, resources } = await deployRoleQuestion(ctx);
  const asks = [
    { action: "iam:PassRole", resource: resources.taskRole },
    { action: "iam:PassRole", resource: resources.executionRole },
    { action: "ecs:RegisterTaskDefinition", resource: resources.taskDefinition },
    { action: "ecs:TagResource", resource: resources.taskDefinition },
    { action: "ecs:UpdateService", resource: resources.service },
  ];
  const answers = await ctx.reads.shared("deploy-role-answers", () => answerPermissions(ctx, question, asks));
  return { answers, resources, asks: asks.map((a) => `${a.action} ${a.resource}`) };
}

/** The answer for one (action, resource) of the deploy role's simulation. */
export function answerFor(all: { answers: PermissionAnswers; asks: string[] }, action: string, resource: string): PermissionAnswer {
  const i = all.asks.indexOf(`${action} ${resource}`);
  return all.answers.answers[i] ?? { verdict: "unverified", method: "none", why: `no answer for ${action} on ${resource}` };
}

function statementFor(action: DeployWriteAction, r: DeployRoleResources): Record<string, unknown> {
  switch (action) {
    case "ecs:RegisterTaskDefinition":
      return allowStatement("ecs:RegisterTaskDefinition", r.taskDefinitions);
    case "ecs:TagResource":
      return allowStatement("ecs:TagResource", r.taskDefinitions, { StringEquals: { "ecs:CreateAction": "RegisterTaskDefinition" } });
    case "ecs:UpdateService":
      return allowStatement("ecs:UpdateService", r.service);
  }
}

export async function checkDeployRolePermissions(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...DEPLOY_ROLE_CHECK, target };
  const all = await deployRoleAnswers(ctx);
  const { resources } = all;
  const role = await ctx.reads.role(target.deployRole);
  const boundaryArn = role.ok ? role.value?.permissionsBoundaryArn : undefined;

  const children = DEPLOY_WRITE_ACTIONS.map((action): CheckResult => {
    const resource = action === "ecs:UpdateService" ? resources.service : resources.taskDefinition;
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
    const message = denialText(answer.by, target.deployRole, action, resource, opts);
    const error = targetError(target, {
      code: "ACCESS_DENIED",
      message,
      action,
      resource,
      ...locationOf(target, "deployRole"),
      hint: denialHint(answer.by, target.deployRole, statementFor(action, resources), opts),
    });
    return verdict(child, "fail", { message, error, evidence: { ...evidence, deniedBy: answer.by } });
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
      message: `could not verify ${unverified.map((c) => c.id.slice(DEPLOY_ROLE_CHECK.id.length + 1)).join(", ")} for ${target.deployRole}`,
      children,
    });
  }
  return verdict(head, "pass", { message: `${target.deployRole} may ${DEPLOY_WRITE_ACTIONS.join(", ")}`, children });
}
