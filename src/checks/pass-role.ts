// Check `pass-role:<taskRole|executionRole>`: the deploy role may iam:PassRole the role to
// ecs-tasks.amazonaws.com (RegisterTaskDefinition needs it). Asked of IAM first
// (iam:SimulatePrincipalPolicy with the deploy role as policy source); when that call is denied or
// unavailable, the deploy role's own policies are read and evaluated locally; when neither works the
// verdict is "unverified" - never a guessed pass. Evidence says which method decided.
import type { DeployerError } from "../errors.js";
import { evaluateIdentityPolicies, type EvaluationResult } from "../iam/evaluator.js";
import { ECS_TASKS_SERVICE, type CheckContext, type RoleField } from "./context.js";
import { awsFailure, locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";

export function passRoleCheckId(role: RoleField): string {
  return `pass-role:${role}`;
}

const ROLE_LABEL: Record<RoleField, string> = { taskRole: "task role", executionRole: "execution role" };

/** The statement to add to the deploy role, for hints. */
export function passRoleStatement(roleArn: string): Record<string, unknown> {
  return {
    Effect: "Allow",
    Action: "iam:PassRole",
    Resource: roleArn,
    Condition: { StringEquals: { "iam:PassedToService": ECS_TASKS_SERVICE } },
  };
}

export async function checkPassRole(ctx: CheckContext, role: RoleField): Promise<CheckResult> {
  const { target } = ctx;
  const roleArn = target[role];
  const head = { id: passRoleCheckId(role), title: `deploy role can pass the ${ROLE_LABEL[role]} to ${ECS_TASKS_SERVICE}`, target };
  const denied = (method: string, decision: string, matched: string[], more: Record<string, unknown> = {}): CheckResult => {
    const error = targetError(target, {
      code: "PASSROLE_DENIED",
      message: `${target.deployRole} may not iam:PassRole ${roleArn} to ${ECS_TASKS_SERVICE} (${decision})`,
      action: "iam:PassRole",
      resource: roleArn,
      ...locationOf(target, role),
      hint:
        decision === "explicitDeny"
          ? `A Deny statement (${matched.join(", ") || "see the role's policies, boundary and SCPs"}) forbids it: narrow that Deny for ${roleArn}.`
          : `Add to a policy of ${target.deployRole}: ${JSON.stringify(passRoleStatement(roleArn))} (or fix \`${role}\` in ${whereWritten(target, role)}).`,
    });
    return verdict(head, "fail", {
      message: error.message,
      error,
      evidence: { ...more, method, decision, matchedStatements: matched, roleArn },
    });
  };

  // 1. Ask IAM.
  let simulateError: DeployerError | undefined;
  try {
    // One simulation per target covers both roles (shared through TargetReads).
    const simulated = await ctx.reads.passRoleSimulation();
    if (!simulated.ok) throw simulated.error;
    const results = simulated.value;
    const r =
      results.find((x) => x.action.toLowerCase() === "iam:passrole" && x.resource === roleArn) ??
      results.find((x) => x.action.toLowerCase() === "iam:passrole" && x.resource === "*");
    if (!r) throw new Error("iam:SimulatePrincipalPolicy returned no evaluation result");
    const decision = r.decision.toLowerCase();
    if (decision === "allowed") {
      return verdict(head, "pass", {
        message: `${target.deployRole} may pass ${roleArn} to ${ECS_TASKS_SERVICE}`,
        evidence: { method: "iam:SimulatePrincipalPolicy", decision: "allowed", matchedStatements: r.matchedStatements, roleArn },
      });
    }
    if (decision === "explicitdeny" || decision === "implicitdeny") {
      return denied("iam:SimulatePrincipalPolicy", decision === "explicitdeny" ? "explicitDeny" : "implicitDeny", r.matchedStatements);
    }
    throw new Error(`iam:SimulatePrincipalPolicy returned an unknown decision "${r.decision}"`);
  } catch (e) {
    simulateError = awsFailure(target, e, "iam:SimulatePrincipalPolicy", target.deployRole);
  }

  // 2. Read the deploy role's policies and evaluate them here.
  const read = await ctx.reads.deployRolePolicies();
  if (!read.ok) {
    return unverified(ctx, head, role, roleArn, simulateError, read.error);
  }
  const { policies, boundary, boundaryArn, boundaryError } = read.value;
  const result: EvaluationResult = evaluateIdentityPolicies({
    policies,
    boundary,
    action: "iam:PassRole",
    resource: roleArn,
    context: { "iam:PassedToService": ECS_TASKS_SERVICE, "aws:PrincipalArn": target.deployRole, "aws:PrincipalAccount": target.account },
  });
  const evidence = {
    method: "local-evaluation",
    decision: result.decision,
    matchedStatements: result.matched,
    policiesRead: policies.map((p) => p.name),
    boundary: boundaryArn ?? null,
    simulateError: simulateError.awsCode ?? simulateError.code,
    note: "local evaluation reads the role's identity policies and boundary; SCPs and session policies are not visible to it",
    roleArn,
  };
  if (result.decision === "explicitDeny") return denied("local-evaluation", "explicitDeny", result.matched, evidence);
  if (result.unsupported.length > 0) {
    return verdict(head, "unverified", {
      message: `could not decide whether ${target.deployRole} may pass ${roleArn}: its policies use condition operators deployer does not evaluate (${result.unsupported.join(", ")})`,
      hint: `Allow deployer's role iam:SimulatePrincipalPolicy on ${target.deployRole} so IAM can answer, or check the policies by hand.`,
      evidence: { ...evidence, unsupported: result.unsupported },
    });
  }
  if (result.decision === "implicitDeny") return denied("local-evaluation", "implicitDeny", result.matched, evidence);
  if (boundaryArn && !boundary) {
    return verdict(head, "unverified", {
      message: `${target.deployRole}'s policies allow passing ${roleArn}, but its permissions boundary ${boundaryArn} could not be read`,
      hint: `Allow iam:SimulatePrincipalPolicy, or iam:GetPolicy and iam:GetPolicyVersion on ${boundaryArn}, for ${target.deployRole}.`,
      evidence: { ...evidence, boundaryError: boundaryError?.message ?? "no way to read managed policies" },
    });
  }
  return verdict(head, "pass", {
    message: `${target.deployRole} may pass ${roleArn} to ${ECS_TASKS_SERVICE} (evaluated locally: ${result.matched.join(", ")})`,
    evidence,
  });
}

function unverified(
  ctx: CheckContext,
  head: { id: string; title: string; target: CheckContext["target"] },
  role: RoleField,
  roleArn: string,
  simulateError: DeployerError,
  readError: DeployerError,
): CheckResult {
  const { target } = ctx;
  const error = targetError(target, {
    code: "PASSROLE_UNVERIFIED",
    message: `could not verify that ${target.deployRole} may pass ${roleArn}: ${simulateError.action ?? "iam:SimulatePrincipalPolicy"} failed (${simulateError.awsCode ?? simulateError.code}) and reading the role's policies failed (${readError.action ?? "iam:ListRolePolicies"}: ${readError.awsCode ?? readError.code})`,
    action: "iam:PassRole",
    resource: roleArn,
    awsCode: readError.awsCode,
    awsMessage: readError.awsMessage,
    ...locationOf(target, role),
    hint: `Allow ${target.deployRole} iam:SimulatePrincipalPolicy on itself (or iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion) so deployer can check PassRole before deploying. --strict turns this warning into an error.`,
  });
  return verdict(head, "unverified", {
    message: error.message,
    error,
    evidence: { method: "none", simulateError: simulateError.message, readError: readError.message, roleArn },
  });
}
