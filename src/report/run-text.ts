// The final summary of a run for a terminal or a CI log: a heading, one table row per target
// (stage, account, outcome, task definition revision, duration, rollback), the counts, then every
// error with what AWS said and a hint.
import pc from "picocolors";
import type { RunReport, TargetOutcome } from "../apply/types.js";
import { formatError } from "./error-text.js";
import { terminalOutput, terminalSafe } from "./escape.js";
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
  type RunRow,
} from "./run-summary.js";

export interface RunTextOptions {
  color: boolean;
  /** Paths in errors are shown relative to this directory (default: process.cwd()). */
  cwd?: string;
}

type Key = "TARGET" | "SERVICE" | "STAGE" | "ACCOUNT" | "OUTCOME" | "TASKS" | "TASK DEFINITION" | "DURATION" | "ROLLBACK";

/**
 * The table's columns: a one-service run without one-off tasks has the columns it always had; several
 * services add SERVICE (TARGET then names the environment, once per group), one-off tasks add TASKS.
 */
function columns(several: boolean, tasks: boolean): Array<{ key: Key; header: string; cell: (r: RunRow) => string }> {
  const out: Array<{ key: Key; header: string; cell: (r: RunRow) => string }> = [
    several
      ? { key: "TARGET", header: "ENV", cell: (r) => (r.groupStart ? r.env : "") }
      : { key: "TARGET", header: "TARGET", cell: (r) => r.target },
  ];
  if (several) out.push({ key: "SERVICE", header: "SERVICE", cell: (r) => r.service });
  out.push(
    { key: "STAGE", header: "STAGE", cell: (r) => (r.groupStart ? r.stage : "") },
    { key: "ACCOUNT", header: "ACCOUNT", cell: (r) => (r.groupStart ? r.account : "") },
    { key: "OUTCOME", header: "OUTCOME", cell: (r) => OUTCOME_LABEL[r.outcome] },
  );
  if (tasks) out.push({ key: "TASKS", header: "TASKS", cell: (r) => r.tasks });
  out.push(
    { key: "TASK DEFINITION", header: "TASK DEFINITION", cell: (r) => r.taskDefinition },
    { key: "DURATION", header: "DURATION", cell: (r) => r.duration },
    { key: "ROLLBACK", header: "ROLLBACK", cell: (r) => r.rollback },
  );
  return out;
}

export function formatRunReportText(input: RunReport, opts: RunTextOptions): string {
  const c = pc.createColors(opts.color);
  const report = terminalSafe(input);
  const paint: Record<TargetOutcome, (s: string) => string> = {
    deployed: c.green,
    unchanged: c.dim,
    "rolled-back": c.yellow,
    failed: c.red,
    interrupted: c.yellow,
    "not-started": c.dim,
    unknown: c.magenta,
  };
  const headline = report.ok ? c.green : report.interrupted ? c.yellow : c.red;
  const lines: string[] = [];
  lines.push(
    `${c.bold(`${report.command} of ${report.service}`)} ${headline(verdict(report))}  ${c.dim(`image ${imageLabel(report)} · run ${report.runId} · ${formatDuration(runDurationMs(report))}`)}`,
  );
  lines.push("");

  const cols = columns(runHasServices(report), runHasTasks(report));
  const at = (key: Key) => cols.findIndex((col) => col.key === key);
  const rows = runRows(report).map((r) => ({
    cells: cols.map((col) => col.cell(r)),
    outcome: r.outcome,
    rollbackFailed: r.rollback.startsWith("FAILED"),
    taskFailed: r.tasks.includes("✗"),
  }));
  const HEADERS = cols.map((col) => col.header);
  const widths = HEADERS.map((h, i) => Math.max(Array.from(h).length, ...rows.map((r) => Array.from(r.cells[i]!).length)));
  const pad = (s: string, i: number): string =>
    i === HEADERS.length - 1 ? s : s + " ".repeat(Math.max(0, widths[i]! - Array.from(s).length));
  lines.push(c.dim(HEADERS.map(pad).join("  ").trimEnd()));
  for (const r of rows) {
    const cells = r.cells.map(pad);
    cells[at("OUTCOME")] = paint[r.outcome](cells[at("OUTCOME")]!);
    if (r.rollbackFailed) cells[at("ROLLBACK")] = c.red(cells[at("ROLLBACK")]);
    if (r.taskFailed && at("TASKS") >= 0) cells[at("TASKS")] = c.red(cells[at("TASKS")]);
    lines.push(cells.join("  ").trimEnd());
  }
  lines.push("");
  lines.push(countsLine(report));

  // One-off tasks (issue 17): per target, each task's outcome, exit code, stop reason and log stream.
  const withTasks = tasksOfRun(report);
  if (withTasks.length > 0) {
    lines.push("");
    lines.push(c.bold("One-off tasks"));
    for (const t of withTasks) {
      for (const k of t.tasks) {
        const d = taskDetails(k);
        const mark = k.outcome === "succeeded" ? c.green(d.outcome) : k.outcome === "failed" ? c.red(d.outcome) : c.yellow(d.outcome);
        lines.push(`  ${t.target}  ${k.name}  ${mark}`);
        for (const line of d.details) lines.push(`    ${c.dim(line)}`);
      }
    }
  }

  const errors = runErrors(report);
  if (errors.length > 0) {
    lines.push("");
    for (const e of errors) lines.push(formatError(e, { color: opts.color, cwd: opts.cwd }));
  }
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}
