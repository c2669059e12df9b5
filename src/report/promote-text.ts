// `deployer promote`: what is promoted, from where, before the destination plan (formatPlanText) is
// shown. Also the JSON and Markdown forms of a promotion plan.
import pc from "picocolors";
import type { PromotionResult } from "../workflow/promote.js";
import { planToJson } from "./plan-json.js";
import { formatPlanMarkdown } from "./plan-markdown.js";
import { taskDefinitionName, shortDigest } from "../config/aws-names.js";
import { jsonText, markdownCode, markdownOutput, markdownText, terminalOutput, terminalText } from "./escape.js";

export { terminalOutput };

export interface PromotionSummary {
  fromStage: string;
  toStage: string;
  digest: string;
  imageTag?: string;
  /** Per source target: what it runs. */
  sources: Array<{ target: string; account: string; taskDefinitionArn?: string }>;
  /** Destination target -> source target. */
  sourceTargets: Record<string, string>;
}

export function promotionSummary(p: PromotionResult): PromotionSummary {
  const out: PromotionSummary = {
    fromStage: p.fromStage,
    toStage: p.toStage,
    digest: p.digest,
    sources: p.source.targets.map((t) => ({
      target: t.target.name,
      account: t.target.account,
      ...(t.taskDefinitionArn ? { taskDefinitionArn: t.taskDefinitionArn } : {}),
    })),
    sourceTargets: { ...p.sourceTargets },
  };
  if (p.plan.image.tag) out.imageTag = p.plan.image.tag;
  return out;
}

export function formatPromotionHeader(p: PromotionResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const s = promotionSummary(p);
  const image = `${s.imageTag ? `${s.imageTag} ` : ""}${s.digest}`;
  const t = terminalText;
  const lines = [c.bold(`Promote ${t(s.fromStage)} → ${t(s.toStage)}`) + `  image ${t(image)}`];
  for (const src of p.source.targets) {
    lines.push(
      c.dim(
        `  from ${t(src.target.name)} (${t(src.target.account)}): ${src.taskDefinitionArn ? t(taskDefinitionName(src.taskDefinitionArn)) : "?"}, ${t(src.health?.reason ?? "")}`,
      ),
    );
  }
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}

/** `--output json` of a promotion plan: the promotion summary and the (redacted) plan. */
export function promotionToJsonText(p: PromotionResult): string {
  return `${jsonText({ formatVersion: 1, promotion: promotionSummary(p), plan: planToJson(p.plan) }, 2)}\n`;
}

/** `--output markdown`: a line saying what is promoted from where, then the plan comment. */
export function formatPromotionMarkdown(p: PromotionResult): string {
  const s = promotionSummary(p);
  const from = p.source.targets
    .map((t) => `${markdownText(t.target.name)} (${t.taskDefinitionArn ? markdownCode(taskDefinitionName(t.taskDefinitionArn)) : "?"})`)
    .join(", ");
  const head = `**Promotion ${markdownText(s.fromStage)} → ${markdownText(s.toStage)}**: ${markdownCode(`${s.imageTag ? `${s.imageTag} ` : ""}${shortDigest(s.digest)}`)} as it runs in ${from}.`;
  const plan = formatPlanMarkdown(p.plan);
  // The plan comment's first line may be the hidden marker the Action finds its sticky comment by: keep it first.
  const nl = plan.indexOf("\n");
  if (plan.startsWith("<!--") && nl > 0) return markdownOutput(`${plan.slice(0, nl)}\n${head}\n\n${plan.slice(nl + 1)}`);
  return markdownOutput(`${head}\n\n${plan}`);
}
