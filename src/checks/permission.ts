// May this role do that? Answered the same way for every check: IAM's simulator first
// (iam:SimulatePrincipalPolicy with the role as policy source: identity policies, boundary and, as
// IAM answers since 2026-07, SCPs — read finely in simulation.ts); when the simulation itself is
// refused, or gives no usable answer for a request (none for it, or a decision IAM does not
// document), the role's own policies are read and evaluated locally (src/iam/evaluator.ts: SCPs and
// session policies are invisible to it, and it says so); when neither is possible, unverified.
// Never a guessed "allowed".
import type { SimulationContextEntry } from "../aws/ports.js";
import type { DeployerError } from "../errors.js";
import { evaluateIdentityPolicies, type RequestContext } from "../iam/evaluator.js";
import { accountOfArn } from "../config/aws-names.js";
import type { CheckContext } from "./context.js";
import { findResult, readAccess, type Denier } from "./simulation.js";
import type { SimulationQuestion } from "./target-reads.js";

export interface PermissionAsk {
  action: string;
  resource: string;
  /** The resource is another account's: only the identity side is answered here (its resource policy is evaluated by the caller). */
  crossAccountResource?: boolean;
}

export type Method = "iam:SimulatePrincipalPolicy" | "local-evaluation" | "none";

export type PermissionAnswer =
  | { verdict: "allowed"; method: Method; matched: string[]; identityOnly?: boolean; note?: string }
  | { verdict: "denied"; by: Denier; method: Method; matched: string[] }
  | { verdict: "unverified"; method: Method; why: string; missing?: string[]; unsupported?: string[] };

export interface PermissionAnswers {
  answers: PermissionAnswer[];
  /** Why the simulation could not be used (the local evaluation answered instead), when it could not. */
  simulateError?: DeployerError;
  /** Why the role's policies could not be read either. */
  readError?: DeployerError;
  /** The policies evaluated locally and the boundary, for evidence. */
  policiesRead?: string[];
  boundaryArn?: string;
}

/** Context entries as SimulatePrincipalPolicy takes them, from a plain context. */
export function contextEntries(context: RequestContext): SimulationContextEntry[] {
  return Object.entries(context).map(([key, v]) =>
    Array.isArray(v) ? { key, type: "stringList", values: v } : { key, type: "string", values: [v] },
  );
}

function plainContext(entries: SimulationContextEntry[]): RequestContext {
  const out: RequestContext = {};
  for (const e of entries) out[e.key] = e.type.toLowerCase().endsWith("list") ? e.values : (e.values[0] ?? "");
  return out;
}

/** EvalDecision as IAM documents it (PolicyEvaluationDecisionType: allowed | explicitDeny | implicitDeny):
 * https://docs.aws.amazon.com/IAM/latest/APIReference/API_EvaluationResult.html — any other value is
 * an answer deployer does not know and never trusts. */
const KNOWN_DECISIONS = new Set(["allowed", "explicitdeny", "implicitdeny"]);

/**
 * Answers every ask from one simulation (question); an ask the simulation gives no usable answer
 * for (no result for it, or a decision IAM does not document) and every ask when the simulation is
 * refused are answered from the role's own policies, evaluated locally.
 */
export async function answerPermissions(
  ctx: CheckContext,
  question: SimulationQuestion,
  asks: PermissionAsk[],
): Promise<PermissionAnswers> {
  const simulated = await ctx.reads.simulation(question);
  if (!simulated.ok)
    return localAnswers(
      ctx,
      question,
      asks,
      simulated.error,
      `iam:SimulatePrincipalPolicy failed (${simulated.error.awsCode ?? simulated.error.code})`,
    );
  const answers: Array<PermissionAnswer | undefined> = asks.map((ask): PermissionAnswer | undefined => {
    const r = findResult(simulated.value, ask.action, ask.resource);
    if (!r || !KNOWN_DECISIONS.has(r.decision.toLowerCase())) return undefined;
    const access = readAccess(r, { crossAccountResource: ask.crossAccountResource });
    if (access.kind === "allowed") {
      return {
        verdict: "allowed",
        method: "iam:SimulatePrincipalPolicy",
        matched: access.matched,
        ...(access.identityOnly ? { identityOnly: true } : {}),
      };
    }
    if (access.kind === "denied")
      return { verdict: "denied", by: access.by, method: "iam:SimulatePrincipalPolicy", matched: access.matched };
    return {
      verdict: "unverified",
      method: "iam:SimulatePrincipalPolicy",
      missing: access.missing,
      why: `IAM's answer (${access.decision}) depends on condition keys deployer cannot know before the task runs (${access.missing.join(", ")})`,
    };
  });
  const unanswered = asks.filter((_, i) => answers[i] === undefined);
  if (unanswered.length === 0) return { answers: answers as PermissionAnswer[] };
  const local = await localAnswers(ctx, question, unanswered, undefined, "iam:SimulatePrincipalPolicy gave no usable answer");
  let next = 0;
  return { ...local, answers: answers.map((a) => a ?? local.answers[next++]!) };
}

/** The asks answered from the role's own policies (the simulation could not answer them: `simulated` says why). */
async function localAnswers(
  ctx: CheckContext,
  question: SimulationQuestion,
  asks: PermissionAsk[],
  simulateError: DeployerError | undefined,
  simulated: string,
): Promise<PermissionAnswers> {
  const read = await ctx.reads.rolePolicies(question.policySourceArn);
  if (!read.ok) {
    return {
      ...(simulateError ? { simulateError } : {}),
      readError: read.error,
      answers: asks.map(() => ({
        verdict: "unverified",
        method: "none",
        why: `${simulated} and reading the role's policies failed (${read.error.action ?? "iam:ListRolePolicies"}: ${read.error.awsCode ?? read.error.code})`,
      })),
    };
  }
  const { policies, boundary, boundaryArn, boundaryError } = read.value;
  const context: RequestContext = {
    ...plainContext(question.context),
    "aws:PrincipalArn": question.policySourceArn,
    "aws:PrincipalAccount": accountOfArn(question.policySourceArn) ?? ctx.target.account,
  };
  const answers = asks.map((ask): PermissionAnswer => {
    const req = { policies, action: ask.action, resource: ask.resource, context };
    const result = evaluateIdentityPolicies({ ...req, boundary });
    const method = "local-evaluation" as const;
    if (result.uncertain) {
      return {
        verdict: "unverified",
        method,
        unsupported: result.unsupported,
        why: `the role's policies use condition operators deployer does not evaluate (${result.unsupported.join(", ")})`,
      };
    }
    if (result.decision === "explicitDeny") {
      const inBoundary = result.matched.every((m) => m.startsWith("boundary:"));
      return { verdict: "denied", by: inBoundary ? "boundary" : "explicit-deny", method, matched: result.matched };
    }
    if (result.decision === "implicitDeny") {
      const withoutBoundary = boundary ? evaluateIdentityPolicies(req) : undefined;
      return { verdict: "denied", by: withoutBoundary?.decision === "allowed" ? "boundary" : "no-allow", method, matched: result.matched };
    }
    if (boundaryArn && !boundary) {
      return {
        verdict: "unverified",
        method,
        why: `the role's policies allow it, but its permissions boundary ${boundaryArn} could not be read (${boundaryError?.message ?? "no way to read managed policies"})`,
      };
    }
    return {
      verdict: "allowed",
      method,
      matched: result.matched,
      ...(ask.crossAccountResource ? { identityOnly: true } : {}),
      note: "evaluated locally from the role's identity policies and boundary; SCPs and session policies are not visible to it",
    };
  });
  return {
    answers,
    ...(simulateError ? { simulateError } : {}),
    policiesRead: policies.map((p) => p.name),
    ...(boundaryArn ? { boundaryArn } : {}),
  };
}
