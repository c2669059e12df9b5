// Errors and warnings as GitHub annotations. When they come from configuration they point at the
// file and line (relative to the checkout, as GitHub expects), so they show up on the pull
// request's "Files changed" tab next to the line to fix.
import path from "node:path";
import type { ErrorInfo } from "../errors.js";
import type { Plan } from "../plan/types.js";
import type { RunReport } from "../apply/types.js";
import { failingChecks, worstVerdict } from "../report/plan-format.js";
import { runErrors } from "../report/run-summary.js";
import { terminalOutput, terminalSafe, terminalText } from "../report/escape.js";
import type { CheckResult } from "../checks/check-result.js";

export interface Annotation {
  level: "error" | "warning";
  message: string;
  title?: string;
  /** Relative to the workspace. */
  file?: string;
  startLine?: number;
  startColumn?: number;
}

export interface AnnotationSink {
  error(message: string, props: Omit<Annotation, "level" | "message">): void;
  warning(message: string, props: Omit<Annotation, "level" | "message">): void;
}

/** A path as GitHub wants it in an annotation: relative to the checkout, forward slashes. */
export function workspacePath(file: string, workspace: string): string {
  const rel = path.relative(workspace, path.resolve(workspace, file));
  return (rel.startsWith("..") || path.isAbsolute(rel) ? file : rel).split(path.sep).join("/");
}

/** One annotation per error: file/line when the error has a location, else a plain one. */
export function errorAnnotations(errors: readonly ErrorInfo[], workspace: string): Annotation[] {
  return errors.map((raw) => {
    const e = terminalSafe(raw);
    const a: Annotation = { level: "error", title: titleOf(e), message: messageOf(e) };
    if (e.location) {
      a.file = workspacePath(e.location.file, workspace);
      a.startLine = e.location.line;
      a.startColumn = e.location.column;
    }
    return a;
  });
}

/**
 * A plan's failing checks (errors) and warnings, each on the target's environment file (at the
 * line of the field concerned when the check knows it).
 */
export function planAnnotations(input: Plan, rootDir: string, workspace: string): Annotation[] {
  const out: Annotation[] = [];
  const plan = { ...input, targets: input.targets.map((t) => ({ ...t, target: terminalSafe(t.target), checks: terminalSafe(t.checks) })) };
  for (const t of plan.targets) {
    const envFile = workspacePath(path.resolve(rootDir, t.target.file), workspace);
    const strictBlocked = t.action === "blocked" && !t.checks.some((c) => worstVerdict(c) === "fail");
    const at = (c: CheckResult): Pick<Annotation, "file" | "startLine" | "startColumn"> =>
      c.error?.location
        ? { file: workspacePath(c.error.location.file, workspace), startLine: c.error.location.line, startColumn: c.error.location.column }
        : { file: envFile };
    const failing = failingChecks(t.checks, strictBlocked);
    for (const c of failing) {
      out.push({ level: "error", title: `${t.target.name}: ${c.title}`, message: checkMessage(c), ...at(c) });
    }
    const visit = (c: CheckResult) => {
      if (!failing.includes(c) && (c.verdict === "warn" || (c.verdict === "unverified" && !strictBlocked))) {
        out.push({ level: "warning", title: `${t.target.name}: ${c.title}`, message: checkMessage(c), ...at(c) });
      }
      (c.children ?? []).forEach(visit);
    };
    t.checks.forEach(visit);
  }
  return out;
}

/** The errors of a run report (the run's own and each target's). */
export function runAnnotations(report: RunReport, workspace: string): Annotation[] {
  return errorAnnotations(runErrors(report), workspace);
}

/**
 * Writes annotations: message and title scrubbed of sensitive values and made runner-safe (their
 * values were made terminal-safe when the annotations were built; this catches the rest).
 */
export function emitAnnotations(sink: AnnotationSink, annotations: readonly Annotation[], scrub: (s: string) => string): void {
  const clean = (s: string) => terminalOutput(scrub(s));
  for (const { level, message, ...props } of annotations) {
    const safeProps = {
      ...props,
      ...(props.title !== undefined ? { title: clean(props.title).replace(/\r?\n/g, " ") } : {}),
      // A file name is configuration too (a target file may be named anything).
      ...(props.file !== undefined ? { file: clean(terminalText(props.file)) } : {}),
    };
    sink[level](clean(message), safeProps);
  }
}

function titleOf(e: ErrorInfo): string {
  return e.target ? `${e.code} (${e.target})` : e.code;
}

function messageOf(e: ErrorInfo): string {
  const lines = [e.field && !e.message.startsWith("input `") && !e.message.startsWith(e.field) ? `${e.field}: ${e.message}` : e.message];
  if (e.action || e.resource) lines.push(`AWS: ${[e.action, e.resource].filter(Boolean).join(" on ")}`);
  if (e.awsCode || e.awsMessage) lines.push(`AWS said: ${[e.awsCode, e.awsMessage].filter(Boolean).join(": ")}`);
  if (e.hint) lines.push(`Hint: ${e.hint}`);
  return lines.join("\n");
}

function checkMessage(c: CheckResult): string {
  const lines = [c.message || c.title];
  if (c.error?.action || c.error?.resource) lines.push(`AWS: ${[c.error.action, c.error.resource].filter(Boolean).join(" on ")}`);
  if (c.error?.awsCode || c.error?.awsMessage) lines.push(`AWS said: ${[c.error.awsCode, c.error.awsMessage].filter(Boolean).join(": ")}`);
  const hint = c.hint ?? c.error?.hint;
  if (hint) lines.push(`Hint: ${hint}`);
  return lines.join("\n");
}
