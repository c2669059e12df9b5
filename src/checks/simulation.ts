// Reading iam:SimulatePrincipalPolicy finely: who denies, and when the answer cannot be known.
//
// IAM's simulator (as it answers since 2026-07-30: botocore 1.43.60, iam/2010-05-08/service-2.json,
// EvaluationResult / ResourceSpecificResult) says more than "allowed or not":
//  - OrganizationsDecisionDetail.AllowedByOrganizations false: a service control policy denies
//    (explicitly, or by not allowing) — "an SCP denies…", which no change to the role can fix;
//  - PermissionsBoundaryDecisionDetail.AllowedByPermissionsBoundary false: the role's permissions
//    boundary denies "regardless of the identity-based policy";
//  - MissingContextValues: condition keys the policies test that the request did not give
//    (aws:SourceVpce, aws:SourceIp, aws:PrincipalTag/…, iam:ResourceTag/…): IAM evaluated them as
//    absent, so its answer may not be the one the real request gets. Deployer cannot know those
//    values at preflight, so such an answer is *unverified* (a warning), never a failure — whether
//    IAM said allowed or denied (a Deny on a missing key, e.g. StringNotEquals aws:SourceVpce, is
//    exactly the case that decides at run time);
//  - explicitDeny with a matched statement: a Deny in an identity policy.
// Cross-account resources (an ECR repository of the central account): a role's simulation cannot
// include the resource's policy ("Simulation of resource-based policies isn't supported for IAM
// roles", SimulatePrincipalPolicyRequest.ResourcePolicy/CallerArn), so IAM's overall decision there
// lacks the resource side. Deployer evaluates the resource policy itself; from the simulation it
// reads only the identity side: EvalDecisionDetails when IAM gives it (per policy type), else an
// implicitDeny that still matched identity Allow statements (they "determine the result", and no
// SCP or boundary flag says otherwise) is the identity side allowing.
import type { SimulationResult } from "../aws/ports.js";

export type Denier = "scp" | "boundary" | "explicit-deny" | "no-allow";

export type Access =
  | { kind: "allowed"; matched: string[]; identityOnly?: boolean }
  | { kind: "denied"; by: Denier; matched: string[] }
  | { kind: "unverified"; missing: string[]; matched: string[]; decision: string };

/** The simulation's answer for one (action, resource), or undefined when IAM returned none for it. */
export function findResult(results: SimulationResult[], action: string, resource: string): SimulationResult | undefined {
  const a = action.toLowerCase();
  const forAction = results.filter((x) => x.action.toLowerCase() === a);
  // A simulation without ResourceArns answers for "*" only.
  return forAction.find((x) => x.resource === resource) ?? (forAction.every((x) => x.resource === "*") ? forAction[0] : undefined);
}

/**
 * What one simulated (action, resource) means. `crossAccountResource`: the resource is another
 * account's and its resource policy is evaluated elsewhere; only the identity side is read here.
 */
export function readAccess(r: SimulationResult, opts: { crossAccountResource?: boolean } = {}): Access {
  const decision = r.decision.toLowerCase();
  const matched = r.matchedStatements;
  if (decision === "allowed") return { kind: "allowed", matched };
  if (r.allowedByOrganizations === false) return { kind: "denied", by: "scp", matched };
  if (r.missingContextValues.length > 0) return { kind: "unverified", missing: r.missingContextValues, matched, decision: r.decision };
  if (r.allowedByPermissionsBoundary === false) return { kind: "denied", by: "boundary", matched };
  if (decision === "explicitdeny") return { kind: "denied", by: "explicit-deny", matched };
  if (opts.crossAccountResource && identitySideAllows(r)) return { kind: "allowed", matched, identityOnly: true };
  return { kind: "denied", by: "no-allow", matched };
}

function identitySideAllows(r: SimulationResult): boolean {
  const details = Object.entries(r.decisionDetails ?? {});
  const identity = details.filter(([type]) => !/resource/i.test(type));
  if (identity.length > 0) return identity.every(([, d]) => d.toLowerCase() === "allowed");
  return r.matchedStatements.length > 0;
}

/** "an SCP denies…", "the permissions boundary … denies…", "a Deny statement …", "no policy … allows…". */
export function denialText(
  by: Denier,
  who: string,
  action: string,
  resource: string,
  opts: { boundaryArn?: string; matched?: string[] } = {},
): string {
  switch (by) {
    case "scp":
      return `an SCP denies ${action} on ${resource} to ${who} (IAM's simulation: AllowedByOrganizations false)`;
    case "boundary":
      return `the permissions boundary${opts.boundaryArn ? ` ${opts.boundaryArn}` : ""} of ${who} denies ${action} on ${resource}`;
    case "explicit-deny":
      return `a Deny statement${opts.matched?.length ? ` (${opts.matched.join(", ")})` : ""} forbids ${who} ${action} on ${resource}`;
    case "no-allow":
      return `no policy of ${who} allows ${action} on ${resource}`;
  }
}

/**
 * The hint for a denial, with the statement to paste where it belongs. `statement` is what to add
 * to the role's identity policy (or, for a boundary, to the boundary).
 */
export function denialHint(
  by: Denier,
  who: string,
  statement: Record<string, unknown>,
  opts: { boundaryArn?: string; matched?: string[] } = {},
): string {
  const json = JSON.stringify(statement);
  switch (by) {
    case "scp":
      return `A service control policy of the organization forbids it; no change to ${who} can allow it. Ask the organization's administrators to exempt it from the SCP (the statement ${who} needs: ${json}).`;
    case "boundary":
      return `Allow it in the permissions boundary${opts.boundaryArn ? ` ${opts.boundaryArn}` : ""} of ${who} (the boundary caps every policy of the role): ${json}`;
    case "explicit-deny":
      return `Narrow the Deny${opts.matched?.length ? ` (${opts.matched.join(", ")})` : ""} so it no longer covers this request; ${who} needs: ${json}`;
    case "no-allow":
      return `Add to a policy of ${who}: ${json}`;
  }
}

/** An IAM policy statement for a hint. */
export function allowStatement(
  actions: string | string[],
  resources: string | string[],
  condition?: Record<string, unknown>,
): Record<string, unknown> {
  return {
    Effect: "Allow",
    Action: actions,
    Resource: resources,
    ...(condition ? { Condition: condition } : {}),
  };
}
