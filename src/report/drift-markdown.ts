// `deployer drift --output markdown`: for an issue a scheduled workflow opens, or a job summary. A table
// of targets, then one collapsible diff per drifted target and per differing target of a stage.
import type { FieldChange } from "../plan/types.js";
import type { DriftReport } from "../fleet/types.js";
import { displayValue, plural } from "./plan-format.js";
import { mdCell } from "./status-markdown.js";
import { taskDefinitionName, shortDigest } from "../config/aws-names.js";
import { groupByEnv, severalServices } from "./services.js";
import { htmlText, markdownCode, markdownCodeBlock, markdownOutput, markdownText } from "./escape.js";

export function formatDriftMarkdown(report: DriftReport): string {
  const s = report.summary;
  const out: string[] = [];
  out.push(`### Drift: ${markdownCode(report.service)}`);
  out.push("");
  const parts = [`${s.inSync} in sync`, `**${s.drifted} drifted**`];
  if (s.errors) parts.push(`${plural(s.errors, "error")}`);
  if (s.inconsistentStages) parts.push(`${plural(s.inconsistentStages, "stage")} with targets differing from each other`);
  out.push(`${plural(s.targets, "target")}: ${parts.join(", ")} · ${report.createdAt}`);
  out.push("");
  // Several services (issue 17): a Service column, rows grouped by environment (shown once per group).
  const several = severalServices(report.targets.map((t) => t.target));
  out.push(
    several ? "| Env | Service | Stage | Account | Region | Runs | Drift |" : "| Target | Stage | Account | Region | Runs | Drift |",
  );
  out.push(several ? "|---|---|---|---|---|---|---|" : "|---|---|---|---|---|---|");
  const ordered = several
    ? groupByEnv(report.targets, (t) => t.target).flatMap((g) => g.items.map((t, i) => ({ t, first: i === 0 })))
    : report.targets.map((t) => ({ t, first: true }));
  for (const { t, first } of ordered) {
    const runs = t.running
      ? `${taskDefinitionName(t.running.taskDefinitionArn)}${t.running.digest ? ` (${shortDigest(t.running.digest)})` : ""}`
      : "—";
    const verdict =
      t.status === "in-sync"
        ? "✅ in sync"
        : t.status === "drifted"
          ? `⚠️ ${plural(t.changes.length, "field")}`
          : `❌ ${t.error?.code ?? "error"}`;
    const where = first ? [t.target.stage, t.target.account, t.target.region] : ["", "", ""];
    const who = several ? [first ? t.target.env : "", t.target.serviceKey] : [t.target.name];
    out.push(`| ${[...who, ...where, runs, verdict].map(mdCell).join(" | ")} |`);
  }

  for (const t of report.targets.filter((x) => x.status === "drifted")) {
    out.push("");
    out.push(
      `<details><summary><b>${htmlText(t.target.name)}</b>: ${plural(t.changes.length, "field")} differ from the configuration</summary>`,
    );
    out.push("");
    out.push(markdownCodeBlock(diffLines(t.changes, "running", "expected"), "diff"));
    if (t.notes.length > 0) out.push("", ...t.notes.map((n) => `- ${markdownText(n)}`));
    out.push("");
    out.push("</details>");
  }

  for (const stage of report.stages) {
    for (const d of stage.differences) {
      out.push("");
      out.push(
        `<details><summary><b>${htmlText(d.target)}</b> differs from ${htmlText(stage.reference ?? "")} (stage ${htmlText(stage.stage)}${stage.serviceKey !== undefined ? `, service ${htmlText(stage.serviceKey)}` : ""})</summary>`,
      );
      out.push("");
      out.push(markdownCodeBlock(diffLines(d.changes, stage.reference ?? "reference", d.target), "diff"));
      out.push("");
      out.push("</details>");
    }
  }

  const errors = report.targets.filter((t) => t.status === "error");
  if (errors.length > 0) {
    out.push("");
    out.push("**Errors**");
    out.push("");
    for (const t of errors)
      out.push(
        `- **${markdownText(t.target.name)}**: ${markdownCode(t.error!.code)} ${markdownText(t.error!.message)}${t.error!.hint ? `. _Hint:_ ${markdownText(t.error!.hint)}` : ""}`,
      );
  }
  return markdownOutput(out.join("\n"));
}

/** `- path: value` (the first side) / `+ path: value` (the second), as a diff code block shows them. */
function diffLines(changes: FieldChange[], before: string, after: string): string[] {
  const lines = [`# - ${before}`, `# + ${after}`];
  for (const c of changes) {
    if (c.kind !== "added") lines.push(`- ${c.path}: ${displayValue(c.before, 500)}`);
    if (c.kind !== "removed") lines.push(`+ ${c.path}: ${displayValue(c.after, 500)}`);
  }
  return lines;
}
