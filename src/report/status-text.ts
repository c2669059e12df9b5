// `deployer status` in a terminal: one table across every account, error rows inline (with their
// code and message under the table), then a one-line summary.
import pc from "picocolors";
import type { FleetStatus, StatusRow } from "../fleet/types.js";
import { plural } from "./plan-format.js";
import { statusCells, statusColumns, statusTableRows, type StatusCells, type StatusColumn } from "./status-cells.js";
import { headerLine, layoutTable, tableLine, wrapWords, type Column } from "./table.js";
import { terminalOutput, terminalSafe } from "./escape.js";

export interface StatusTextOptions {
  color: boolean;
  /** The terminal's width: the table fits it (table.ts). */
  width?: number;
}

/**
 * The status table's columns: when the terminal is narrow, the account, the region, the cluster and
 * service, who deployed and when go first (they change least, and `-o json` has them all); the
 * target, its rollout state and promotion readiness stay.
 */
const STATUS_TABLE: Column<StatusColumn>[] = [
  { key: "TARGET", header: "TARGET", minWidth: 12, shrink: 5 },
  { key: "SERVICE", header: "SERVICE", minWidth: 10, shrink: 6 },
  { key: "STAGE", header: "STAGE", drop: 7, minWidth: 8 },
  { key: "ACCOUNT", header: "ACCOUNT", drop: 1 },
  { key: "REGION", header: "REGION", drop: 2 },
  { key: "CLUSTER/SERVICE", header: "CLUSTER/SERVICE", drop: 3, minWidth: 16, cut: "middle", shrink: 3 },
  { key: "TASK DEFINITION", header: "TASK DEFINITION", drop: 6, minWidth: 16, cut: "middle", shrink: 2 },
  { key: "IMAGE", header: "IMAGE", minWidth: 12, shrink: 4 },
  { key: "RUNNING", header: "RUNNING" },
  { key: "ROLLOUT", header: "ROLLOUT", minWidth: 11 },
  { key: "DEPLOYED", header: "DEPLOYED", drop: 5 },
  { key: "BY", header: "BY", drop: 4, minWidth: 10 },
  { key: "PROMOTION", header: "PROMOTION", minWidth: 12, shrink: 1 },
];

export function formatStatusText(input: FleetStatus, opts: StatusTextOptions): string {
  const c = pc.createColors(opts.color);
  const status = terminalSafe(input);
  const lines: string[] = [];
  lines.push(c.bold(`Fleet status for ${status.service}`) + c.dim(`  (${status.createdAt})`));
  lines.push("");

  // With several services (issue 17): a SERVICE column, rows grouped by environment (shown once).
  const shownColumns = new Set(statusColumns(status.rows));
  const columns = STATUS_TABLE.filter((col) => shownColumns.has(col.key)).map((col) =>
    col.key === "TARGET" && shownColumns.has("SERVICE") ? { ...col, header: "ENV", minWidth: 8 } : col,
  );
  const table = statusTableRows(status.rows, (r) => (r.ok ? statusCells(r) : errorCells(r)));
  const cells = table.map((t) => t.cells);
  const layout = layoutTable(columns, cells, opts.width);
  lines.push(c.dim(headerLine(layout)));
  table.forEach(({ row }, i) => {
    lines.push(tableLine(layout, cells[i]!, (col, s) => paintCell(c, row, col, s)));
  });
  if (layout.dropped.length > 0) {
    const note = `(${layout.dropped.map((k) => k.toLowerCase()).join(", ")} left out to fit ${opts.width} columns: -o json has every field)`;
    for (const l of wrapWords(note, opts.width)) lines.push(c.dim(l));
  }

  const errors = status.rows.filter((r) => !r.ok);
  if (errors.length > 0) {
    lines.push("");
    for (const r of errors) {
      const e = r.error!;
      lines.push(`${c.red("error")} ${c.dim(e.code)} [${r.target.name} ${r.target.account}] ${e.message}`);
      if (e.action || e.resource) lines.push(`  ${c.dim("aws:")} ${[e.action, e.resource].filter(Boolean).join(" on ")}`);
      if (e.awsCode || e.awsMessage) lines.push(`  ${c.dim("aws said:")} ${[e.awsCode, e.awsMessage].filter(Boolean).join(": ")}`);
      if (e.hint) lines.push(`  ${c.dim("hint:")} ${e.hint}`);
    }
  }

  const notReady = status.rows.filter((r) => r.promotion.state === "source-not-ready");
  const reasons = [...new Set(notReady.flatMap((r) => (r.promotion.state === "source-not-ready" ? r.promotion.reasons : [])))];
  if (reasons.length > 0) {
    lines.push("");
    lines.push(c.dim("Not ready to promote from:"));
    for (const reason of reasons) lines.push(`  ${reason}`);
  }

  const s = status.summary;
  lines.push("");
  const parts = [`${s.stable} stable`];
  if (s.inProgress) parts.push(`${s.inProgress} deploying`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.degraded) parts.push(`${s.degraded} degraded`);
  if (s.scaledToZero) parts.push(`${s.scaledToZero} scaled to zero`);
  if (s.errors) parts.push(plural(s.errors, "unreadable target"));
  lines.push(`${plural(s.targets, "target")}: ${parts.join(", ")}`);
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}

function errorCells(r: StatusRow): StatusCells {
  const base = statusCells(r);
  return { ...base, "TASK DEFINITION": `error ${r.error?.code ?? ""}`.trim() };
}

type Colors = ReturnType<typeof pc.createColors>;

function paintCell(c: Colors, row: StatusRow, col: string, s: string): string {
  if (!row.ok) return col === "TARGET" || col === "SERVICE" || col === "TASK DEFINITION" ? c.red(s) : s;
  if (col === "ROLLOUT") {
    const h = row.health?.state;
    return h === "stable" ? c.green(s) : h === "failed" ? c.red(s) : c.yellow(s);
  }
  if (col === "PROMOTION") {
    const p = row.promotion.state;
    return p === "promotable" ? c.yellow(s) : p === "in-sync" ? c.green(s) : p === "source-not-ready" ? c.red(s) : s;
  }
  return s;
}
