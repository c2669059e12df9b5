// Builders for CheckResult values, so every check states its verdicts the same way: an AWS error
// becomes an ErrorInfo (code, action, resource, AWS code and message, hint), never a throw.
import path from "node:path";
import { toDeployerError } from "../aws/aws-error.js";
import { DeployerError, toErrorInfo, type DeployerErrorInit, type ErrorInfo } from "../errors.js";
import type { Target } from "../config/types.js";

export type Verdict = "pass" | "fail" | "warn" | "unverified" | "skip";

/** One named preflight check and its verdict (a tree: a check may group sub-checks). */
export interface CheckResult {
  /** Stable id, e.g. `assume-role`, `service`, `pass-role:taskRole`, `trust:executionRole`, `image-pull`. */
  id: string;
  /** Human title: "deploy role can pass the task role to ecs-tasks.amazonaws.com". */
  title: string;
  target: string;
  verdict: Verdict;
  message: string;
  hint?: string;
  /** What the verdict rests on: the AWS action asked, the statement that matched, … (no secrets). */
  evidence?: Record<string, unknown>;
  /** When the check failed because of an error, that error. */
  error?: ErrorInfo;
  children?: CheckResult[];
}

export interface CheckHead {
  id: string;
  title: string;
  target: Target;
}

export interface CheckBody {
  message: string;
  hint?: string;
  evidence?: Record<string, unknown>;
  error?: DeployerError;
  children?: CheckResult[];
}

/** How bad a verdict is: fail > unverified > warn > pass > skip. */
export const VERDICT_SEVERITY: Record<Verdict, number> = { fail: 4, unverified: 3, warn: 2, pass: 1, skip: 0 };

/** The worst verdict of some checks (their sub-checks included); "pass" for none. */
export function worstOf(checks: Array<Pick<CheckResult, "verdict" | "children">>): Verdict {
  let worst: Verdict = "pass";
  let any = false;
  const visit = (c: Pick<CheckResult, "verdict" | "children">) => {
    if (!any || VERDICT_SEVERITY[c.verdict] > VERDICT_SEVERITY[worst]) worst = c.verdict;
    any = true;
    for (const child of c.children ?? []) visit(child);
  };
  checks.forEach(visit);
  return worst;
}

export function verdict(head: CheckHead, v: Verdict, body: CheckBody): CheckResult {
  const out: CheckResult = { id: head.id, title: head.title, target: head.target.name, verdict: v, message: body.message };
  const hint = body.hint ?? body.error?.hint;
  if (hint !== undefined) out.hint = hint;
  if (body.evidence !== undefined) out.evidence = body.evidence;
  if (body.error !== undefined) out.error = toErrorInfo(body.error);
  if (body.children !== undefined) out.children = body.children;
  return out;
}

/** A DeployerError about this target (target and account filled in). */
export function targetError(target: Target, init: Omit<DeployerErrorInit, "target" | "account">): DeployerError {
  return new DeployerError({ ...init, target: target.name, account: target.account });
}

/** Whatever a port call rejected with, as a DeployerError about this target. */
export function awsFailure(target: Target, err: unknown, action: string, resource?: string): DeployerError {
  return toDeployerError(err, { action, resource, target: target.name, account: target.account });
}

/** The call was refused by IAM (as opposed to failing for another reason). */
export function isAccessDenied(err: DeployerError): boolean {
  return err.code === "ACCESS_DENIED" || err.code === "ASSUME_ROLE_DENIED" || /AccessDenied|Unauthorized/i.test(err.awsCode ?? "");
}

/** Where a target field (`taskRole`, `cluster`) was written, for errors that point at config. */
export function locationOf(target: Target, field: string): Pick<DeployerErrorInit, "location" | "field"> {
  const location = target.locations?.[field];
  return location ? { location, field } : { field };
}

/**
 * `environments/env.yaml:12` for messages, when the field's position is known: relative to the
 * working directory (the deploy repository in CI), since hints end up in public PR comments.
 */
export function whereWritten(target: Target, field: string): string {
  const loc = target.locations?.[field];
  return loc ? `${displayPath(loc.file)}:${loc.line}` : displayPath(target.file);
}

function displayPath(file: string): string {
  const rel = path.relative(process.cwd(), file);
  return rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
}

/** A parent check: its verdict is the worst child's, with that child's message, hint and error. */
export function parentOf(
  head: CheckHead,
  children: CheckResult[],
  passMessage: string,
  passEvidence?: Record<string, unknown>,
): CheckResult {
  const worst = worstOf(children);
  const first = children.find((c) => worstOf([c]) === worst);
  if (!first || worst === "pass" || worst === "skip") {
    return verdict(head, worst === "skip" ? "skip" : "pass", {
      message: passMessage,
      children,
      ...(passEvidence ? { evidence: passEvidence } : {}),
    });
  }
  const out = verdict(head, worst, { message: first.message, children });
  if (first.hint !== undefined) out.hint = first.hint;
  if (first.error !== undefined) out.error = first.error;
  if (first.evidence !== undefined) out.evidence = first.evidence;
  return out;
}
