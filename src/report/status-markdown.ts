// `deployer status --output markdown`: the fleet table for a job summary, a wiki page or an issue.
import type { FleetStatus } from "../fleet/types.js";
import { plural } from "./plan-format.js";
import { statusColumns, statusTableRows } from "./status-cells.js";
import { markdownCode, markdownOutput, markdownText } from "./escape.js";

/** Text in a table cell (escape.ts: Markdown, HTML and mentions neutralised, ARNs as code). */
export function mdCell(s: string): string {
  return markdownText(s, { table: true });
}

export function formatStatusMarkdown(status: FleetStatus): string {
  const out: string[] = [];
  const s = status.summary;
  out.push(`### Fleet status: ${markdownCode(status.service)}`);
  out.push("");
  const parts = [`${s.stable} stable`];
  if (s.inProgress) parts.push(`${s.inProgress} deploying`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.degraded) parts.push(`${s.degraded} degraded`);
  if (s.scaledToZero) parts.push(`${s.scaledToZero} scaled to zero`);
  if (s.errors) parts.push(plural(s.errors, "unreadable target"));
  out.push(`${plural(s.targets, "target")}: ${parts.join(", ")} · ${status.createdAt}`);
  out.push("");
  // With several services (issue 17): a SERVICE column, rows grouped by environment (shown once).
  const columns = statusColumns(status.rows);
  const several = columns.includes("SERVICE");
  out.push(`| ${columns.map((c) => (several && c === "TARGET" ? "ENV" : c)).join(" | ")} |`);
  out.push(`|${columns.map(() => "---").join("|")}|`);
  for (const { row, cells } of statusTableRows(status.rows)) {
    if (!row.ok) cells["TASK DEFINITION"] = `❌ ${row.error?.code ?? "error"}`;
    else if (row.health?.state === "failed") cells.ROLLOUT = `❌ ${cells.ROLLOUT}`;
    else if (row.health?.state === "stable") cells.ROLLOUT = `✅ ${cells.ROLLOUT}`;
    else if (row.health?.state === "scaled-to-zero") cells.ROLLOUT = `⏹️ ${cells.ROLLOUT}`;
    else cells.ROLLOUT = `⏳ ${cells.ROLLOUT}`;
    out.push(`| ${columns.map((c) => mdCell(cells[c])).join(" | ")} |`);
  }
  const errors = status.rows.filter((r) => !r.ok);
  if (errors.length > 0) {
    out.push("");
    out.push("**Unreadable targets**");
    out.push("");
    for (const r of errors) {
      const e = r.error!;
      out.push(
        `- **${markdownText(r.target.name)}** (${markdownText(r.target.account)}): ${markdownCode(e.code)} ${markdownText(e.message)}${e.hint ? `. _Hint:_ ${markdownText(e.hint)}` : ""}`,
      );
    }
  }
  const reasons = [...new Set(status.rows.flatMap((r) => (r.promotion.state === "source-not-ready" ? r.promotion.reasons : [])))];
  if (reasons.length > 0) {
    out.push("");
    out.push("**Not ready to promote from**");
    out.push("");
    for (const reason of reasons) out.push(`- ${markdownText(reason)}`);
  }
  return markdownOutput(out.join("\n"));
}
