// What the run report renderers (text, Markdown, JSON) share: one row per target in words, the
// counts per outcome, durations in human form.
import type { RunReport, TargetOutcome, TargetResult } from "../apply/types.js";
import type { ErrorInfo } from "../errors.js";
import { parseTaskDefinitionRef } from "../config/aws-names.js";
import { describeTrigger } from "../ecs/deployment-state.js";

export interface RunRow {
  target: string;
  stage: string;
  account: string;
  outcome: TargetOutcome;
  /** `shop-api:12 → :13`, `shop-api:12` (unchanged), `—`. */
  taskDefinition: string;
  duration: string;
  /** `—`, `ecs → shop-api:12`, `deployer → shop-api:12`, `FAILED (deployer)`, `not attempted`. */
  rollback: string;
}

export const OUTCOME_ORDER: TargetOutcome[] = ["deployed", "unchanged", "rolled-back", "failed", "unknown", "interrupted", "not-started"];

export const OUTCOME_LABEL: Record<TargetOutcome, string> = {
  deployed: "deployed",
  unchanged: "unchanged",
  "rolled-back": "rolled back",
  failed: "failed",
  interrupted: "interrupted",
  "not-started": "not started",
  unknown: "state unknown",
};

export function runRows(report: RunReport): RunRow[] {
  return report.targets.map((t) => ({
    target: t.target.name,
    stage: t.target.stage,
    account: t.target.account,
    outcome: t.outcome,
    taskDefinition: taskDefinitionCell(t),
    duration: t.durationMs !== undefined ? formatDuration(t.durationMs) : "—",
    rollback: rollbackCell(t),
  }));
}

function taskDefinitionCell(t: TargetResult): string {
  const before = t.previousTaskDefinitionArn ? parseTaskDefinitionRef(t.previousTaskDefinitionArn) : undefined;
  const after = t.taskDefinitionArn ? parseTaskDefinitionRef(t.taskDefinitionArn) : undefined;
  const reused = t.reusedTaskDefinition ? " (reused)" : t.resumedDeployment ? " (resumed)" : "";
  if (after && before && after.name !== before.name) {
    return after.family === before.family ? `${before.name} → :${after.revision}${reused}` : `${before.name} → ${after.name}${reused}`;
  }
  if (after) return `${after.name}${reused}`;
  if (before) return before.name;
  return "—";
}

function rollbackCell(t: TargetResult): string {
  const rb = t.rollback;
  if (!rb) return "—";
  if (rb.by === "none") {
    if (rb.error?.code === "ROLLBACK_REFUSED") return "not attempted (no known-good revision)";
    if (rb.error?.code === "STATE_UNKNOWN") return "not attempted (state unknown)";
    return "not attempted";
  }
  const to = rb.toTaskDefinitionArn ? ` → ${parseTaskDefinitionRef(rb.toTaskDefinitionArn).name}` : "";
  const how =
    rb.by === "ecs" && rb.trigger
      ? ` (${describeTrigger(rb.trigger)})`
      : rb.via === "stop-service-deployment"
        ? " (StopServiceDeployment)"
        : "";
  if (rb.ok) return `${rb.by}${how}${to}`;
  if (rb.error?.code === "STATE_UNKNOWN") return `unknown (${rb.by}${how}${to})`;
  return rb.error?.code === "INTERRUPTED" ? `interrupted (${rb.by}${how}${to})` : `FAILED (${rb.by}${how}${to})`;
}

export function outcomeCounts(report: RunReport): Record<TargetOutcome, number> {
  const counts = Object.fromEntries(OUTCOME_ORDER.map((o) => [o, 0])) as Record<TargetOutcome, number>;
  for (const t of report.targets) counts[t.outcome] += 1;
  return counts;
}

/** `3 deployed, 1 failed, 2 not started`. */
export function countsLine(report: RunReport): string {
  const counts = outcomeCounts(report);
  const parts = OUTCOME_ORDER.filter((o) => counts[o] > 0).map((o) => `${counts[o]} ${OUTCOME_LABEL[o]}`);
  return parts.length ? parts.join(", ") : "no targets";
}

/** Every error of the run, each with the target it concerns: target errors, rollback errors, then the run's. */
export function runErrors(report: RunReport): ErrorInfo[] {
  const out: ErrorInfo[] = [];
  for (const t of report.targets) {
    if (t.error) out.push({ ...t.error, target: t.error.target ?? t.target.name, account: t.error.account ?? t.target.account });
    if (t.rollback?.error)
      out.push({
        ...t.rollback.error,
        target: t.rollback.error.target ?? t.target.name,
        account: t.rollback.error.account ?? t.target.account,
      });
  }
  if (report.error) out.push(report.error);
  return out;
}

export function runDurationMs(report: RunReport): number {
  return Math.max(0, Date.parse(report.finishedAt) - Date.parse(report.startedAt));
}

/** `850ms`, `42s`, `3m07s`, `1h02m`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, "0")}m`;
}

/** `repo:tag@sha256:abcdef123456` shortened for headings. */
export function imageLabel(report: RunReport): string {
  const short = report.image.digest.replace(/^sha256:/, "").slice(0, 12);
  return `${report.image.repository}${report.image.tag ? `:${report.image.tag}` : ""} (sha256:${short})`;
}

/** What the run did, as a heading: `rollout of shop-api succeeded`. */
export function verdict(report: RunReport): string {
  if (report.interrupted) return "interrupted";
  if (report.ok) return "succeeded";
  if (report.error?.code === "PREFLIGHT_FAILED") return "refused (preflight failed)";
  return "failed";
}
