// What the sandbox saw during one measured run: API calls per target by action, DescribeServices
// calls per minute per target while deployer waited, and how long after the sandbox settled each
// deployment deployer reported it.
import type { DeploymentSettledEvent, RequestLogEntry } from "../sandbox/index.js";
import { median, percentile } from "./process-stats.js";

/** Calls per target by action (the whole run: every account, the CI account's calls included). */
export function callsPerTarget(log: RequestLogEntry[], targets: number): { total: number; byAction: Record<string, number> } {
  const counts: Record<string, number> = {};
  for (const e of log) counts[e.action] = (counts[e.action] ?? 0) + 1;
  const byAction: Record<string, number> = {};
  for (const [action, n] of Object.entries(counts).sort((a, b) => b[1] - a[1])) byAction[action] = round(n / targets, 2);
  return { total: round(log.length / targets, 2), byAction };
}

/** The JSON run report's per-target fields this module reads. */
export interface ReportedTarget {
  target: { name: string; account: string };
  outcome: string;
  finishedAt?: string;
}

export interface WaitStats {
  /** Targets measured (deployed, with a settle event and an UpdateService call). */
  targets: number;
  /** Sandbox settle time → deployer's report of that target, ms. */
  detectionMs: { median: number; p95: number; max: number };
  /** DescribeServices calls per minute per target between its UpdateService and deployer's report. */
  describeServicesPerMinutePerTarget: number;
  /** The most DescribeServices calls any one target's account received while deployer waited on it. */
  maxDescribeServicesPerTarget: number;
}

/**
 * For each deployed target: its account's UpdateService call (log), the sandbox's settle event of
 * the deployment, and the time deployer reported the target done (report.finishedAt).
 */
export function waitStats(log: RequestLogEntry[], settled: DeploymentSettledEvent[], reported: ReportedTarget[]): WaitStats | undefined {
  const detections: number[] = [];
  let calls = 0;
  let waitedMs = 0;
  let maxCalls = 0;
  for (const t of reported) {
    if (t.outcome !== "deployed" || !t.finishedAt) continue;
    const account = t.target.account;
    const update = log.find((e) => e.account === account && e.action === "UpdateService" && e.status === 200);
    if (!update) continue;
    const updatedAt = Date.parse(update.time);
    const doneAt = Date.parse(t.finishedAt);
    const settle = settled.find((e) => e.account === account && e.rolloutState === "COMPLETED" && e.at >= updatedAt);
    if (!settle) continue;
    detections.push(doneAt - settle.at);
    const polls = log.filter(
      (e) => e.account === account && e.action === "DescribeServices" && Date.parse(e.time) > updatedAt && Date.parse(e.time) <= doneAt,
    ).length;
    calls += polls;
    waitedMs += doneAt - updatedAt;
    maxCalls = Math.max(maxCalls, polls);
  }
  if (detections.length === 0) return undefined;
  return {
    targets: detections.length,
    detectionMs: {
      median: Math.round(median(detections)),
      p95: Math.round(percentile(detections, 95)),
      max: Math.round(Math.max(...detections)),
    },
    describeServicesPerMinutePerTarget: waitedMs > 0 ? round(calls / detections.length / (waitedMs / detections.length / 60_000), 1) : 0,
    maxDescribeServicesPerTarget: maxCalls,
  };
}

export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
