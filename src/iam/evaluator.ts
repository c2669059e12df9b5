// deployer's own IAM policy evaluator: small, strict, and conservative. It answers the three
// questions preflight asks when AWS cannot answer them for us:
//   - may the deploy role iam:PassRole a role to ecs-tasks.amazonaws.com (identity policies +
//     permissions boundary, when iam:SimulatePrincipalPolicy is denied);
//   - does a role's trust policy let ecs-tasks.amazonaws.com sts:AssumeRole it;
//   - does an ECR repository policy let a target account pull.
// Explicit Deny wins; Allow needs a matching statement (and, with a boundary, one there too).
// It never reads SCPs, RCPs or session policies: callers say so in their evidence.
// Tested differentially against @cloud-copilot/iam-simulate (a dev-only oracle, never imported here).
import type { PolicyDocument, PolicyStatement } from "../aws/ports.js";
import { contextLookup, evaluateConditions } from "./conditions.js";
import { principalMatch, type RequestPrincipal } from "./principal.js";
import { actionMatches, patternMatch, UNRESOLVABLE, type ContextLookup, type PatternMatch } from "./wildcard.js";

export type { RequestPrincipal } from "./principal.js";

export type Decision = "allowed" | "explicitDeny" | "implicitDeny";
export type RequestContext = Record<string, string | string[]>;

/** A policy with a name for evidence (`inline:deploy`, an ARN). Bare documents are named by position. */
export interface NamedPolicy {
  name: string;
  document: PolicyDocument;
}

export interface MatchedStatement {
  /** `policyName#Sid`, or `policyName#N` (0-based position) for statements without a Sid. */
  id: string;
  policy: string;
  effect: "Allow" | "Deny";
  statement: PolicyStatement;
}

export interface EvaluationResult {
  decision: Decision;
  /** Ids of the statements the decision rests on (the Denies when denied, the Allows when allowed). */
  matched: string[];
  statements: MatchedStatement[];
  /** Condition operators met that this evaluator does not implement (an Allow with one never applies). */
  unsupported: string[];
  /**
   * The answer may be wrong because of those operators: a Deny whose other conditions hold but that
   * has an operator deployer cannot evaluate (whether it applies is unknown: never an explicit deny),
   * or no Allow applies for sure while one with such an operator might. Callers report "unverified".
   */
  uncertain: boolean;
  /** Ids of the Denies that apply unless their unsupported conditions fail (see `uncertain`). */
  uncertainDenies: string[];
}

export interface IdentityRequest {
  policies: Array<PolicyDocument | NamedPolicy>;
  boundary?: PolicyDocument | NamedPolicy;
  action: string;
  resource: string;
  context: RequestContext;
}

export interface ResourcePolicyRequest {
  policy: PolicyDocument | NamedPolicy;
  principal: RequestPrincipal;
  action: string;
  resource: string;
  context: RequestContext;
}

export interface TrustRequest {
  trustPolicy: PolicyDocument | NamedPolicy;
  principal: RequestPrincipal;
  /** The role being assumed. */
  roleArn: string;
  /** sts:AssumeRole unless told otherwise (sts:TagSession, sts:AssumeRoleWithWebIdentity…). */
  action?: string;
  context: RequestContext;
}

function named(p: PolicyDocument | NamedPolicy, fallback: string): NamedPolicy {
  return "document" in p && "name" in p ? p : { name: fallback, document: p };
}

function asList<T>(v: T | T[] | undefined): T[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

interface RequestFacts {
  action: string;
  resource: string;
  lookup: ContextLookup;
  principal?: RequestPrincipal;
  /** Resource policies may omit Resource (ECR, trust policies): the resource is then implied. */
  resourceOptional: boolean;
}

type StatementOutcome = "applies" | "maybe" | "not-applicable";

function statementApplies(st: PolicyStatement, facts: RequestFacts, variables: boolean, unsupported: string[]): StatementOutcome {
  // Action / NotAction (exactly one of them must be present).
  if (st.Action !== undefined) {
    if (!asList(st.Action).some((a) => actionMatches(a, facts.action))) return "not-applicable";
  } else if (st.NotAction !== undefined) {
    if (asList(st.NotAction).some((a) => actionMatches(a, facts.action))) return "not-applicable";
  } else return "not-applicable";

  // Resource / NotResource. A pattern whose policy variables deployer cannot resolve (wildcard.ts
  // UNRESOLVABLE) leaves the statement one that may or may not apply, like an unsupported operator.
  const vars = variables ? facts.lookup : undefined;
  const resMatch = (r: string): PatternMatch => patternMatch(r, facts.resource, { ignoreCase: false, wildcards: true, variables: vars });
  const unresolved = (patterns: string[]) => patterns.filter((r) => resMatch(r) === UNRESOLVABLE).map((r) => `Resource(${r})`);
  let resourceUnknown: string[] = [];
  if (st.Resource !== undefined) {
    const patterns = asList(st.Resource);
    if (!patterns.some((r) => resMatch(r) === true)) {
      resourceUnknown = unresolved(patterns);
      if (resourceUnknown.length === 0) return "not-applicable";
    }
  } else if (st.NotResource !== undefined) {
    const patterns = asList(st.NotResource);
    if (patterns.some((r) => resMatch(r) === true)) return "not-applicable";
    resourceUnknown = unresolved(patterns);
  } else if (!facts.resourceOptional) return "not-applicable";

  // Principal / NotPrincipal (resource policies only). An undocumented form (principal.ts) leaves the
  // statement one that may or may not apply, like an unresolvable Resource.
  if (facts.principal) {
    if (st.Principal !== undefined) {
      const m = principalMatch(st.Principal, facts.principal);
      if (m === false) return "not-applicable";
      if (m === UNRESOLVABLE) resourceUnknown.push("Principal(Service: *)");
    } else if (st.NotPrincipal !== undefined) {
      const m = principalMatch(st.NotPrincipal, facts.principal);
      if (m === true) return "not-applicable";
      if (m === UNRESOLVABLE) resourceUnknown.push("NotPrincipal(Service: *)");
    } else return "not-applicable";
  }

  const cond = evaluateConditions(st.Condition, facts.lookup, variables);
  if (resourceUnknown.length > 0) cond.unsupported.unshift(...resourceUnknown);
  unsupported.push(...cond.unsupported);
  if (cond.matches && resourceUnknown.length === 0) return "applies";
  // Every condition deployer can evaluate holds, but some it cannot: it may or may not apply.
  return cond.supportedMatch && cond.unsupported.length > 0 ? "maybe" : "not-applicable";
}

interface PolicyScan {
  allows: MatchedStatement[];
  denies: MatchedStatement[];
  maybeAllows: MatchedStatement[];
  maybeDenies: MatchedStatement[];
}

function scanPolicy(p: NamedPolicy, facts: RequestFacts, unsupported: string[]): PolicyScan {
  const out: PolicyScan = { allows: [], denies: [], maybeAllows: [], maybeDenies: [] };
  const statements = asList(p.document?.Statement);
  const variables = p.document?.Version === "2012-10-17";
  statements.forEach((st, i) => {
    if (!st || (st.Effect !== "Allow" && st.Effect !== "Deny")) return;
    const outcome = statementApplies(st, facts, variables, unsupported);
    if (outcome === "not-applicable") return;
    const m: MatchedStatement = { id: `${p.name}#${st.Sid ?? i}`, policy: p.name, effect: st.Effect, statement: st };
    if (outcome === "maybe") (st.Effect === "Deny" ? out.maybeDenies : out.maybeAllows).push(m);
    else (st.Effect === "Deny" ? out.denies : out.allows).push(m);
  });
  return out;
}

function result(decision: Decision, statements: MatchedStatement[], unsupported: string[], maybe: MaybeSets): EvaluationResult {
  // Uncertain: a Deny that might apply where the answer would otherwise be allowed, or an Allow that
  // might apply where nothing else allows.
  const uncertain = (decision === "allowed" && maybe.denies.length > 0) || (decision === "implicitDeny" && maybe.allows.length > 0);
  return {
    decision,
    matched: statements.map((s) => s.id),
    statements,
    unsupported: [...new Set(unsupported)],
    uncertain,
    uncertainDenies: decision === "explicitDeny" ? [] : maybe.denies.map((d) => d.id),
  };
}

interface MaybeSets {
  allows: MatchedStatement[];
  denies: MatchedStatement[];
}

/**
 * Identity-based evaluation (same account, no resource policy): explicit Deny in any policy or the
 * boundary wins; otherwise allowed when an identity policy allows and the boundary (if any) allows.
 */
export function evaluateIdentityPolicies(req: IdentityRequest): EvaluationResult {
  const facts: RequestFacts = { action: req.action, resource: req.resource, lookup: contextLookup(req.context), resourceOptional: false };
  const unsupported: string[] = [];
  const scans = req.policies.map((p, i) => scanPolicy(named(p, `policy[${i}]`), facts, unsupported));
  const boundary = req.boundary ? scanPolicy(named(req.boundary, "boundary"), facts, unsupported) : undefined;
  const maybe: MaybeSets = {
    denies: [...scans.flatMap((s) => s.maybeDenies), ...(boundary?.maybeDenies ?? [])],
    // An identity Allow that might apply matters when nothing else allows; so does a boundary Allow
    // that might apply when the boundary otherwise allows nothing.
    allows: [...scans.flatMap((s) => s.maybeAllows), ...(boundary && boundary.allows.length === 0 ? boundary.maybeAllows : [])],
  };
  const denies = [...scans.flatMap((s) => s.denies), ...(boundary?.denies ?? [])];
  if (denies.length > 0) return result("explicitDeny", denies, unsupported, maybe);
  const allows = scans.flatMap((s) => s.allows);
  if (allows.length === 0) return result("implicitDeny", [], unsupported, maybe);
  if (boundary && boundary.allows.length === 0) return result("implicitDeny", [], unsupported, maybe);
  return result("allowed", [...allows, ...(boundary?.allows ?? [])], unsupported, maybe);
}

/**
 * What a resource policy alone says about a principal: explicitDeny, allowed (a statement grants
 * it) or implicitDeny. For a cross-account request the caller's identity policies must allow too;
 * this function does not (cannot) see them.
 */
export function evaluateResourcePolicy(req: ResourcePolicyRequest): EvaluationResult {
  const facts: RequestFacts = {
    action: req.action,
    resource: req.resource,
    lookup: contextLookup(req.context),
    principal: req.principal,
    resourceOptional: true,
  };
  const unsupported: string[] = [];
  const scan = scanPolicy(named(req.policy, "resource-policy"), facts, unsupported);
  const maybe: MaybeSets = { denies: scan.maybeDenies, allows: scan.maybeAllows };
  if (scan.denies.length > 0) return result("explicitDeny", scan.denies, unsupported, maybe);
  if (scan.allows.length > 0) return result("allowed", scan.allows, unsupported, maybe);
  return result("implicitDeny", [], unsupported, maybe);
}

/** A role trust policy: may this principal sts:AssumeRole the role? */
export function evaluateTrustPolicy(req: TrustRequest): EvaluationResult {
  return evaluateResourcePolicy({
    policy: named(req.trustPolicy, "trust-policy"),
    principal: req.principal,
    action: req.action ?? "sts:AssumeRole",
    resource: req.roleArn,
    context: req.context,
  });
}
