// The run report as JSON (`--output json`, `--report FILE`): the RunReport itself, plus counts per
// outcome and the run's duration, with a format version so consumers can rely on its shape.
import type { RunReport, TargetOutcome } from "../apply/types.js";
import { outcomeCounts, runDurationMs } from "./run-summary.js";
import { jsonText } from "./escape.js";

export interface RunReportJson extends RunReport {
  /** Bumped when the shape changes incompatibly. */
  formatVersion: 1;
  durationMs: number;
  summary: Record<TargetOutcome, number> & { targets: number };
}

/** The run report as JSON text (escape.ts: JSON as is, safe to print to a CI log). */
export function runReportToJsonText(report: RunReport): string {
  return jsonText(runReportToJson(report), 2);
}

export function runReportToJson(report: RunReport): RunReportJson {
  // A deep, JSON-safe copy: no undefined members, no shared references with the live report.
  const copy = JSON.parse(JSON.stringify(report)) as RunReport;
  return {
    formatVersion: 1,
    ...copy,
    durationMs: runDurationMs(report),
    summary: { targets: report.targets.length, ...outcomeCounts(report) },
  };
}
