// The files the Action leaves for later steps (upload them as artifacts, post them elsewhere): the
// plan as JSON and Markdown, the run report as JSON. All redacted; paths go to the step's outputs.
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import type { Plan } from "../plan/types.js";
import type { RunReport } from "../apply/types.js";
import { planToJsonText } from "../report/plan-json.js";
import { formatPlanMarkdown } from "../report/plan-markdown.js";
import { runReportToJsonText } from "../report/run-json.js";
import { scrubString } from "../render/redact.js";

/** $RUNNER_TEMP/deployer-<runId>: one directory per run, so two steps of a job never collide. */
export async function outputDir(tempDir: string, runId: string): Promise<string> {
  const dir = path.join(tempDir, `deployer-${runId}`);
  await mkdir(dir, { recursive: true });
  return dir;
}

export async function writePlanFiles(
  dir: string,
  plan: Plan,
  sensitiveValues: readonly string[],
): Promise<{ planJson: string; planMarkdown: string }> {
  const planJson = path.join(dir, "plan.json");
  const planMarkdown = path.join(dir, "plan.md");
  await writeFile(planJson, planToJsonText(plan, sensitiveValues));
  await writeFile(planMarkdown, formatPlanMarkdown(plan, { sensitiveValues }) + "\n");
  return { planJson, planMarkdown };
}

export async function writeReportFile(dir: string, report: RunReport, sensitiveValues: readonly string[]): Promise<string> {
  const file = path.join(dir, "report.json");
  await writeFile(file, scrubString(runReportToJsonText(report), sensitiveValues) + "\n");
  return file;
}

/**
 * target → the task definition it runs after the run: the new revision for deployed targets, the
 * current one for unchanged targets. Failed, rolled-back, interrupted and not-started targets are
 * left out (what they run is in the report).
 */
export function taskDefinitionArns(report: RunReport): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of report.targets) {
    if ((r.outcome === "deployed" || r.outcome === "unchanged") && r.taskDefinitionArn) out[r.target.name] = r.taskDefinitionArn;
  }
  return out;
}
