// The views of the subjects commands print (view.ts): each subject in text, JSON and Markdown, built
// from the formatters beside this file. `deployer targets` and `deployer validate` have their own
// (targets-text.ts, validate-text.ts).
import type { ErrorInfo } from "../errors.js";
import type { Plan } from "../plan/types.js";
import type { RunReport } from "../apply/types.js";
import type { DriftReport, FleetStatus } from "../fleet/types.js";
import type { PromotionResult } from "../workflow/promote.js";
import { formatPlanText } from "./plan-text.js";
import { formatChecksText } from "./check-text.js";
import { planToJsonText } from "./plan-json.js";
import { formatPlanMarkdown } from "./plan-markdown.js";
import { formatRunReportText } from "./run-text.js";
import { runReportToJsonText } from "./run-json.js";
import { formatStatusText } from "./status-text.js";
import { statusToJsonText } from "./status-json.js";
import { formatStatusMarkdown } from "./status-markdown.js";
import { formatDriftText } from "./drift-text.js";
import { driftToJsonText } from "./drift-json.js";
import { formatDriftMarkdown } from "./drift-markdown.js";
import { formatPromotionHeader, formatPromotionMarkdown, promotionToJsonText } from "./promote-text.js";
import { formatErrors, formatErrorsJson } from "./error-text.js";
import { jsonText, markdownCodeBlock, markdownOutput, terminalOutput, terminalText } from "./escape.js";
import type { View } from "./view.js";

export interface PlanViewOptions {
  /** Text: only the checks that did not pass ("problems", the default) or every check ("all": --verbose). */
  checks?: "all" | "problems";
  /** Text: each check's evidence too (--verbose). */
  evidence?: boolean;
  /** Markdown: where the full plan is, said when diffs are cut to fit. */
  jsonArtifactHint?: string;
  /** Text: the plan was saved to this file (`plan --out-plan`): say how to apply it. */
  savedTo?: string;
}

/** `deployer plan`: per-target diff, steps and checks. */
export function planView(plan: Plan, o: PlanViewOptions = {}): View {
  return {
    text: ({ color }) =>
      formatPlanText(plan, { color, ...(o.checks ? { checks: o.checks } : {}), ...(o.evidence ? { evidence: true } : {}) }) +
      "\n" +
      (o.savedTo
        ? terminalOutput(`Plan saved to ${terminalText(o.savedTo)}; apply it with: deployer rollout --plan ${terminalText(o.savedTo)}`) +
          "\n"
        : ""),
    json: () => planToJsonText(plan) + "\n",
    markdown: () => formatPlanMarkdown(plan, o.jsonArtifactHint ? { jsonArtifactHint: o.jsonArtifactHint } : {}) + "\n",
  };
}

/** `deployer check`: the plan's checks as a tree (JSON and Markdown: the plan's). */
export function checksView(plan: Plan, o: PlanViewOptions = {}): View {
  return { ...planView(plan, o), text: ({ color }) => formatChecksText(plan, { color, evidence: o.evidence ?? false }) + "\n" };
}

/** A rollout's (promote's, rollback's) run report. It has no Markdown form on the command line: the text. */
export function runReportView(report: RunReport): View {
  return {
    text: ({ color }) => formatRunReportText(report, { color }) + "\n",
    json: () => runReportToJsonText(report) + "\n",
  };
}

/** `deployer status`. */
export function statusView(status: FleetStatus): View {
  return {
    text: ({ color, width }) => `${formatStatusText(status, { color, ...(width ? { width } : {}) })}\n`,
    json: () => statusToJsonText(status),
    markdown: () => `${formatStatusMarkdown(status)}\n`,
  };
}

/** `deployer drift`. */
export function driftView(report: DriftReport): View {
  return {
    text: ({ color }) => `${formatDriftText(report, { color })}\n`,
    json: () => driftToJsonText(report),
    markdown: () => `${formatDriftMarkdown(report)}\n`,
  };
}

/** `deployer promote`: what is promoted from where, then the destination stage's plan. */
export function promotionView(p: PromotionResult, o: { checks: "all" | "problems" }): View {
  return {
    text: ({ color }) => `${formatPromotionHeader(p, { color })}\n\n${formatPlanText(p.plan, { color, checks: o.checks })}\n`,
    json: () => promotionToJsonText(p),
    markdown: () => `${formatPromotionMarkdown(p)}\n`,
  };
}

/** `deployer render`: the task definition as JSON (jsonText: what ECS gets, inert in a CI log); Markdown: in a code block. */
export function taskDefinitionView(def: unknown): View {
  const json = () => jsonText(def, 2) + "\n";
  return {
    text: json,
    json,
    markdown: () => markdownOutput(markdownCodeBlock(json().trimEnd().split("\n"), "json")) + "\n",
  };
}

/** The errors that stopped a command: on stderr, or `{ ok: false, errors }` on stdout under `--output json`. */
export function errorsView(errors: ErrorInfo[]): View {
  return {
    text: (o) => [{ to: "stderr", text: formatErrors(errors, { color: o.stderrColor ?? o.color }) + "\n" }],
    json: () => formatErrorsJson(errors) + "\n",
  };
}
