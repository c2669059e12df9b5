// The final summary of a run for a terminal or a CI log: a heading, one table row per target
// (stage, account, outcome, task definition revision, duration, rollback), the counts, then every
// error with what AWS said and a hint.
import pc from "picocolors";
import type { RunReport, TargetOutcome } from "../apply/types.js";
import { formatError } from "./error-text.js";
import { terminalOutput, terminalSafe } from "./escape.js";
import { countsLine, formatDuration, imageLabel, OUTCOME_LABEL, runDurationMs, runErrors, runRows, verdict } from "./run-summary.js";

export interface RunTextOptions {
  color: boolean;
  /** Paths in errors are shown relative to this directory (default: process.cwd()). */
  cwd?: string;
}

const HEADERS = ["TARGET", "STAGE", "ACCOUNT", "OUTCOME", "TASK DEFINITION", "DURATION", "ROLLBACK"];

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

  const rows = runRows(report).map((r) => ({
    cells: [r.target, r.stage, r.account, OUTCOME_LABEL[r.outcome], r.taskDefinition, r.duration, r.rollback],
    outcome: r.outcome,
    rollbackFailed: r.rollback.startsWith("FAILED"),
  }));
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r.cells[i]!.length)));
  const pad = (s: string, i: number): string => (i === HEADERS.length - 1 ? s : s.padEnd(widths[i]!));
  lines.push(c.dim(HEADERS.map(pad).join("  ").trimEnd()));
  for (const r of rows) {
    const cells = r.cells.map(pad);
    cells[3] = paint[r.outcome](cells[3]!);
    if (r.rollbackFailed) cells[6] = c.red(cells[6]);
    lines.push(cells.join("  ").trimEnd());
  }
  lines.push("");
  lines.push(countsLine(report));

  const errors = runErrors(report);
  if (errors.length > 0) {
    lines.push("");
    for (const e of errors) lines.push(formatError(e, { color: opts.color, cwd: opts.cwd }));
  }
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}
