// `deployer plan --output markdown`: one pull-request comment. A hidden marker on the first line lets
// the GitHub Action find and update its sticky comment. Layout: header (service, image tag → digest,
// totals), a table of targets, one collapsible diff per changed target, failing checks with hints,
// warnings. Always under GitHub's 65,536-character comment limit: the largest diffs are cut first, the
// comment says so and points to the JSON artifact.
import type { Plan, TargetPlan } from "../plan/types.js";
import { redactPlanForOutput, sensitiveValuesOf } from "../plan/redact-plan.js";
import {
  countChecks,
  describeStep,
  diffLines,
  failingChecks,
  plural,
  serviceImages,
  summaryLine,
  worstVerdict,
  writeCapableNote,
} from "./plan-format.js";
import { groupByEnv, severalServices } from "./services.js";
import { taskDefinitionName, shortDigest } from "../config/aws-names.js";
import { htmlText, markdownCode, markdownCodeBlock, markdownOutput, markdownText } from "./escape.js";
import type { CheckResult } from "../checks/check-result.js";
import { scrubString } from "../render/redact.js";

/** GitHub's limit for an issue or pull-request comment body. */
export const GITHUB_COMMENT_LIMIT = 65_536;

export interface PlanMarkdownOptions {
  /** Upper bound for the comment length (default and maximum: GitHub's 65,536). */
  maxChars?: number;
  /** Where the full plan is, said when diffs are truncated ("the `deployer-plan` workflow artifact"). */
  jsonArtifactHint?: string;
  sensitiveValues?: readonly string[];
}

/** The hidden marker of the sticky comment (service names are letters, digits, '-' and '_': schema). */
export function planMarker(service: string): string {
  return `<!-- deployer-plan:${service.replace(/[^A-Za-z0-9_-]/g, "_")} -->`;
}

/** Room kept for the truncation notice and a diff's "N more lines" footer. */
const NOTICE_RESERVE = 600;
/** A diff given less room than this is replaced by a one-line note. */
const MIN_DIFF_ROOM = 300;

export function formatPlanMarkdown(input: Plan, opts: PlanMarkdownOptions = {}): string {
  const maxChars = Math.min(opts.maxChars ?? GITHUB_COMMENT_LIMIT, GITHUB_COMMENT_LIMIT);
  const plan = redactPlanForOutput(input, opts.sensitiveValues);
  const values = sensitiveValuesOf(plan);
  const artifact = opts.jsonArtifactHint ?? "`deployer plan --output json`";

  const head = header(plan);
  const checksSection = failingChecksSection(plan);
  const warningsSection = warningsBlock(plan);
  const diffs = plan.targets.filter((t) => t.diff.length > 0 && t.action !== "noop").map((t) => ({ t, lines: diffLines(t.diff, 2_000) }));

  const render = (budgets: Map<TargetPlan, number> | undefined) => {
    let truncated = false;
    const blocks = diffs.map(({ t, lines }) => {
      const budget = budgets?.get(t);
      const r = diffBlock(t, lines, budget, artifact);
      truncated ||= r.truncated;
      return r.text;
    });
    const notice = truncated
      ? `> [!NOTE]\n> Some diffs were cut to stay under GitHub's comment size limit (largest first). The full plan is in ${artifact}.\n`
      : "";
    return [head, notice, blocks.length > 0 ? `#### Changes\n\n${blocks.join("\n")}` : "", checksSection, warningsSection, footer(plan)]
      .filter((s) => s !== "")
      .join("\n");
  };

  let text = render(undefined);
  if (text.length > maxChars) {
    // Water-filling: the room left for diffs is shared out smallest first, so only the largest are cut.
    const fixed = render(new Map(diffs.map(({ t }) => [t, 0]))).length;
    let room = Math.max(0, maxChars - fixed - NOTICE_RESERVE);
    const budgets = new Map<TargetPlan, number>();
    const bySize = [...diffs].sort((a, b) => size(a.lines) - size(b.lines));
    bySize.forEach(({ t, lines }, i) => {
      const share = Math.floor(room / (bySize.length - i));
      const give = Math.min(size(lines), share);
      budgets.set(t, give);
      room -= give;
    });
    text = render(budgets);
  }
  if (text.length > maxChars) {
    // Even without diffs the comment is too long (hundreds of targets or checks): cut it hard.
    const tail = `\n\n… comment cut at ${maxChars} characters; the full plan is in ${artifact}.\n`;
    text = text.slice(0, Math.max(0, maxChars - tail.length)) + tail;
  }
  return markdownOutput(scrubString(text, values));
}

function size(lines: string[]): number {
  return lines.reduce((n, l) => n + l.length + 1, 0);
}

/** A GitHub alert when the plan read with write-capable credentials (targets without a viewRole). */
function writeCapableLines(plan: Plan): string[] {
  const note = writeCapableNote(plan);
  return note ? ["> [!WARNING]", `> ${markdownText(note)}`, ""] : [];
}

function header(plan: Plan): string {
  const s = plan.summary;
  const imageText = (i: Plan["image"]) =>
    i.tag
      ? `${markdownCode(`${i.repository}:${i.tag}`)} → ${markdownCode(shortDigest(i.digest))}`
      : markdownCode(`${i.repository}@${shortDigest(i.digest)}`);
  const images = serviceImages(plan);
  // Several services (issue 17): each service's image, and the table grouped by environment.
  const imageLines =
    images.length === 0
      ? [`**Image** ${imageText(plan.image)}  `]
      : ["**Images**", "", ...images.map(([key, i]) => `- ${markdownCode(key)} ${imageText(i)}`), ""];
  const several = severalServices(
    plan.targets.map((t) => t.target),
    plan.images,
  );
  const status =
    s.blocked > 0 ? "❌ preflight failed" : s.toChange === 0 ? "✅ no changes" : `🔄 ${plural(s.toChange, "target")} to change`;
  const lines = [
    planMarker(plan.service),
    `### deployer plan · ${markdownCode(plan.service)} · ${status}`,
    "",
    ...imageLines,
    `**Totals** ${summaryLine(plan)}`,
    "",
    ...writeCapableLines(plan),
    several
      ? "| Target | Service | Stage | Account | Region | Change | Checks |"
      : "| Target | Stage | Account | Region | Change | Checks |",
    several ? "| --- | --- | --- | --- | --- | --- | --- |" : "| --- | --- | --- | --- | --- | --- |",
  ];
  const c = (v: string) => markdownText(v, { table: true });
  if (several) {
    for (const g of groupByEnv(plan.targets, (t) => t.target)) {
      g.items.forEach((t, i) => {
        // The environment's own cells once per group; one row per service under it.
        const [env, stage, account, region] =
          i === 0 ? [`**${c(g.env)}**`, c(t.target.stage), c(t.target.account), c(t.target.region)] : ["", "", "", ""];
        lines.push(`| ${env} | ${c(t.target.serviceKey)} | ${stage} | ${account} | ${region} | ${changeCell(t)} | ${checksCell(t)} |`);
      });
    }
  } else {
    for (const t of plan.targets) {
      lines.push(
        `| **${c(t.target.name)}** | ${c(t.target.stage)} | ${c(t.target.account)} | ${c(t.target.region)} | ${changeCell(t)} | ${checksCell(t)} |`,
      );
    }
  }
  lines.push("");
  return lines.join("\n");
}

function changeCell(t: TargetPlan): string {
  if (t.action === "noop") return "no change";
  if (t.action === "blocked") return t.diff.length > 0 ? `⛔ blocked (${plural(t.diff.length, "change")})` : "⛔ blocked";
  return `**${plural(t.diff.length, "change")}**`;
}

function checksCell(t: TargetPlan): string {
  const n = countChecks(t);
  const parts: string[] = [];
  if (n.fail > 0) parts.push(`✗ ${n.fail}`);
  if (n.warn > 0) parts.push(`⚠ ${n.warn}`);
  if (parts.length === 0) parts.push(n.pass > 0 ? `✓ ${n.pass}` : "–");
  return parts.join(" ");
}

function diffBlock(t: TargetPlan, lines: string[], budget: number | undefined, artifact: string): { text: string; truncated: boolean } {
  const from = t.live ? ` ${markdownCode(taskDefinitionName(t.live.taskDefinitionArn))}` : "";
  const summary = `<details><summary><b>${htmlText(t.target.name)}</b> · ${htmlText(t.target.stage)} · ${htmlText(t.target.account)} · ${plural(t.diff.length, "change")}${t.action === "blocked" ? " (blocked)" : ""}</summary>\n`;
  const steps = t.steps.length > 0 ? `\nSteps: ${markdownText(t.steps.map(describeStep).join(" → "))}\n` : "";
  let shown = lines;
  let truncated = false;
  if (budget !== undefined && size(lines) > budget) {
    truncated = true;
    shown = [];
    let used = 0;
    if (budget >= MIN_DIFF_ROOM) {
      for (const l of lines) {
        if (used + l.length + 1 > budget) break;
        shown.push(l);
        used += l.length + 1;
      }
    }
  }
  const body = shown.length > 0 ? `\n${markdownCodeBlock(shown, "diff")}\n` : "";
  const more = truncated ? `\n_${plural(lines.length - shown.length, "more diff line")} not shown; see ${artifact}._\n` : "";
  return { text: `${summary}\nCompared with the running task definition${from}.\n${body}${more}${steps}\n</details>\n`, truncated };
}

function failingChecksSection(plan: Plan): string {
  const lines: string[] = [];
  for (const t of plan.targets) {
    const strictBlocked = t.action === "blocked" && !t.checks.some((c) => worstVerdict(c) === "fail");
    for (const c of failingChecks(t.checks, strictBlocked)) lines.push(...checkItem(t, c));
  }
  if (lines.length === 0) return "";
  return `#### ❌ Failing checks\n\n${lines.join("\n")}\n`;
}

function warningsBlock(plan: Plan): string {
  const lines: string[] = [];
  for (const t of plan.targets) {
    const strictBlocked = t.action === "blocked" && !t.checks.some((c) => worstVerdict(c) === "fail");
    const visit = (c: CheckResult) => {
      if (c.verdict === "warn" || (c.verdict === "unverified" && !strictBlocked)) lines.push(...checkItem(t, c));
      (c.children ?? []).forEach(visit);
    };
    t.checks.forEach(visit);
  }
  if (lines.length === 0) return "";
  return `<details><summary>⚠ ${plural(lines.filter((l) => l.startsWith("- ")).length, "warning")}</summary>\n\n${lines.join("\n")}\n\n</details>\n`;
}

function checkItem(t: TargetPlan, c: CheckResult): string[] {
  const md = (v: string) => markdownText(v);
  const out = [`- **${md(t.target.name)}** (${md(t.target.account)}) · ${markdownCode(c.id)} ${md(c.title)}: ${md(c.message)}`];
  if (c.error?.action || c.error?.resource)
    out.push(
      `  - AWS: ${[c.error.action, c.error.resource]
        .filter((x): x is string => Boolean(x))
        .map((x) => markdownCode(x))
        .join(" on ")}`,
    );
  if (c.error?.awsCode || c.error?.awsMessage)
    out.push(`  - AWS said: ${md([c.error.awsCode, c.error.awsMessage].filter(Boolean).join(": "))}`);
  if (c.hint) out.push(`  - 💡 ${md(c.hint)}`);
  return out;
}

function footer(plan: Plan): string {
  return `<sub>deployer ${htmlText(plan.deployerVersion)} · run <code>${htmlText(plan.runId)}</code> · ${htmlText(plan.createdAt)}</sub>\n`;
}
