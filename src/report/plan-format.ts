// Small pieces shared by the plan's text and Markdown renderings: value display, check markers,
// step descriptions, totals. Inputs are plans already redacted by redactPlanForOutput.
import type { FieldChange, Plan, RevisionNote, Step, TargetPlan } from "../plan/types.js";
import { shortDigest, taskDefinitionName } from "../config/aws-names.js";
import { jsonText, terminalSafe, terminalText } from "./escape.js";
import type { CheckResult, Verdict } from "../checks/check-result.js";
import { REDACTED, scrubString } from "../render/redact.js";

/**
 * A field value on one line: strings quoted, lists/maps as compact JSON, long values shortened. Safe
 * for every sink: jsonText shows control, hidden and terminal-escape characters as `\u…`.
 */
export function displayValue(v: unknown, max = 200): string {
  if (v === undefined) return "(none)";
  if (v === REDACTED) return REDACTED;
  // eslint-disable-next-line @typescript-eslint/no-base-to-string -- jsonText is undefined only for values JSON has no text for (undefined, functions)
  const s = jsonText(v) ?? String(v);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

/** A change for a text layout: its path made terminal-safe; before/after stay values (displayValue escapes them). */
export function changeForTerminal(c: FieldChange): FieldChange {
  return { ...c, path: terminalText(c.path) };
}

/**
 * A (redacted) plan whose every string is terminal-safe (see escape.ts), but for diff values and the
 * desired definition, which are shown through displayValue.
 */
export function planForTerminal(plan: Plan): Plan {
  const { targets, ...rest } = plan;
  return {
    ...terminalSafe(rest),
    targets: targets.map(({ diff, desired, ...t }) => ({ ...terminalSafe(t), diff: diff.map(changeForTerminal), desired })),
  };
}

/** scrubString over text laid out from terminal-safe strings: the values and their escaped forms. */
export function scrubTerminal(text: string, values: readonly string[]): string {
  return scrubString(
    text,
    [...new Set(values.flatMap((v) => [v, terminalText(v)]))].sort((a, b) => b.length - a.length),
  );
}

/** ecspresso-verify style markers. "unverified" is a warning unless the plan was strict (then it blocked). */
export function verdictMarker(v: Verdict): "OK" | "NG" | "WARN" | "SKIP" {
  switch (v) {
    case "pass":
      return "OK";
    case "fail":
      return "NG";
    case "skip":
      return "SKIP";
    default:
      return "WARN";
  }
}

export interface CheckCounts {
  pass: number;
  fail: number;
  warn: number;
}

/**
 * Counts per top-level check (a check whose sub-check failed counts once as failing). A target
 * blocked with "unverified" as its worst verdict was planned under --strict: those count as failing.
 */
export function countChecks(t: TargetPlan): CheckCounts {
  const strictBlocked = t.action === "blocked" && !t.checks.some((c) => worstVerdict(c) === "fail");
  const counts = { pass: 0, fail: 0, warn: 0 };
  for (const c of t.checks) {
    const w = worstVerdict(c);
    if (w === "fail" || (w === "unverified" && strictBlocked)) counts.fail++;
    else if (w === "warn" || w === "unverified") counts.warn++;
    else counts.pass++;
  }
  return counts;
}

const SEVERITY: Record<Verdict, number> = { fail: 4, unverified: 3, warn: 2, pass: 1, skip: 0 };

export function worstVerdict(c: CheckResult): Verdict {
  let worst = c.verdict;
  for (const child of c.children ?? []) {
    const w = worstVerdict(child);
    if (SEVERITY[w] > SEVERITY[worst]) worst = w;
  }
  return worst;
}

/** The checks of a tree that failed (deepest failing ones, so their hints are the specific ones). */
export function failingChecks(checks: CheckResult[], includeUnverified: boolean): CheckResult[] {
  const out: CheckResult[] = [];
  const visit = (c: CheckResult) => {
    const failingChildren = (c.children ?? []).filter((x) => isBad(worstVerdict(x), includeUnverified));
    if (failingChildren.length > 0) failingChildren.forEach(visit);
    else if (isBad(c.verdict, includeUnverified)) out.push(c);
  };
  checks.forEach(visit);
  return out;
}

function isBad(v: Verdict, includeUnverified: boolean): boolean {
  return v === "fail" || (includeUnverified && v === "unverified");
}

export function describeStep(step: Step): string {
  switch (step.kind) {
    case "wait-foreign-deployment":
      return `wait for the deployment in progress (up to ${duration(step.timeoutSeconds)})`;
    case "register-task-definition":
      return step.copyOf ? `register an identical copy of ${revisionNote(step.copyOf)}` : "register task definition";
    case "reuse-task-definition":
      return step.revision
        ? `put back ${revisionNote(step.revision)}`
        : `reuse ${taskDefinitionName(step.taskDefinitionArn)} (already registered)`;
    case "run-task":
      return `run task ${step.name} (${step.command.join(" ")} in ${step.container}; up to ${duration(step.timeoutSeconds)})`;
    case "update-service":
      return `update service ${step.cluster}/${step.service}${step.forceNewDeployment ? " (new deployment of the same revision)" : ""}`;
    case "wait-stable":
      return `wait until stable (up to ${duration(step.timeoutSeconds)})`;
    case "resume-wait":
      return `wait for deployment ${step.deploymentId} of ${taskDefinitionName(step.taskDefinitionArn)}, started by an earlier run (up to ${duration(step.timeoutSeconds)})`;
    default:
      return genericStep(step);
  }
}

/**
 * A step kind this renderer does not know by name (a newer plan, or a kind added later, such as the
 * one-off task of issue 17): its kind, and its name and container when it has them.
 */
function genericStep(step: unknown): string {
  const s = step as { kind?: unknown; name?: unknown; task?: unknown; container?: unknown };
  const kind = typeof s.kind === "string" ? s.kind : "step";
  const name = typeof s.name === "string" ? s.name : typeof s.task === "string" ? s.task : undefined;
  const words = kind === "run-task" ? "run one-off task" : kind.replace(/-/g, " ");
  return `${words}${name ? ` ${name}` : ""}${typeof s.container === "string" ? ` (container ${s.container})` : ""}`;
}

/** `shop-api-dev:2 (INACTIVE; image 8d1e4b7 sha256:e35bce68d8be; last deployment … SUCCESSFUL …)`. */
export function revisionNote(r: RevisionNote): string {
  const image = [r.imageTag, r.imageDigest ? shortDigest(r.imageDigest) : undefined].filter(Boolean).join(" ");
  const parts = [r.status && r.status !== "ACTIVE" ? r.status : undefined, image ? `image ${image}` : undefined, r.lastOutcome].filter(
    Boolean,
  );
  return `${taskDefinitionName(r.taskDefinitionArn)}${parts.length ? ` (${parts.join("; ")})` : ""}`;
}

export function duration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

export function plural(n: number, word: string, pluralWord = `${word}s`): string {
  return `${n} ${n === 1 ? word : pluralWord}`;
}

/**
 * When targets were read with their deploy role (no `viewRole`): the plan ran with credentials that
 * can register task definitions and update services (issue 18). Plain text; callers escape it.
 */
export function writeCapableNote(plan: Plan): string | undefined {
  const names = plan.writeCapableReads ?? [];
  if (names.length === 0) return undefined;
  const who =
    names.length === plan.targets.length
      ? "every target was read as its deploy role"
      : names.length === 1
        ? `${names[0]} was read as its deploy role`
        : `${names.join(", ")} were read as their deploy roles`;
  return (
    `this plan ran with write-capable credentials: ${who}. ` +
    "Set viewRole (and viewExternalId) to plan with a read-only viewer role; deployer iam generates it."
  );
}

/** "3 to change, 1 unchanged, 1 blocked, 1 failing check, 2 warnings" */
export function summaryLine(plan: Plan): string {
  const s = plan.summary;
  const parts = [`${s.toChange} to change`, `${s.unchanged} unchanged`];
  if (s.blocked > 0) parts.push(`${s.blocked} blocked`);
  parts.push(plural(s.failingChecks, "failing check"));
  if (s.warnings > 0) parts.push(plural(s.warnings, "warning"));
  return parts.join(", ");
}

/** `repository:tag → sha256:…` or `repository@sha256:…`; with several services (issue 17) `api repo:tag → …, worker …`. */
export function imageLine(plan: Plan): string {
  const one = (i: Plan["image"]) => (i.tag ? `${i.repository}:${i.tag} → ${i.digest}` : `${i.repository}@${i.digest}`);
  const images = serviceImages(plan);
  if (images.length === 0) return one(plan.image);
  return images.map(([key, image]) => `${key} ${one(image)}`).join(", ");
}

/** The per-service images of a plan with several services (`plan.images`, in its order); empty otherwise. */
export function serviceImages(plan: Pick<Plan, "images">): Array<[string, Plan["image"]]> {
  const entries = Object.entries(plan.images ?? {});
  return entries.length > 1 ? entries : [];
}

/** Diff lines in unified-diff style: `- path: before` / `+ path: after`. */
export function diffLines(changes: FieldChange[], max = 200): string[] {
  const lines: string[] = [];
  for (const c of changes) {
    const [before, after] = changedValues(c, max);
    if (c.kind !== "added") lines.push(`- ${c.path}: ${before}`);
    if (c.kind !== "removed") lines.push(`+ ${c.path}: ${after}`);
  }
  return lines;
}

/**
 * The displayed before/after of a change. For two long strings that differ only at the end (an
 * image reference whose digest changed), the shared prefix is elided and digests shortened to 12
 * hex digits, so the difference is what a reader sees: `"…/shop/api@sha256:e35bce68d8be"`.
 */
export function changedValues(c: FieldChange, max = 200): [string, string] {
  if (c.kind === "changed" && typeof c.before === "string" && typeof c.after === "string" && !c.sensitive) {
    const [b, a] = compactPair(c.before, c.after);
    return [displayValue(b, max), displayValue(a, max)];
  }
  return [displayValue(c.before, max), displayValue(c.after, max)];
}

const LONG_DIGEST = /sha256:([a-f0-9]{12})[a-f0-9]{52}/g;

export function compactPair(before: string, after: string): [string, string] {
  let b = before.replace(LONG_DIGEST, "sha256:$1");
  let a = after.replace(LONG_DIGEST, "sha256:$1");
  let i = 0;
  while (i < b.length && i < a.length && b[i] === a[i]) i++;
  if (i > 30) {
    const cut = Math.max(b.lastIndexOf("/", i - 1), b.lastIndexOf("@", i - 1));
    if (cut > 10) {
      b = `…${b.slice(cut)}`;
      a = `…${a.slice(cut)}`;
    }
  }
  return [b, a];
}
