// Authorisation: every call is evaluated with @cloud-copilot/iam-simulate against the caller's
// identity policies (inline + managed, permissions boundary) and, where the resource has one, its
// resource policy (role trust policy, ECR repository policy). Denials are phrased as AWS phrases them.
import { getDenialReasons, runSimulation } from "@cloud-copilot/iam-simulate";
import type { PolicyDocument } from "./fixture.js";
import type { IamRole, IamUser, PrincipalRef, World } from "./world.js";

export interface Caller {
  /** arn:aws:iam::A:user/NAME or arn:aws:sts::A:assumed-role/ROLE/SESSION */
  arn: string;
  account: string;
  /** AIDA… for users, AROA…:SESSION for assumed roles */
  userId: string;
  ref: PrincipalRef;
  /** The IAM entity whose policies apply. */
  entity: IamUser | IamRole;
}

export type Decision = "allowed" | "implicitDeny" | "explicitDeny";

export interface Evaluation {
  decision: Decision;
  /** Which kind of policy denied (for the message): identity, resource, pb (boundary), ... */
  deniedBy?: string;
  /** Ids of policies with statements that matched (identity side), for SimulatePrincipalPolicy. */
  matchedPolicies: string[];
}

export function callerFor(world: World, ref: PrincipalRef): Caller | undefined {
  const acct = world.account(ref.account);
  if (!acct) return undefined;
  if (ref.kind === "user") {
    const u = acct.users.get(ref.userName);
    return u && { arn: u.arn, account: u.account, userId: u.userId, ref, entity: u };
  }
  const r = acct.roles.get(ref.roleName);
  return (
    r && {
      arn: `arn:aws:sts::${r.account}:assumed-role/${r.name}/${ref.sessionName}`,
      account: r.account,
      userId: `${r.roleId}:${ref.sessionName}`,
      ref,
      entity: r,
    }
  );
}

export function identityPolicies(world: World, entity: IamUser | IamRole): { name: string; policy: PolicyDocument }[] {
  const out: { name: string; policy: PolicyDocument }[] = [];
  for (const [name, doc] of entity.inlinePolicies) out.push({ name, policy: doc });
  for (const arn of entity.managedPolicies) {
    const p = world.policyByArn(arn);
    if (p) out.push({ name: p.arn, policy: p.document });
  }
  return out;
}

export interface EvaluateInput {
  /** Principal ARN as the simulator should see it (caller ARN, or a role ARN for simulations). */
  principalArn: string;
  principalAccount: string;
  policies: { name: string; policy: PolicyDocument }[];
  boundary?: PolicyDocument;
  action: string;
  resource: string;
  resourceAccount: string;
  context?: Record<string, string | string[]>;
  resourcePolicy?: PolicyDocument;
}

export class PolicyEvaluationError extends Error {}

export async function evaluate(input: EvaluateInput): Promise<Evaluation> {
  const result = await runSimulation(
    {
      request: {
        principal: input.principalArn,
        action: input.action,
        resource: { resource: input.resource, accountId: input.resourceAccount },
        contextVariables: input.context ?? {},
      },
      identityPolicies: input.policies,
      permissionBoundaryPolicies: input.boundary ? [{ name: "boundary", policy: input.boundary }] : undefined,
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy: input.resourcePolicy,
    },
    {},
  );
  if (result.resultType === "error") {
    throw new PolicyEvaluationError(`policy evaluation failed for ${input.action} on ${input.resource}: ${JSON.stringify(result.errors)}`);
  }
  const decision: Decision =
    result.overallResult === "Allowed" ? "allowed" : result.overallResult === "ExplicitlyDenied" ? "explicitDeny" : "implicitDeny";
  const analyses = result.resultType === "single" ? [result.result.analysis] : result.results.map((r) => r.analysis);
  const matched = new Set<string>();
  for (const a of analyses) {
    for (const s of [...(a.identityAnalysis?.allowStatements ?? []), ...(a.identityAnalysis?.denyStatements ?? [])]) {
      if (s.policyId) matched.add(s.policyId);
    }
  }
  let deniedBy: string | undefined;
  if (decision !== "allowed") {
    const reasons = analyses.flatMap((a) => getDenialReasons(a));
    const wanted = decision === "explicitDeny" ? "Explicit" : "Implicit";
    deniedBy = reasons.find((r) => r.denialType === wanted)?.policyType ?? reasons[0]?.policyType ?? "identity";
  }
  return { decision, deniedBy, matchedPolicies: [...matched] };
}

const POLICY_KIND: Record<string, string> = {
  identity: "identity-based policy",
  resource: "resource-based policy",
  pb: "permissions boundary",
  scp: "service control policy",
  rcp: "resource control policy",
  vpce: "VPC endpoint policy",
};

/** "User: ARN is not authorized to perform: ACTION on resource: RES because no identity-based policy allows the ACTION action" */
export function accessDeniedMessage(callerArn: string, action: string, resource: string, e: Evaluation, withReason = true): string {
  const base = `User: ${callerArn} is not authorized to perform: ${action} on resource: ${resource}`;
  if (!withReason) return base;
  const kind = POLICY_KIND[e.deniedBy ?? "identity"] ?? "identity-based policy";
  if (e.decision === "explicitDeny") return `${base} with an explicit deny in ${kind.startsWith("identity") ? "an" : "a"} ${kind}`;
  return `${base} because no ${kind} allows the ${action} action`;
}
