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
  /** Several services (issue 17): per service, the digest promoted (and its image tag). */
  services?: Record<string, { digest: string; imageTag?: string }>;
  /** Per source target: what it runs (with several services, which service it is). */
  sources: Array<{ target: string; account: string; serviceKey?: string; taskDefinitionArn?: string }>;
  /** Destination target -> source target. */
  sourceTargets: Record<string, string>;
}

/** True when the promotion moves several services (each with its own digest). */
function perService(p: PromotionResult): boolean {
  return Object.keys(p.digests).length > 1 || p.source.targets.some((t) => t.target.name === `${t.target.env}/${t.target.serviceKey}`);
}

export function promotionSummary(p: PromotionResult): PromotionSummary {
  const several = perService(p);
  const out: PromotionSummary = {
    fromStage: p.fromStage,
    toStage: p.toStage,
    digest: p.digest,
    sources: p.source.targets.map((t) => ({
      target: t.target.name,
      account: t.target.account,
      ...(several ? { serviceKey: t.target.serviceKey } : {}),
      ...(t.taskDefinitionArn ? { taskDefinitionArn: t.taskDefinitionArn } : {}),
    })),
    sourceTargets: { ...p.sourceTargets },
  };
  if (p.plan.image.tag) out.imageTag = p.plan.image.tag;
  if (several) {
    out.services = Object.fromEntries(
      Object.entries(p.digests).map(([key, digest]) => {
        const tag = p.plan.images?.[key]?.tag ?? p.sources[key]?.imageTag;
        return [key, { digest, ...(tag ? { imageTag: tag } : {}) }];
      }),
    );
  }
  return out;
}

export function formatPromotionHeader(p: PromotionResult, opts: { color: boolean }): string {
  const c = pc.createColors(opts.color);
  const s = promotionSummary(p);
  const image = `${s.imageTag ? `${s.imageTag} ` : ""}${s.digest}`;
  const t = terminalText;
  const lines = s.services
    ? [
        c.bold(`Promote ${t(s.fromStage)} → ${t(s.toStage)}`),
        // Several services (issue 17): each moves its own digest.
        ...Object.entries(s.services).map(([key, i]) => `  ${t(key)}: image ${t(`${i.imageTag ? `${i.imageTag} ` : ""}${i.digest}`)}`),
      ]
    : [c.bold(`Promote ${t(s.fromStage)} → ${t(s.toStage)}`) + `  image ${t(image)}`];
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
  const head = s.services
    ? [
        `**Promotion ${markdownText(s.fromStage)} → ${markdownText(s.toStage)}**, per service as it runs in ${markdownText(s.fromStage)}:`,
        "",
        ...Object.entries(s.services).map(([key, i]) => {
          const where = p.source.targets
            .filter((x) => x.target.serviceKey === key)
            .map(
              (x) =>
                `${markdownText(x.target.name)} (${x.taskDefinitionArn ? markdownCode(taskDefinitionName(x.taskDefinitionArn)) : "?"})`,
            )
            .join(", ");
          return `- ${markdownCode(key)} ${markdownCode(`${i.imageTag ? `${i.imageTag} ` : ""}${shortDigest(i.digest)}`)} from ${where}`;
        }),
      ].join("\n")
    : `**Promotion ${markdownText(s.fromStage)} → ${markdownText(s.toStage)}**: ${markdownCode(`${s.imageTag ? `${s.imageTag} ` : ""}${shortDigest(s.digest)}`)} as it runs in ${from}.`;
  const plan = formatPlanMarkdown(p.plan);
  // The plan comment's first line may be the hidden marker the Action finds its sticky comment by: keep it first.
  const nl = plan.indexOf("\n");
  if (plan.startsWith("<!--") && nl > 0) return markdownOutput(`${plan.slice(0, nl)}\n${head}\n\n${plan.slice(nl + 1)}`);
  return markdownOutput(`${head}\n\n${plan}`);
}
