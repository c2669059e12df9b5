// `deployer promote`: what is promoted, from where, before the destination plan (formatPlanText) is
// shown. Also the JSON and Markdown forms of a promotion plan.
import pc from "picocolors";
import type { PromotionResult } from "../workflow/promote.js";
import { planToJson } from "./plan-json.js";
import { formatPlanMarkdown } from "./plan-markdown.js";
import { mdCell } from "./status-markdown.js";
import { taskDefinitionName, shortDigest } from "../config/aws-names.js";

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
    sources: p.source.targets.map((t) => ({ target: t.target.name, account: t.target.account, ...(t.taskDefinitionArn ? { taskDefinitionArn: t.taskDefinitionArn } : {}) })),
    sourceTargets: { ...p.sourceTargets },
  };
  if (p.plan.image.tag) out.imageTag = p.plan.image.tag;
  return out;
}

export function formatPromotionHeader(p: PromotionResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const s = promotionSummary(p);
  const image = `${s.imageTag ? `${s.imageTag} ` : ""}${s.digest}`;
  const lines = [c.bold(`Promote ${s.fromStage} → ${s.toStage}`) + `  image ${image}`];
  for (const src of p.source.targets) {
    lines.push(c.dim(`  from ${src.target.name} (${src.target.account}): ${src.taskDefinitionArn ? taskDefinitionName(src.taskDefinitionArn) : "?"}, ${src.health?.reason ?? ""}`));
  }
  return lines.join("\n");
}

/** `--output json` of a promotion plan: the promotion summary and the (redacted) plan. */
export function promotionToJsonText(p: PromotionResult): string {
  return `${JSON.stringify({ promotion: promotionSummary(p), plan: planToJson(p.plan) }, null, 2)}\n`;
}

/** `--output markdown`: a line saying what is promoted from where, then the plan comment. */
export function formatPromotionMarkdown(p: PromotionResult): string {
  const s = promotionSummary(p);
  const from = p.source.targets.map((t) => `${mdCell(t.target.name)} (${t.taskDefinitionArn ? mdCell(taskDefinitionName(t.taskDefinitionArn)) : "?"})`).join(", ");
  const head = `**Promotion ${mdCell(s.fromStage)} → ${mdCell(s.toStage)}**: \`${s.imageTag ? `${s.imageTag} ` : ""}${shortDigest(s.digest)}\` as it runs in ${from}.`;
  const plan = formatPlanMarkdown(p.plan);
  // The plan comment's first line may be the hidden marker the Action finds its sticky comment by: keep it first.
  const nl = plan.indexOf("\n");
  if (plan.startsWith("<!--") && nl > 0) return `${plan.slice(0, nl)}\n${head}\n\n${plan.slice(nl + 1)}`;
  return `${head}\n\n${plan}`;
}
