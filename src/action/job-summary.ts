// The job summary (GITHUB_STEP_SUMMARY, shown on the run's page): the plan, the rollout result, or
// the errors that stopped the Action, as GitHub-flavoured Markdown. Always scrubbed of sensitive values.
import type { ErrorInfo } from "../errors.js";
import type { Plan } from "../plan/types.js";
import type { RunReport } from "../apply/types.js";
import { formatPlanMarkdown } from "../report/plan-markdown.js";
import { errorItem, formatRunReportMarkdown } from "../report/run-markdown.js";
import { markdownOutput, markdownText } from "../report/escape.js";
import { workspacePath } from "./annotations.js";

/** The plan section (the same Markdown as the pull-request comment). */
export function planSummary(plan: Plan, sensitiveValues: readonly string[], jsonArtifactHint?: string): string {
  return formatPlanMarkdown(plan, { sensitiveValues, ...(jsonArtifactHint ? { jsonArtifactHint } : {}) });
}

/** The run report, then the plan it applied, collapsed. */
export function runSummary(report: RunReport, plan: Plan, sensitiveValues: readonly string[]): string {
  return `${formatRunReportMarkdown(report)}\n<details><summary>The plan that was applied</summary>\n\n${planSummary(plan, sensitiveValues)}\n</details>\n`;
}

/** Errors that stopped the Action before there was a plan or a report (inputs, configuration, AWS). */
export function errorSummary(command: string, errors: readonly ErrorInfo[], workspace: string): string {
  const out = [`### ❌ deployer ${markdownText(command)} failed`, "", `${errors.length} error${errors.length === 1 ? "" : "s"}:`, ""];
  for (const e of errors) {
    const where = e.location ? `${workspacePath(e.location.file, workspace)}:${e.location.line}:${e.location.column}` : undefined;
    out.push(errorItem(e, where));
  }
  return markdownOutput(out.join("\n") + "\n");
}
