// What the run report renderers (text, Markdown, JSON) share: one row per target in words, the
// counts per outcome, durations in human form.
import type { RunReport, TargetOutcome, TargetResult, TaskRunResult } from "../apply/types.js";
import type { ErrorInfo } from "../errors.js";
import { parseTaskDefinitionRef } from "../config/aws-names.js";
import { describeTrigger } from "../ecs/deployment-state.js";
import { envOf, groupByEnv, severalServices } from "./services.js";

export interface RunRow {
  /** The unit's name (`ENV/SERVICE` with several services). */
  target: string;
  /** The environment and the service (issue 17). */
  env: string;
  service: string;
  /** First row of its environment's group (always true for a one-service project). */
  groupStart: boolean;
  /** The one-off tasks in a few words (`migrate ✓`, `migrate ✗ exit 1`); `—` without tasks. */
  tasks: string;
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

/** True when the run deployed units of several services (SERVICE column, rows grouped by environment). */
export function runHasServices(report: RunReport): boolean {
  return severalServices(
    report.targets.map((t) => t.target),
    report.images,
  );
}

/** True when some target ran (or skipped) one-off tasks: the TASKS column. */
export function runHasTasks(report: RunReport): boolean {
  return report.targets.some((t) => (t.tasks ?? []).length > 0);
}

export function runRows(report: RunReport): RunRow[] {
  const ordered = runHasServices(report)
    ? groupByEnv(report.targets, (t) => t.target).flatMap((g) => g.items.map((t, i) => ({ t, groupStart: i === 0 })))
    : report.targets.map((t) => ({ t, groupStart: true }));
  return ordered.map(({ t, groupStart }) => ({
    target: t.target.name,
    env: envOf(t.target),
    service: t.target.serviceKey ?? "",
    groupStart,
    tasks: tasksCell(t.tasks ?? []),
    stage: t.target.stage,
    account: t.target.account,
    outcome: t.outcome,
    taskDefinition: taskDefinitionCell(t),
    duration: t.durationMs !== undefined ? formatDuration(t.durationMs) : "—",
    rollback: rollbackCell(t),
  }));
}

/** `migrate ✓`, `migrate ✗ exit 1`, `migrate skipped`, `migrate ?`: each task of a target in a few words. */
export function tasksCell(tasks: readonly TaskRunResult[]): string {
  if (tasks.length === 0) return "—";
  return tasks
    .map((k) => {
      switch (k.outcome) {
        case "succeeded":
          return `${k.name} ✓`;
        case "failed":
          return `${k.name} ✗${k.exitCode !== undefined ? ` exit ${k.exitCode}` : k.stopCode ? ` ${k.stopCode}` : ""}`;
        case "skipped":
          return `${k.name} skipped`;
        default:
          return `${k.name} ?`;
      }
    })
    .join(", ");
}

/** One task's details, in words: outcome, exit code, stop code and reason, container reason, log stream. */
export function taskDetails(k: TaskRunResult): { outcome: string; details: string[] } {
  const outcome =
    k.outcome === "succeeded"
      ? `succeeded (exit ${k.exitCode ?? 0})`
      : k.outcome === "failed"
        ? `failed${k.exitCode !== undefined ? ` (exit ${k.exitCode})` : ""}`
        : k.outcome === "skipped"
          ? `skipped${k.skippedBecause ? `: ${k.skippedBecause}` : ""}`
          : "state unknown";
  const details: string[] = [];
  details.push(`container ${k.container}`);
  if (k.stopCode || k.stoppedReason) details.push(`stopped: ${[k.stopCode, k.stoppedReason].filter(Boolean).join(": ")}`);
  if (k.containerReason) details.push(`container reason: ${k.containerReason}`);
  if (k.logGroup || k.logStream) details.push(`logs: ${[k.logGroup, k.logStream].filter(Boolean).join(" ")}`);
  if (k.taskArn) details.push(`task ${k.taskArn}`);
  if (k.durationMs !== undefined) details.push(formatDuration(k.durationMs));
  return { outcome, details };
}

/** Every target with one-off tasks, in the rows' order. */
export function tasksOfRun(report: RunReport): Array<{ target: string; account: string; tasks: TaskRunResult[] }> {
  return report.targets
    .filter((t) => (t.tasks ?? []).length > 0)
    .map((t) => ({ target: t.target.name, account: t.target.account, tasks: t.tasks! }));
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
    // A one-off task's own error, when the target's error does not already say it (issue 17).
    for (const k of t.tasks ?? [])
      if (k.error && k.error.message !== t.error?.message)
        out.push({ ...k.error, target: k.error.target ?? t.target.name, account: k.error.account ?? t.target.account });
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

/** `repo:tag@sha256:abcdef123456` shortened for headings; with several services `api repo:tag (…), worker …`. */
export function imageLabel(report: RunReport): string {
  const one = (i: RunReport["image"]) =>
    `${i.repository}${i.tag ? `:${i.tag}` : ""} (sha256:${i.digest.replace(/^sha256:/, "").slice(0, 12)})`;
  const images = Object.entries(report.images ?? {});
  if (images.length > 1) return images.map(([key, i]) => `${key} ${one(i)}`).join(", ");
  return one(report.image);
}

/** What the run did, as a heading: `rollout of shop-api succeeded`. */
export function verdict(report: RunReport): string {
  if (report.interrupted) return "interrupted";
  if (report.ok) return "succeeded";
  if (report.error?.code === "PREFLIGHT_FAILED") return "refused (preflight failed)";
  return "failed";
}
