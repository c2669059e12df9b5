// Check `task-assumes`: the roles the task's application assumes with its task role (sts:AssumeRole
// into another account, usually) will let it. Across accounts both sides must allow it
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html,
// https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_aws-accounts.html):
//  (a) the task role's identity policies allow sts:AssumeRole on the destination role — asked of IAM
//      with the task role as policy source (its own policies evaluated locally when the simulation is
//      refused: permission.ts); only the identity side, since the destination's trust policy is the
//      resource side of another account;
//  (b) the destination role's trust policy names the task role (or its account) — read with GetRole
//      through the viewer role of a target in the destination account (or the target's own session
//      for a role of its own account); with no target there, unverified: deployer cannot read it.
// The destinations are the target's `taskAssumes` and the role ARNs the task role's policies allow
// sts:AssumeRole on (other accounts, no wildcards). A mismatch otherwise surfaces only as AccessDenied
// inside the running application.
import type { PolicyStatement, RoleInfo } from "../aws/ports.js";
import { accountOfArn, accountRootArn, parseRoleArn, partitionOf, roleNameOf } from "../config/aws-names.js";
import { evaluateTrustPolicy } from "../iam/evaluator.js";
import { actionMatches } from "../iam/wildcard.js";
import type { DeployerError } from "../errors.js";
import { awsFailure, isAccessDenied, parentOf, targetError, verdict, whereWritten, type CheckResult } from "./check-result.js";
import type { CheckContext } from "./context.js";
import { answerPermissions } from "./permission.js";
import { allowStatement, denialHint, denialText } from "./simulation.js";
import type { Outcome } from "./target-reads.js";

export const TASK_ASSUMES_CHECK = { id: "task-assumes", title: "the task role may assume the roles its application assumes" } as const;

const ASSUME = "sts:AssumeRole";

export interface Destination {
  roleArn: string;
  /** Where deployer learnt of it: `taskAssumes` (with file:line) or the task role's policy. */
  from: string;
}

const list = (v: string | string[] | undefined): string[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** Role ARNs (no wildcards, other accounts than `account`) an Allow statement grants sts:AssumeRole on. */
export function assumedRolesIn(statements: PolicyStatement[], account: string): string[] {
  const out: string[] = [];
  for (const s of statements) {
    if (s.Effect !== "Allow" || s.Action === undefined) continue;
    if (!list(s.Action).some((a) => actionMatches(a, ASSUME))) continue;
    for (const r of list(s.Resource)) {
      const role = parseRoleArn(r);
      if (role && !/[*?]/.test(r) && role.account !== account) out.push(r);
    }
  }
  return out;
}

/** The destinations of a target: its taskAssumes, then those its task role's policies name. */
async function destinations(ctx: CheckContext): Promise<{ list: Destination[]; readError?: DeployerError }> {
  const { target } = ctx;
  const out = new Map<string, Destination>();
  for (const arn of target.taskAssumes ?? []) out.set(arn, { roleArn: arn, from: `taskAssumes (${whereWritten(target, "taskAssumes")})` });
  const read = await ctx.reads.rolePolicies(target.taskRole);
  if (!read.ok) return { list: [...out.values()], readError: read.error };
  for (const p of read.value.policies) {
    for (const arn of assumedRolesIn(([] as PolicyStatement[]).concat(p.document.Statement ?? []), target.account)) {
      if (!out.has(arn)) out.set(arn, { roleArn: arn, from: `the task role's policy ${p.name}` });
    }
  }
  return { list: [...out.values()] };
}

/** The trust statement the destination role needs (pasted in hints). */
export function trustStatementFor(taskRoleArn: string): Record<string, unknown> {
  return { Effect: "Allow", Principal: { AWS: taskRoleArn }, Action: ASSUME };
}

/** A representative session of the task role, as tasks get it (assumed-role/ROLE/TASK_ID). */
function taskSessionArn(ctx: CheckContext): string {
  const t = ctx.target;
  return `arn:${partitionOf(t.region)}:sts::${t.account}:assumed-role/${roleNameOf(t.taskRole)}/00000000000000000000000000000000`;
}

export async function checkTaskAssumes(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...TASK_ASSUMES_CHECK, target };
  const found = await destinations(ctx);
  if (found.list.length === 0) {
    if (found.readError && target.taskAssumes !== undefined) {
      return verdict(head, "skip", {
        message: `\`taskAssumes\` declares no role, and the task role's policies could not be read (${found.readError.awsCode ?? found.readError.code})`,
        evidence: { taskRole: target.taskRole },
      });
    }
    if (found.readError) {
      // Nothing declared and the policies unreadable: whether the task assumes a role of another
      // account is not known, so the check is unverified (WARN; --strict fails), not skipped.
      return verdict(head, "unverified", {
        message: `could not read the task role's policies (${found.readError.awsCode ?? found.readError.code}): the roles of other accounts it may assume are not known`,
        hint: `Let the reading role (viewer, else deploy role) read ${target.taskRole}'s policies (iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion; \`deployer iam\` grants them), or declare \`taskAssumes\` (an empty list when it assumes none). --strict turns this warning into an error.`,
        evidence: { taskRole: target.taskRole },
        error: found.readError,
      });
    }
    return verdict(head, "pass", {
      message: "the task role assumes no role of another account (none in taskAssumes, none in its policies)",
      evidence: { taskRole: target.taskRole },
    });
  }

  const asks = found.list.map((d) => ({
    action: ASSUME,
    resource: d.roleArn,
    crossAccountResource: accountOfArn(d.roleArn) !== target.account,
  }));
  const permissions = await answerPermissions(
    ctx,
    {
      key: `task-assumes:${found.list.map((d) => d.roleArn).join(",")}`,
      policySourceArn: target.taskRole,
      actions: [ASSUME],
      resources: found.list.map((d) => d.roleArn),
      context: [],
    },
    asks,
  );

  const children = await Promise.all(
    found.list.map(async (d, i) => {
      const childHead = { id: `task-assumes:${d.roleArn}`, title: `task role may assume ${d.roleArn}`, target };
      const allow = allowSide(ctx, d, permissions.answers[i]!, permissions.simulateError);
      const trust = await trustSide(ctx, d);
      return parentOf(childHead, [allow, trust], `${target.taskRole} may assume ${d.roleArn} (from ${d.from})`, {
        roleArn: d.roleArn,
        from: d.from,
      });
    }),
  );
  return parentOf(head, children, `the task role may assume ${found.list.length} role${found.list.length === 1 ? "" : "s"}`);
}

function allowSide(
  ctx: CheckContext,
  d: Destination,
  answer: Awaited<ReturnType<typeof answerPermissions>>["answers"][number],
  simulateError: DeployerError | undefined,
): CheckResult {
  const { target } = ctx;
  const head = { id: `task-assumes:allow:${d.roleArn}`, title: `task role's policy allows ${ASSUME} on ${d.roleArn}`, target };
  const evidence = { method: answer.method, taskRole: target.taskRole, roleArn: d.roleArn, from: d.from };
  if (accountOfArn(d.roleArn) === target.account) {
    // Within one account a trust policy naming the role grants it alone (evaluation-logic-cross-account.html).
    return verdict(head, "skip", { message: `${d.roleArn} is in the task's own account: its trust policy decides`, evidence });
  }
  const statement = allowStatement(ASSUME, d.roleArn);
  if (answer.verdict === "allowed") {
    return verdict(head, "pass", {
      message: `${target.taskRole} may ${ASSUME} on ${d.roleArn}`,
      evidence: { ...evidence, matched: answer.matched },
    });
  }
  if (answer.verdict === "unverified") {
    return verdict(head, "unverified", {
      message: `whether ${target.taskRole} may ${ASSUME} on ${d.roleArn} is unknown: ${answer.why}`,
      hint: `Allow ${target.deployRole} (or the viewer role) iam:SimulatePrincipalPolicy on ${target.taskRole} so deployer can ask IAM. The task role needs: ${JSON.stringify(statement)}. --strict turns this warning into an error.`,
      evidence,
      ...(simulateError ? { error: simulateError } : {}),
    });
  }
  const error = targetError(target, {
    code: "ACCESS_DENIED",
    message: denialText(answer.by, target.taskRole, ASSUME, d.roleArn, { matched: answer.matched }),
    action: ASSUME,
    resource: d.roleArn,
    hint: denialHint(answer.by, `the task role ${target.taskRole}`, statement, { matched: answer.matched }),
  });
  return verdict(head, "fail", { message: error.message, error, evidence: { ...evidence, denier: answer.by } });
}

async function readDestination(
  ctx: CheckContext,
  roleArn: string,
): Promise<{ via: string; read: Outcome<RoleInfo | undefined> } | { unavailable: string; error?: DeployerError }> {
  const { target } = ctx;
  const account = accountOfArn(roleArn);
  if (account === target.account) return { via: ctx.session.identity.arn, read: await ctx.reads.role(roleArn) };
  if (!account) return { unavailable: `${roleArn} is not a role ARN` };
  if (!ctx.fleet) return { unavailable: `deployer has no session in account ${account}` };
  const s = await ctx.fleet.session(account);
  if (!s.ok) return { unavailable: s.reason, ...(s.error ? { error: s.error } : {}) };
  try {
    return { via: s.role, read: { ok: true, value: await s.session.iam.getRole(roleArn) } };
  } catch (e) {
    return { via: s.role, read: { ok: false, error: awsFailure(target, e, "iam:GetRole", roleArn) } };
  }
}

async function trustSide(ctx: CheckContext, d: Destination): Promise<CheckResult> {
  const { target } = ctx;
  const head = { id: `task-assumes:trust:${d.roleArn}`, title: `${d.roleArn} trusts the task role`, target };
  const statement = JSON.stringify(trustStatementFor(target.taskRole));
  const dest = await readDestination(ctx, d.roleArn);
  if ("unavailable" in dest) {
    return verdict(head, "unverified", {
      message: `the trust policy of ${d.roleArn} was not read: ${dest.unavailable}`,
      hint: `Make sure its trust policy names the task role (or account ${target.account}): ${statement}. To have deployer check it, give a target in account ${accountOfArn(d.roleArn) ?? "?"} a viewRole that may iam:GetRole it. --strict turns this warning into an error.`,
      evidence: { roleArn: d.roleArn, from: d.from },
      ...(dest.error ? { error: dest.error } : {}),
    });
  }
  const { via, read } = dest;
  if (!read.ok) {
    const denied = isAccessDenied(read.error);
    return verdict(head, denied ? "unverified" : "fail", {
      message: `could not read ${d.roleArn} as ${via}: ${read.error.message}`,
      hint: denied
        ? `Allow ${via} iam:GetRole on ${d.roleArn} so deployer can check its trust policy; it must name the task role: ${statement}. --strict turns this warning into an error.`
        : read.error.hint,
      error: read.error,
      evidence: { method: "iam:GetRole", via, roleArn: d.roleArn },
    });
  }
  if (!read.value) {
    const error = targetError(target, {
      code: "ROLE_NOT_FOUND",
      message: `role ${d.roleArn} (from ${d.from}) does not exist`,
      action: "iam:GetRole",
      resource: d.roleArn,
      awsCode: "NoSuchEntity",
      hint: `Create it in account ${accountOfArn(d.roleArn)} with this trust statement, or fix ${d.from}: ${statement}`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { method: "iam:GetRole", via, roleArn: d.roleArn } });
  }
  const context = { "aws:PrincipalArn": target.taskRole, "aws:PrincipalAccount": target.account };
  const result = evaluateTrustPolicy({
    trustPolicy: { name: `trust:${read.value.name}`, document: read.value.trustPolicy },
    principal: { type: "AWS", id: taskSessionArn(ctx) },
    roleArn: d.roleArn,
    context,
  });
  const evidence = {
    method: "iam:GetRole + local-evaluation",
    via,
    roleArn: d.roleArn,
    decision: result.decision,
    matched: result.matched,
  };
  if (result.uncertain) {
    return verdict(head, "unverified", {
      message: `${d.roleArn}'s trust policy uses conditions deployer does not evaluate (${result.unsupported.join(", ")})`,
      hint: `Check by hand that it lets ${target.taskRole} assume it: ${statement}`,
      evidence,
    });
  }
  if (result.decision === "allowed") {
    return verdict(head, "pass", { message: `${d.roleArn}'s trust policy names ${target.taskRole} (or its account)`, evidence });
  }
  const denied = result.decision === "explicitDeny";
  const error = targetError(target, {
    code: "ROLE_NOT_TRUSTED",
    message: denied
      ? `${d.roleArn}'s trust policy denies ${target.taskRole} (${result.matched.join(", ")})`
      : `${d.roleArn}'s trust policy does not name the task role ${target.taskRole} or its account ${target.account}: the task's AssumeRole will be AccessDenied`,
    action: ASSUME,
    resource: d.roleArn,
    hint: denied
      ? `Remove or narrow the Deny (${result.matched.join(", ")}) in the trust policy of ${d.roleArn}.`
      : `Add this statement to the trust policy of ${d.roleArn} (in account ${accountOfArn(d.roleArn)}: aws iam update-assume-role-policy), or name the whole account (${accountRootArn(target.account, target.region)}) there: ${statement}`,
  });
  return verdict(head, "fail", { message: error.message, error, evidence });
}
