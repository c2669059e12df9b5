// The run report as GitHub-flavoured Markdown, for the Action's job summary (and `--output markdown`):
// a heading with the verdict, the per-target table, then every error with AWS's words and a hint.
import type { RunReport, TargetOutcome } from "../apply/types.js";
import type { ErrorInfo } from "../errors.js";
import {
  countsLine,
  formatDuration,
  imageLabel,
  OUTCOME_LABEL,
  runDurationMs,
  runErrors,
  runHasServices,
  runHasTasks,
  runRows,
  taskDetails,
  tasksOfRun,
  verdict,
} from "./run-summary.js";
import { markdownCode, markdownOutput, markdownText } from "./escape.js";

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
  out.push(`### ${head} ${markdownText(cap(report.command))} of ${markdownCode(report.service)} ${verdict(report)}`);
  out.push("");
  out.push(
    `Image ${markdownCode(imageLabel(report))} · run ${markdownCode(report.runId)} · ${formatDuration(runDurationMs(report))} · ${countsLine(report)}`,
  );
  out.push("");
  // Several services (issue 17): a Service column, the environment once per group; one-off tasks: a Tasks column.
  const several = runHasServices(report);
  const tasks = runHasTasks(report);
  const headers = [
    several ? "Env" : "Target",
    ...(several ? ["Service"] : []),
    "Stage",
    "Account",
    "Outcome",
    ...(tasks ? ["Tasks"] : []),
    "Task definition",
    "Duration",
    "Rollback",
  ];
  out.push(`| ${headers.join(" | ")} |`);
  out.push(`|${headers.map(() => "---").join("|")}|`);
  for (const r of runRows(report)) {
    const first = r.groupStart;
    const cells = [
      cell(several ? (first ? r.env : "") : r.target),
      ...(several ? [cell(r.service)] : []),
      cell(first ? r.stage : ""),
      cell(first ? r.account : ""),
      `${ICON[r.outcome]} ${OUTCOME_LABEL[r.outcome]}`,
      ...(tasks ? [cell(r.tasks)] : []),
      cell(r.taskDefinition),
      cell(r.duration),
      cell(r.rollback),
    ];
    out.push(`| ${cells.join(" | ")} |`);
  }
  const withTasks = tasksOfRun(report);
  if (withTasks.length > 0) {
    out.push("");
    out.push("#### One-off tasks");
    out.push("");
    for (const t of withTasks) {
      for (const k of t.tasks) {
        const d = taskDetails(k);
        const icon = k.outcome === "succeeded" ? "✅" : k.outcome === "failed" ? "❌" : k.outcome === "skipped" ? "⏭️" : "❓";
        out.push(`- ${icon} **${text(t.target)}** ${markdownCode(k.name)} ${text(d.outcome)}`);
        for (const line of d.details) out.push(`  - ${text(line)}`);
      }
    }
  }
  const errors = runErrors(report);
  if (errors.length > 0) {
    out.push("");
    out.push(`#### Errors (${errors.length})`);
    out.push("");
    for (const e of errors) out.push(errorItem(e));
  }
  return markdownOutput(out.join("\n") + "\n");
}

/** One error as a Markdown list item (shared with the Action's job summary). */
export function errorItem(e: ErrorInfo, where?: string): string {
  const who = e.target ? `**${text(e.target)}**${e.account ? ` (${text(e.account)})` : ""} ` : "";
  const lines = [`- ${who}${markdownCode(e.code)}${e.field ? ` ${markdownCode(e.field)}` : ""} ${text(e.message)}`];
  const at = where ?? (e.location ? `${e.location.file}:${e.location.line}:${e.location.column}` : undefined);
  if (at) lines.push(`  - at ${markdownCode(at)}`);
  if (e.action || e.resource)
    lines.push(
      `  - AWS: ${[e.action, e.resource]
        .filter((x): x is string => Boolean(x))
        .map((x) => markdownCode(x))
        .join(" on ")}`,
    );
  if (e.awsCode || e.awsMessage) lines.push(`  - AWS said: ${text([e.awsCode, e.awsMessage].filter(Boolean).join(": "))}`);
  if (e.hint) lines.push(`  - Hint: ${text(e.hint)}`);
  return lines.join("\n");
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** Text for a table cell. */
function cell(s: string): string {
  return markdownText(s, { table: true });
}

function text(s: string): string {
  return markdownText(s);
}
