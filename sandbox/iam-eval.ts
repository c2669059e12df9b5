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

/** Where a matched statement came from (for SimulatePrincipalPolicy's MatchedStatements). */
export interface MatchedStatement {
  policyId: string;
  /** identity, permissions boundary or resource policy (SCP statements are never reported: see services/iam.ts). */
  kind: "identity" | "pb" | "resource";
}

export interface Evaluation {
  decision: Decision;
  /** Which kind of policy denied (for the message): identity, resource, pb (boundary), scp, ... */
  deniedBy?: string;
  /** Ids of identity policies with statements that matched, for SimulatePrincipalPolicy. */
  matchedPolicies: string[];
  matched: MatchedStatement[];
  /** Whether the SCPs allow it; undefined when the principal's account is in no organization. */
  allowedByOrganizations?: boolean;
  /** Whether the permissions boundary allows it; undefined without a boundary. */
  allowedByPermissionsBoundary?: boolean;
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
  /** The boundary's id in MatchedStatements (its policy ARN). */
  boundaryName?: string;
  action: string;
  resource: string;
  resourceAccount: string;
  context?: Record<string, string | string[]>;
  resourcePolicy?: PolicyDocument;
  /**
   * The SCPs that apply to the principal's account (undefined: not in an organization). SCPs limit
   * every IAM user and role of a member account, also in cross-account requests, and never grant
   * anything (https://docs.aws.amazon.com/organizations/latest/userguide/orgs_manage_policies_scps.html;
   * evaluation order: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html).
   */
  scps?: { name: string; policy: PolicyDocument }[];
}

export class PolicyEvaluationError extends Error {}

/** The SCPs of an account, as evaluate() takes them (undefined: not in an organization). */
export function scpsFor(world: World, account: string): { name: string; policy: PolicyDocument }[] | undefined {
  const org = world.account(account)?.organization;
  return org?.serviceControlPolicies.map((p) => ({ name: p.name, policy: p.document }));
}

/**
 * What AWS itself puts in the request context of a real call (global condition keys,
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html): who the
 * principal is, where the request comes from (127.0.0.1; TLS, as every AWS endpoint has it), the
 * region and the time. Keys AWS sets only in some requests (aws:SourceVpce, aws:PrincipalTag/… of
 * an untagged principal, aws:PrincipalOrgID …) stay absent, as for a caller outside a VPC endpoint.
 */
export function requestContext(principal: { arn: string; account: string; userId: string; user?: string }, region: string, now: number) {
  return {
    "aws:PrincipalArn": principal.arn,
    "aws:PrincipalAccount": principal.account,
    "aws:PrincipalType": principal.user ? "User" : "AssumedRole",
    "aws:userid": principal.userId,
    ...(principal.user ? { "aws:username": principal.user } : {}),
    "aws:SourceIp": "127.0.0.1",
    "aws:SecureTransport": "true",
    "aws:RequestedRegion": region,
    "aws:CurrentTime": new Date(now).toISOString().replace(/\.\d{3}Z$/, "Z"),
    "aws:EpochTime": String(Math.floor(now / 1000)),
  } as Record<string, string>;
}

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
      permissionBoundaryPolicies: input.boundary ? [{ name: input.boundaryName ?? "boundary", policy: input.boundary }] : undefined,
      serviceControlPolicies: input.scps ? [{ orgIdentifier: `sandbox-org/${input.principalAccount}`, policies: input.scps }] : [],
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
  const seen = new Set<string>();
  const matched: MatchedStatement[] = [];
  const add = (policyId: string | undefined, kind: MatchedStatement["kind"]) => {
    if (!policyId || seen.has(`${kind}/${policyId}`)) return;
    seen.add(`${kind}/${policyId}`);
    matched.push({ policyId, kind });
  };
  for (const a of analyses) {
    for (const st of [...(a.identityAnalysis?.allowStatements ?? []), ...(a.identityAnalysis?.denyStatements ?? [])])
      add(st.policyId, "identity");
    for (const st of [...(a.permissionBoundaryAnalysis?.allowStatements ?? []), ...(a.permissionBoundaryAnalysis?.denyStatements ?? [])]) {
      add(st.policyId, "pb");
    }
    if ((a.resourceAnalysis?.allowStatements.length ?? 0) + (a.resourceAnalysis?.denyStatements.length ?? 0) > 0)
      add("resource", "resource");
  }
  let deniedBy: string | undefined;
  if (decision !== "allowed") {
    const reasons = analyses.flatMap((a) => getDenialReasons(a));
    const wanted = decision === "explicitDeny" ? "Explicit" : "Implicit";
    deniedBy = reasons.find((r) => r.denialType === wanted)?.policyType ?? reasons[0]?.policyType ?? "identity";
  }
  const allowedBy = (get: (a: (typeof analyses)[number]) => { result: string } | undefined) =>
    analyses.every((a) => (get(a)?.result ?? "Allowed") === "Allowed");
  return {
    decision,
    deniedBy,
    matchedPolicies: matched.filter((m) => m.kind === "identity").map((m) => m.policyId),
    matched,
    ...(input.scps ? { allowedByOrganizations: allowedBy((a) => a.scpAnalysis) } : {}),
    ...(input.boundary ? { allowedByPermissionsBoundary: allowedBy((a) => a.permissionBoundaryAnalysis) } : {}),
  };
}

/** Whether an IAM action pattern (with * and ?) matches an action, case-insensitively. */
export function actionMatches(pattern: string, action: string): boolean {
  const escaped = pattern
    .replace(/[.+^${}()|[\]\\]/g, "\\$&")
    .replace(/\*/g, ".*")
    .replace(/\?/g, ".");
  return new RegExp(`^${escaped}$`, "i").test(action);
}

/**
 * The condition keys that the statements applying to `action` test and `context` does not give:
 * SimulatePrincipalPolicy's MissingContextValues ("A list of context keys that are required by the
 * included input policies but that were not provided by one of the input parameters", botocore
 * iam/2010-05-08/service-2.json EvaluationResult.MissingContextValues). Only condition keys count,
 * not policy variables inside values.
 */
export function missingContextKeys(policies: PolicyDocument[], action: string, context: Record<string, unknown>): string[] {
  const given = new Set(Object.keys(context).map((k) => k.toLowerCase()));
  const out = new Map<string, string>();
  for (const doc of policies) {
    const statements = (Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement]) as Record<string, unknown>[];
    for (const st of statements) {
      const actions = st.Action ?? st.NotAction;
      const list = (Array.isArray(actions) ? actions : [actions]).filter((a): a is string => typeof a === "string");
      const hit = list.some((p) => actionMatches(p, action));
      const applies = st.Action !== undefined ? hit : !hit;
      if (!applies || !st.Condition || typeof st.Condition !== "object") continue;
      for (const block of Object.values(st.Condition as Record<string, unknown>)) {
        if (!block || typeof block !== "object") continue;
        for (const key of Object.keys(block)) {
          const k = key.toLowerCase();
          if (!given.has(k) && !out.has(k)) out.set(k, key);
        }
      }
    }
  }
  return [...out.values()];
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
  // An SCP denial reads "with an explicit deny in a service control policy" "even if the denial is
  // implicit" (https://docs.aws.amazon.com/IAM/latest/UserGuide/troubleshoot_access-denied.html).
  if (e.decision === "explicitDeny" || e.deniedBy === "scp")
    return `${base} with an explicit deny in ${kind.startsWith("identity") ? "an" : "a"} ${kind}`;
  return `${base} because no ${kind} allows the ${action} action`;
}
