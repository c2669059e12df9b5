// Check `assume-role` for a run that only reads (plan, check with a `viewRole`): may the identity
// deployer runs as assume the target's deploy role? Answered WITHOUT assuming it (issue 18: a read-only
// run never holds deploy-role credentials): the deploy role's trust policy is read with iam:GetRole
// from the viewer session and evaluated locally (src/iam/evaluator.ts) for the caller's principal and
// the configured ExternalId. A run that writes assumes the role instead (assume-role.ts).
//
// What AWS evaluates, and what this check models:
// - The caller is the base credentials' identity, from sts:GetCallerIdentity. Its ARN is
//   arn:aws:iam::A:user/NAME, arn:aws:sts::A:assumed-role/ROLE/SESSION, arn:aws:sts::A:federated-user/NAME
//   or arn:aws:iam::A:root (https://docs.aws.amazon.com/STS/latest/APIReference/API_GetCallerIdentity.html).
// - A trust policy's Principal may name the account (arn:aws:iam::A:root: "the account delegates"),
//   the role (matched by the role behind an assumed-role session) or the session itself
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles,
//   #principal-role-session).
// - aws:PrincipalArn is the role's ARN (not the session's) for an assumed-role session, the user's ARN
//   for a user (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html#condition-keys-principalarn).
//   GetCallerIdentity does not show a role's path: a trust that names the caller role with a path is
//   tried with that path too (same account, same name: the same role).
// - aws:PrincipalAccount is the caller's account (same page, #condition-keys-principalaccount).
// - sts:ExternalId is the ExternalId the AssumeRole request sends; absent when none is configured
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_common-scenarios_third-party.html,
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_iam-condition-keys.html#ck_externalid).
// - Across accounts, the trust allowing is not enough: the caller's own identity policy must allow
//   sts:AssumeRole on the role too (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic-cross-account.html).
//   That policy lives in the caller's account, which the viewer cannot read: the evidence says the
//   identity side is not evaluated (the viewer role's own assume-view-role check shows the same
//   identity assuming roles).
import type { CallerIdentity } from "../aws/ports.js";
import { accountOfArn, roleNameOf } from "../config/aws-names.js";
import { evaluateTrustPolicy, type EvaluationResult, type RequestContext } from "../iam/evaluator.js";
import { isAccessDenied, locationOf, targetError, verdict, whereWritten, type CheckResult } from "./check-result.js";
import type { CheckContext } from "./context.js";
import { ASSUME_ROLE_CHECK } from "./assume-role.js";

/** The principal ARN aws:PrincipalArn carries for a caller identity (the role, for an assumed-role session). */
export function principalArnOf(callerArn: string): { principalArn: string; role?: { account: string; name: string; partition: string } } {
  const m = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\/.+$/.exec(callerArn);
  if (!m) return { principalArn: callerArn };
  const [, partition, account, name] = m as unknown as [string, string, string, string];
  return { principalArn: `arn:${partition}:iam::${account}:role/${name}`, role: { account, name, partition } };
}

/** Role ARNs with a path, written in the trust policy, that name the caller's role (GetCallerIdentity omits the path). */
function pathVariants(trust: unknown, role: { account: string; name: string; partition: string }): string[] {
  const found = new Set<string>();
  const walk = (v: unknown) => {
    if (typeof v === "string") {
      const prefix = `arn:${role.partition}:iam::${role.account}:role/`;
      if (v.startsWith(prefix) && v.includes("/", prefix.length) && roleNameOf(v) === role.name) found.add(v);
    } else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(trust);
  return [...found];
}

/** The trust statement that lets `caller` assume the deploy role with the configured ExternalId. */
export function deployTrustStatement(principalArn: string, externalId: string | undefined): Record<string, unknown> {
  return {
    Effect: "Allow",
    Principal: { AWS: principalArn },
    Action: "sts:AssumeRole",
    ...(externalId !== undefined ? { Condition: { StringEquals: { "sts:ExternalId": externalId } } } : {}),
  };
}

/**
 * The deploy role's trust, evaluated for the caller (never assumed). `caller`: the base credentials'
 * identity (sts:GetCallerIdentity, memoised by the session factory).
 */
export async function checkDeployRoleTrust(ctx: CheckContext, caller: () => Promise<CallerIdentity>): Promise<CheckResult> {
  const { target } = ctx;
  const roleArn = target.deployRole;
  const head = { ...ASSUME_ROLE_CHECK, target };
  const externalId = target.externalId;
  const sent = externalId !== undefined ? `ExternalId "${externalId}"` : "no ExternalId";
  const base = { method: "local-evaluation", action: "sts:AssumeRole", roleArn, externalIdSent: externalId !== undefined, assumed: false };

  let identity: CallerIdentity;
  try {
    identity = await caller();
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return verdict(head, "unverified", {
      message: `could not tell who deployer runs as (sts:GetCallerIdentity: ${message}): whether it may assume ${roleArn} is unverified`,
      hint: "This run only reads, so it does not assume the deploy role; a rollout does, before any write. --strict turns this warning into an error.",
      evidence: base,
    });
  }

  const read = await ctx.reads.role(roleArn);
  if (!read.ok || !read.value) {
    return verdict(head, read.ok ? "fail" : "unverified", {
      message: read.ok
        ? `the deploy role ${roleArn} does not exist`
        : `could not read the trust policy of ${roleArn} (iam:GetRole: ${read.error.awsCode ?? read.error.code}): whether ${identity.arn} may assume it is unverified`,
      hint: read.ok
        ? `Create the role in ${target.account}, or fix \`deployRole\` in ${whereWritten(target, "deployRole")}.`
        : `Allow ${target.viewRole ?? "the viewer role"} iam:GetRole on ${roleArn} (deployer iam grants it) so deployer can read its trust without assuming it. --strict turns this warning into an error.`,
      ...(read.ok
        ? {
            error: targetError(target, {
              code: "ROLE_NOT_FOUND",
              message: `the deploy role ${roleArn} does not exist`,
              action: "iam:GetRole",
              resource: roleArn,
              awsCode: "NoSuchEntity",
              ...locationOf(target, "deployRole"),
            }),
          }
        : isAccessDenied(read.error)
          ? { error: read.error }
          : {}),
      evidence: { ...base, caller: identity.arn },
    });
  }

  const { principalArn, role } = principalArnOf(identity.arn);
  const principalArns = [principalArn, ...(role ? pathVariants(read.value.trustPolicy, role) : [])];
  const callerAccount = identity.account || accountOfArn(identity.arn) || "";
  let result: EvaluationResult | undefined;
  let usedContext: RequestContext = {};
  for (const arn of principalArns) {
    const context: RequestContext = {
      "aws:PrincipalArn": arn,
      "aws:PrincipalAccount": callerAccount,
      ...(externalId !== undefined ? { "sts:ExternalId": externalId } : {}),
    };
    const r = evaluateTrustPolicy({
      trustPolicy: { name: `trust:${read.value.name}`, document: read.value.trustPolicy },
      principal: { type: "AWS", id: identity.arn },
      roleArn: read.value.arn,
      context,
    });
    result = r;
    usedContext = context;
    if (r.decision === "allowed" && !r.uncertain) break;
  }
  const r = result!;
  const crossAccount = callerAccount !== target.account;
  const evidence = {
    ...base,
    caller: identity.arn,
    principalArn: usedContext["aws:PrincipalArn"],
    decision: r.decision,
    matchedStatements: r.matched,
    ...(crossAccount
      ? {
          identitySide: `not evaluated: ${identity.arn}'s own policies (account ${callerAccount}) must allow sts:AssumeRole on ${roleArn} too`,
        }
      : {}),
  };
  if (r.uncertain) {
    return verdict(head, "unverified", {
      message: `${roleArn}'s trust policy uses condition operators deployer does not evaluate (${r.unsupported.join(", ")}): whether ${identity.arn} may assume it is unverified`,
      hint: `Check by hand that it lets ${principalArn} sts:AssumeRole with ${sent}. --strict turns this warning into an error.`,
      evidence: { ...evidence, unsupported: r.unsupported, uncertainDenies: r.uncertainDenies },
    });
  }
  if (r.decision === "allowed") {
    return verdict(head, "pass", {
      message: `${roleArn}'s trust lets ${identity.arn} assume it with ${sent} (its trust policy, read as the viewer role: this run does not assume the deploy role)`,
      evidence,
    });
  }
  const statement = JSON.stringify(deployTrustStatement(principalArn, externalId));
  const message =
    r.decision === "explicitDeny"
      ? `${roleArn}'s trust policy denies ${identity.arn} sts:AssumeRole (${r.matched.join(", ")})`
      : `${roleArn}'s trust policy does not let ${principalArn} sts:AssumeRole it with ${sent}`;
  const error = targetError(target, {
    code: "ASSUME_ROLE_DENIED",
    message,
    action: "sts:AssumeRole",
    resource: roleArn,
    ...locationOf(target, "deployRole"),
    hint:
      r.decision === "explicitDeny"
        ? `Remove or narrow the Deny (${r.matched.join(", ")}) in the trust policy of ${roleArn}.`
        : `Add this statement to the trust policy of ${roleArn} (aws iam update-assume-role-policy), or fix the externalId in ${whereWritten(target, "externalId")}: ${statement}`,
  });
  return verdict(head, "fail", { message, error, evidence });
}
