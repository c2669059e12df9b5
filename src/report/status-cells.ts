// The cells of one `deployer status` row, as text: shared by the terminal table and the Markdown table
// so both say the same thing in the same words.
import type { PromotionReadiness, StatusRow } from "../fleet/types.js";
import { shortDigest } from "../config/aws-names.js";
import { envOf, groupByEnv, severalServices } from "./services.js";

export const STATUS_COLUMNS = [
  "TARGET",
  "SERVICE",
  "STAGE",
  "ACCOUNT",
  "REGION",
  "CLUSTER/SERVICE",
  "TASK DEFINITION",
  "IMAGE",
  "RUNNING",
  "ROLLOUT",
  "DEPLOYED",
  "BY",
  "PROMOTION",
] as const;

export type StatusColumn = (typeof STATUS_COLUMNS)[number];
export type StatusCells = Record<StatusColumn, string>;

/** The columns shown: SERVICE only when the project has several services (issue 17). */
export function statusColumns(rows: readonly StatusRow[]): StatusColumn[] {
  return severalServices(rows.map((r) => r.target)) ? [...STATUS_COLUMNS] : STATUS_COLUMNS.filter((c) => c !== "SERVICE");
}

/** The cells of the environment itself: with several services, shown on the first row of its group only. */
const ENV_CELLS = ["TARGET", "STAGE", "ACCOUNT", "REGION"] as const;

/**
 * The rows in display order with their cells. With several services, rows are grouped by environment
 * (TARGET then shows the environment, SERVICE the service) and the environment's own cells are shown
 * once per group, so a fleet of N environments × S services reads as N blocks.
 */
export function statusTableRows(
  rows: readonly StatusRow[],
  cellsOf: (row: StatusRow) => StatusCells = statusCells,
): Array<{ row: StatusRow; cells: StatusCells; groupStart: boolean }> {
  if (!severalServices(rows.map((r) => r.target))) return rows.map((row) => ({ row, cells: cellsOf(row), groupStart: true }));
  return groupByEnv(rows, (r) => r.target).flatMap((g) =>
    g.items.map((row, i) => {
      const cells = { ...cellsOf(row), TARGET: envOf(row.target) };
      if (i > 0) for (const k of ENV_CELLS) cells[k] = "";
      return { row, cells, groupStart: i === 0 };
    }),
  );
}

export function statusCells(row: StatusRow): StatusCells {
  const t = row.target;
  const dash = "—";
  return {
    TARGET: t.name,
    SERVICE: t.serviceKey ?? "",
    STAGE: t.stage,
    ACCOUNT: t.account,
    REGION: t.region,
    "CLUSTER/SERVICE": `${t.cluster}/${t.service}`,
    "TASK DEFINITION": row.taskDefinition ? `${row.taskDefinition.family}:${row.taskDefinition.revision}` : dash,
    IMAGE: imageCell(row),
    RUNNING: row.running !== undefined && row.desired !== undefined ? `${row.running}/${row.desired}` : dash,
    ROLLOUT: rolloutCell(row),
    DEPLOYED: row.lastDeployedAt ? shortTime(row.lastDeployedAt) : dash,
    BY: row.lastDeployedBy ? shortActor(row.lastDeployedBy) : dash,
    PROMOTION: readinessCell(row.promotion),
  };
}

export function imageCell(row: StatusRow): string {
  if (!row.image) return "—";
  const digest = row.image.digest ? shortDigest(row.image.digest) : (row.image.ref ?? "—");
  const tag = row.image.tag ? `${row.image.tag} ` : "";
  return `${tag}${digest}${row.image.conflict ? " (tag disagrees!)" : ""}`;
}

/** The PRIMARY deployment's rollout state, or the health verdict when that says more. */
export function rolloutCell(row: StatusRow): string {
  const health = row.health?.state;
  if (health === "failed") return "FAILED";
  if (health === "in-progress") return row.rolloutState && row.rolloutState !== "COMPLETED" ? row.rolloutState : "IN_PROGRESS";
  if (health === "degraded") return `${row.rolloutState ?? "—"} (degraded)`;
  if (health === "scaled-to-zero") return "scaled to zero";
  return row.rolloutState ?? (health === "stable" ? "stable" : "—");
}

export function readinessCell(p: PromotionReadiness): string {
  switch (p.state) {
    case "first-stage":
      return "—";
    case "in-sync":
      return `= ${p.fromStage}`;
    case "promotable":
      return `← ${p.fromStage} ${shortDigest(p.digest)}`;
    case "source-not-ready":
      return `${p.fromStage} not ready`;
    case "unknown":
      return "?";
  }
}

/** `2025-03-01 09:00Z` from an ISO time (UTC, minutes). */
export function shortTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.toISOString().slice(0, 16).replace("T", " ")}Z`;
}

/**
 * Who, shortly: `github:octocat` from `github:octocat arn:…`; `user/ci` or `assumed-role/deployer/x`
 * from an IAM/STS ARN; anything else as it is.
 */
export function shortActor(by: string): string {
  const first = by.split(/\s+/)[0] ?? by;
  if (first.startsWith("github:")) return first;
  const arn = /^arn:[^:]+:(?:iam|sts)::\d{12}:(.+)$/.exec(first);
  return arn ? arn[1]! : first;
}
