// Check `pass-role:<taskRole|executionRole>`: the deploy role may iam:PassRole the role to
// ecs-tasks.amazonaws.com (RegisterTaskDefinition needs it). Asked of IAM in the deploy role's one
// simulation (deploy-role.ts: PassRole and the three writes together), read finely (simulation.ts:
// an SCP, the permissions boundary, a Deny, or no Allow; unknowable context keys make it
// unverified); when that call is refused, the deploy role's own policies are read and evaluated
// locally; when neither works the verdict is "unverified" - never a guessed pass. Evidence says which
// method decided.
import { ECS_TASKS_SERVICE, type CheckContext, type RoleField } from "./context.js";
import { locationOf, targetError, verdict, whereWritten } from "./check-result.js";
import type { CheckResult } from "./check-result.js";
import { answerFor, deployRoleAnswers } from "./deploy-role.js";
import { denialHint, denialText } from "./simulation.js";

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
  const all = await deployRoleAnswers(ctx);
  const answer = answerFor(all, "iam:PassRole", roleArn);
  const { simulateError, readError, policiesRead, boundaryArn } = all.answers;
  const localEvidence =
    answer.method === "local-evaluation"
      ? {
          policiesRead: policiesRead ?? [],
          boundary: boundaryArn ?? null,
          simulateError: simulateError?.awsCode ?? simulateError?.code,
          note: "local evaluation reads the role's identity policies and boundary; SCPs and session policies are not visible to it",
        }
      : {};

  if (answer.verdict === "allowed") {
    return verdict(head, "pass", {
      message:
        answer.method === "local-evaluation"
          ? `${target.deployRole} may pass ${roleArn} to ${ECS_TASKS_SERVICE} (evaluated locally: ${answer.matched.join(", ")})`
          : `${target.deployRole} may pass ${roleArn} to ${ECS_TASKS_SERVICE}`,
      evidence: { method: answer.method, decision: "allowed", matchedStatements: answer.matched, roleArn, ...localEvidence },
    });
  }

  if (answer.verdict === "unverified") {
    if (answer.method === "none") {
      const error = targetError(target, {
        code: "PASSROLE_UNVERIFIED",
        message: `could not verify that ${target.deployRole} may pass ${roleArn}: ${answer.why}`,
        action: "iam:PassRole",
        resource: roleArn,
        awsCode: readError?.awsCode,
        awsMessage: readError?.awsMessage,
        ...locationOf(target, role),
        hint: `Allow ${target.deployRole} iam:SimulatePrincipalPolicy on itself (or iam:GetRole, iam:ListRolePolicies, iam:GetRolePolicy, iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion) so deployer can check PassRole before deploying. --strict turns this warning into an error.`,
      });
      return verdict(head, "unverified", {
        message: error.message,
        error,
        evidence: { method: "none", simulateError: simulateError?.message, readError: readError?.message, roleArn },
      });
    }
    return verdict(head, "unverified", {
      message: `could not decide whether ${target.deployRole} may pass ${roleArn}: ${answer.why}`,
      hint:
        answer.method === "local-evaluation"
          ? `Allow deployer's role iam:SimulatePrincipalPolicy on ${target.deployRole} so IAM can answer, or check the policies by hand.`
          : `The answer depends on the request's context; check by hand that ${target.deployRole} may pass ${roleArn} to ${ECS_TASKS_SERVICE}. --strict turns this warning into an error.`,
      evidence: {
        method: answer.method,
        decision: "unverified",
        roleArn,
        ...(answer.missing ? { missingContextValues: answer.missing } : {}),
        ...(answer.unsupported ? { unsupported: answer.unsupported } : {}),
        ...localEvidence,
      },
    });
  }

  const decision = answer.by === "explicit-deny" ? "explicitDeny" : "implicitDeny";
  const opts = { boundaryArn: boundaryArn ?? (await boundaryOf(ctx)), matched: answer.matched };
  const statement = passRoleStatement(roleArn);
  const error = targetError(target, {
    code: "PASSROLE_DENIED",
    message: `${target.deployRole} may not iam:PassRole ${roleArn} to ${ECS_TASKS_SERVICE}: ${denialText(answer.by, target.deployRole, "iam:PassRole", roleArn, opts)}`,
    action: "iam:PassRole",
    resource: roleArn,
    ...locationOf(target, role),
    hint:
      answer.by === "no-allow"
        ? `${denialHint(answer.by, target.deployRole, statement)} (or fix \`${role}\` in ${whereWritten(target, role)}).`
        : denialHint(answer.by, target.deployRole, statement, opts),
  });
  return verdict(head, "fail", {
    message: error.message,
    error,
    evidence: { method: answer.method, decision, deniedBy: answer.by, matchedStatements: answer.matched, roleArn, ...localEvidence },
  });
}

async function boundaryOf(ctx: CheckContext): Promise<string | undefined> {
  const role = await ctx.reads.role(ctx.target.deployRole);
  return role.ok ? role.value?.permissionsBoundaryArn : undefined;
}
