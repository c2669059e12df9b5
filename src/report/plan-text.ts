// `deployer plan` in a terminal or a CI log: a compact summary, then per target its diff, its steps
// and its checks as a tree with OK / NG / WARN / SKIP markers (like ecspresso verify).
import pc from "picocolors";
import type { FieldChange, Plan, TargetPlan } from "../plan/types.js";
import { redactPlanForOutput, sensitiveValuesOf } from "../plan/redact-plan.js";
import {
  changedValues,
  countChecks,
  describeStep,
  displayValue,
  worstVerdict,
  imageLine,
  serviceImages,
  plural,
  planForTerminal,
  scrubTerminal,
  summaryLine,
  writeCapableNote,
} from "./plan-format.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { terminalOutput } from "./escape.js";
import { checkTreeLines } from "./check-tree.js";
import type { CheckResult } from "../checks/check-result.js";
import { groupByEnv, severalServices } from "./services.js";

export interface PlanTextOptions {
  color: boolean;
  /** Kept for symmetry with other text formatters; target files in a plan are already relative to the deploy repo. */
  cwd?: string;
  /** Extra values to scrub (the plan's own are used anyway). */
  sensitiveValues?: readonly string[];
  /** "problems" (default): only checks that did not pass, and a count of the rest; "all" (--verbose): every check. */
  checks?: "all" | "problems";
  /** With every check, their evidence too (--verbose). */
  evidence?: boolean;
}

export function formatPlanText(input: Plan, opts: PlanTextOptions): string {
  const c = pc.createColors(opts.color);
  const redacted = redactPlanForOutput(input, opts.sensitiveValues);
  const plan = planForTerminal(redacted);
  const lines: string[] = [];
  const images = serviceImages(plan);
  if (images.length === 0) lines.push(`${c.bold(`Plan for ${plan.service}`)}  image ${imageLine(plan)}`);
  else {
    // Several services (issue 17): one line per service's image.
    lines.push(c.bold(`Plan for ${plan.service}`));
    const w = Math.max(...images.map(([k]) => Array.from(k).length));
    for (const [key, image] of images) lines.push(`  image ${key.padEnd(w)}  ${imageLine({ ...plan, image, images: {} })}`);
  }
  lines.push(`${plural(plan.summary.targets, "target")}: ${summaryLine(plan)}`);
  const writeCapable = writeCapableNote(plan);
  if (writeCapable) lines.push(c.yellow(`⚠ ${writeCapable}`));

  const which = opts.checks ?? "problems";
  const evidence = opts.evidence ?? false;
  if (
    severalServices(
      plan.targets.map((t) => t.target),
      plan.images,
    )
  ) {
    // Several services (issue 17): grouped by environment (target), one block per service under it.
    for (const g of groupByEnv(plan.targets, (t) => t.target)) {
      const s = g.items[0]!.target;
      lines.push("");
      lines.push(`${c.bold(g.env)}  ${c.dim(`${s.stage} · ${s.account} · ${s.region} · ${s.file}`)}`);
      for (const t of g.items) lines.push(...formatTarget(t, c, which, evidence, "  "));
    }
  } else {
    for (const t of plan.targets) {
      lines.push("");
      lines.push(...formatTarget(t, c, which, evidence));
    }
  }

  lines.push("");
  if (plan.summary.blocked > 0) {
    lines.push(c.red(`Preflight failed for ${plural(plan.summary.blocked, "target")}: a rollout of this plan would not start.`));
  } else if (plan.summary.toChange === 0) {
    lines.push(c.green("No changes: every target already runs the desired task definition."));
  } else {
    lines.push(`${plural(plan.summary.toChange, "target")} would be updated.`);
  }
  return terminalOutput(scrubTerminal(lines.join("\n"), sensitiveValuesOf(redacted)), { keepColour: opts.color });
}

export type { Colors } from "./check-tree.js";
type Colors = ReturnType<typeof pc.createColors>;

/** One target's block; `indent` set: a service under its environment's heading (several services). */
function formatTarget(t: TargetPlan, c: Colors, which: "all" | "problems", evidence: boolean, indent = ""): string[] {
  const s = t.target;
  const where = c.dim(
    indent ? `${s.cluster}/${s.service}` : `${s.stage} · ${s.account} · ${s.region} · ${s.cluster}/${s.service} · ${s.file}`,
  );
  const label = indent ? s.serviceKey : s.name;
  const lines: string[] = [];
  if (t.action === "update") {
    lines.push(`${c.yellow("~")} ${c.bold(label)}  ${where}`);
    lines.push(
      `  ${c.yellow(`${plural(t.diff.length, "change")}`)}${t.live ? c.dim(` from ${taskDefinitionName(t.live.taskDefinitionArn)}`) : ""}`,
    );
  } else if (t.action === "noop") {
    lines.push(`${c.green("=")} ${c.bold(label)}  ${where}`);
    lines.push(`  ${c.green("no change")}${t.live ? c.dim(` (runs ${taskDefinitionName(t.live.taskDefinitionArn)})`) : ""}`);
  } else {
    const n = countChecks(t).fail;
    lines.push(`${c.red("!")} ${c.bold(label)}  ${where}`);
    lines.push(
      `  ${c.red(`blocked: ${plural(n, "failing check")}`)}${t.diff.length > 0 ? c.dim(` (would change ${plural(t.diff.length, "field")})`) : ""}`,
    );
  }
  if (t.action !== "noop") for (const ch of t.diff) lines.push(...formatChange(ch, c));
  if (t.steps.length > 0) lines.push(`  ${c.dim("steps:")} ${t.steps.map(describeStep).join(" → ")}`);
  const show = (check: CheckResult) => which === "all" || worstVerdict(check) !== "pass";
  const shown = t.checks.filter(show);
  const passed = t.checks.length - shown.length;
  if (shown.length > 0) {
    lines.push(`  ${c.dim("checks:")}${passed > 0 ? c.dim(` (${passed} passed, not shown; --verbose shows them)`) : ""}`);
    lines.push(...checkTreeLines(t.checks, c, { depth: 2, show, evidence }));
  } else if (t.checks.length > 0) {
    lines.push(`  ${c.dim("checks:")} ${c.green(`all ${t.checks.length} passed`)}`);
  }
  return indent ? lines.map((l) => indent + l) : lines;
}

function formatChange(ch: FieldChange, c: Colors): string[] {
  switch (ch.kind) {
    case "added":
      return [`    ${c.green("+")} ${ch.path}: ${c.green(displayValue(ch.after))}`];
    case "removed":
      return [`    ${c.red("-")} ${ch.path}: ${c.red(displayValue(ch.before))}`];
    default: {
      const [before, after] = changedValues(ch);
      return [`    ${c.yellow("~")} ${ch.path}: ${c.red(before)} → ${c.green(after)}`];
    }
  }
}

/** One check and its sub-checks (check-tree.ts). */
export { formatCheck } from "./check-tree.js";
