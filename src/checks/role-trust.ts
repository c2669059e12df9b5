// Check `trust:<taskRole|executionRole>`: the role exists, is in the target's account, and its trust
// policy lets ecs-tasks.amazonaws.com sts:AssumeRole it for a task of this account (conditions on
// aws:SourceAccount / aws:SourceArn must admit it). Otherwise ECS rejects the task definition with
// "Role is not valid", or tasks fail to start.
import { evaluateTrustPolicy } from "../iam/evaluator.js";
import { ECS_TASKS_SERVICE, type CheckContext, type RoleField } from "./context.js";
import { isAccessDenied, locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import { accountOfArn, regionalArn } from "../config/aws-names.js";
import type { CheckResult } from "./check-result.js";

export function trustCheckId(role: RoleField): string {
  return `trust:${role}`;
}

const ROLE_LABEL: Record<RoleField, string> = { taskRole: "task role", executionRole: "execution role" };

/** The trust statement that lets ECS tasks of one account assume a role. */
export function ecsTrustStatement(account: string, region: string): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { Service: ECS_TASKS_SERVICE },
    Action: "sts:AssumeRole",
    Condition: {
      StringEquals: { "aws:SourceAccount": account },
      ArnLike: { "aws:SourceArn": regionalArn("ecs", region, account, "*") },
    },
  };
}

/** A task ARN of the target, as ECS sends it in aws:SourceArn when it assumes the role for a task. */
export function representativeTaskArn(ctx: Pick<CheckContext, "target">): string {
  const t = ctx.target;
  return regionalArn("ecs", t.region, t.account, `task/${t.cluster}/00000000000000000000000000000000`);
}

export async function checkRoleTrust(ctx: CheckContext, role: RoleField): Promise<CheckResult> {
  const { target } = ctx;
  const roleArn = target[role];
  const head = { id: trustCheckId(role), title: `${ROLE_LABEL[role]} trusts ${ECS_TASKS_SERVICE}`, target };

  const roleAccount = accountOfArn(roleArn);
  if (roleAccount !== target.account) {
    const error = targetError(target, {
      code: "CONFIG_INVALID",
      message: `${role} ${roleArn} is not a role of the target's account ${target.account}`,
      resource: roleArn,
      ...locationOf(target, role),
      hint: `ECS only uses roles of the service's own account: point \`${role}\` in ${whereWritten(target, role)} at a role in ${target.account}.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { roleArn, roleAccount: roleAccount ?? null } });
  }

  const read = await ctx.reads.role(roleArn);
  if (!read.ok) {
    if (isAccessDenied(read.error)) {
      return verdict(head, "unverified", {
        message: `could not read ${roleArn} (iam:GetRole denied): its trust policy is unverified`,
        hint: `Allow ${target.deployRole} iam:GetRole on ${roleArn} so deployer can check the trust policy. --strict turns this warning into an error.`,
        error: read.error,
        evidence: { method: "iam:GetRole", roleArn },
      });
    }
    return verdict(head, "fail", { message: `could not read ${roleArn}: ${read.error.message}`, error: read.error, evidence: { roleArn } });
  }
  const info = read.value;
  if (!info || info.arn !== roleArn) {
    const error = targetError(target, {
      code: "ROLE_NOT_FOUND",
      message: info ? `no role ${roleArn}: the role named ${info.name} is ${info.arn}` : `role ${roleArn} does not exist`,
      action: "iam:GetRole",
      resource: roleArn,
      awsCode: info ? undefined : "NoSuchEntity",
      ...locationOf(target, role),
      hint: info
        ? `Use the role's exact ARN (with its path) for \`${role}\` in ${whereWritten(target, role)}: ${info.arn}.`
        : `Create the role in ${target.account} (trusting ${ECS_TASKS_SERVICE}), or fix \`${role}\` in ${whereWritten(target, role)}.`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { method: "iam:GetRole", roleArn, found: info?.arn ?? null } });
  }

  const sourceArn = representativeTaskArn(ctx);
  const context = { "aws:SourceAccount": target.account, "aws:SourceArn": sourceArn };
  const result = evaluateTrustPolicy({
    trustPolicy: { name: `trust:${info.name}`, document: info.trustPolicy },
    principal: { type: "Service", id: ECS_TASKS_SERVICE },
    roleArn,
    context,
  });
  const evidence = {
    method: "local-evaluation",
    roleArn,
    decision: result.decision,
    matchedStatements: result.matched,
    requestContext: context,
  };
  if (result.uncertain) {
    return verdict(head, "unverified", {
      message: `${roleArn}'s trust policy uses condition operators deployer does not evaluate (${result.unsupported.join(", ")})`,
      hint: `Check by hand that it lets ${ECS_TASKS_SERVICE} assume it for account ${target.account}.`,
      evidence: { ...evidence, unsupported: result.unsupported, uncertainDenies: result.uncertainDenies },
    });
  }
  if (result.decision === "allowed") {
    return verdict(head, "pass", { message: `${roleArn} trusts ${ECS_TASKS_SERVICE} for tasks of ${target.account}`, evidence });
  }
  const statement = JSON.stringify(ecsTrustStatement(target.account, target.region));
  const error = targetError(target, {
    code: "ROLE_NOT_TRUSTED",
    message:
      result.decision === "explicitDeny"
        ? `${roleArn}'s trust policy denies ${ECS_TASKS_SERVICE} (${result.matched.join(", ")})`
        : `${roleArn}'s trust policy does not let ${ECS_TASKS_SERVICE} assume it for tasks of ${target.account}`,
    action: "sts:AssumeRole",
    resource: roleArn,
    ...locationOf(target, role),
    hint:
      result.decision === "explicitDeny"
        ? `Remove or narrow the Deny (${result.matched.join(", ")}) in the trust policy of ${roleArn}.`
        : `Add this statement to the trust policy of ${roleArn} (aws iam update-assume-role-policy): ${statement}`,
  });
  return verdict(head, "fail", { message: error.message, error, evidence });
}
