// The run report as GitHub-flavoured Markdown, for the Action's job summary (and `--output markdown`):
// a heading with the verdict, the per-target table, then every error with AWS's words and a hint.
import type { RunReport, TargetOutcome } from "../apply/types.js";
import type { ErrorInfo } from "../errors.js";
import { countsLine, formatDuration, imageLabel, OUTCOME_LABEL, runDurationMs, runErrors, runRows, verdict } from "./run-summary.js";

const ICON: Record<TargetOutcome, string> = {
  deployed: "✅",
  unchanged: "➖",
  "rolled-back": "↩️",
  failed: "❌",
  interrupted: "⚠️",
  "not-started": "⏸️",
  unknown: "❓",
};

export function formatRunReportMarkdown(report: RunReport): string {
  const head = report.ok ? "✅" : report.interrupted ? "⚠️" : "❌";
  const out: string[] = [];
  out.push(`### ${head} ${cap(report.command)} of \`${code(report.service)}\` ${verdict(report)}`);
  out.push("");
  out.push(`Image \`${code(imageLabel(report))}\` · run \`${code(report.runId)}\` · ${formatDuration(runDurationMs(report))} · ${countsLine(report)}`);
  out.push("");
  out.push("| Target | Stage | Account | Outcome | Task definition | Duration | Rollback |");
  out.push("|---|---|---|---|---|---|---|");
  for (const r of runRows(report)) {
    out.push(
      `| ${cell(r.target)} | ${cell(r.stage)} | ${cell(r.account)} | ${ICON[r.outcome]} ${OUTCOME_LABEL[r.outcome]} | ${cell(r.taskDefinition)} | ${cell(r.duration)} | ${cell(r.rollback)} |`,
    );
  }
  const errors = runErrors(report);
  if (errors.length > 0) {
    out.push("");
    out.push(`#### Errors (${errors.length})`);
    out.push("");
    for (const e of errors) out.push(errorItem(e));
  }
  return out.join("\n") + "\n";
}

function errorItem(e: ErrorInfo): string {
  const who = e.target ? `**${text(e.target)}**${e.account ? ` (${text(e.account)})` : ""} ` : "";
  const lines = [`- ${who}\`${e.code}\` ${text(e.message)}`];
  if (e.location) lines.push(`  - at \`${code(`${e.location.file}:${e.location.line}:${e.location.column}`)}\``);
  if (e.action || e.resource) lines.push(`  - AWS: ${[e.action, e.resource].filter(Boolean).map((x) => `\`${code(x!)}\``).join(" on ")}`);
  if (e.awsCode || e.awsMessage) lines.push(`  - AWS said: ${text([e.awsCode, e.awsMessage].filter(Boolean).join(": "))}`);
  if (e.hint) lines.push(`  - Hint: ${text(e.hint)}`);
  return lines.join("\n");
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Text for a table cell: no pipes or line breaks, Markdown and HTML neutralised. */
function cell(s: string): string {
  return text(s).replace(/\|/g, "\\|");
}

/** Plain text inside Markdown: escape what GitHub would interpret (emphasis, links, HTML). */
function text(s: string): string {
  return s.replace(/\r?\n/g, " ").replace(/([\\`*_[\]<>])/g, "\\$1");
}

/** Text inside an inline code span. */
function code(s: string): string {
  return s.replace(/`/g, "'").replace(/\r?\n/g, " ");
}
