// `deployer history`: per target, its last deployments — when, revision, image tag and digest, who,
// outcome — as a table per target (text, fitted to the terminal; Markdown) or the report as JSON
// (schemas/history.schema.json). Every value may come from AWS or the configuration: escaped for its
// sink (escape.ts).
import pc from "picocolors";
import type { DeploymentHistoryReport, DeploymentOutcome, HistoryDeployment, TargetHistory } from "../workflow/history.js";
import { shortDigest, taskDefinitionName } from "../config/aws-names.js";
import { shortActor, shortTime } from "./status-cells.js";
import { plural } from "./plan-format.js";
import { jsonText, markdownCode, markdownOutput, markdownText, terminalOutput, terminalSafe } from "./escape.js";
import { headerLine, layoutTable, tableLine, type Column } from "./table.js";
import type { View } from "./view.js";

type Key = "WHEN" | "REVISION" | "IMAGE" | "BY" | "OUTCOME";

const COLUMNS: Column<Key>[] = [
  { key: "WHEN", header: "WHEN" },
  { key: "REVISION", header: "REVISION", minWidth: 14, cut: "middle" },
  { key: "IMAGE", header: "IMAGE", minWidth: 12, cut: "middle" },
  { key: "BY", header: "BY", drop: 1, minWidth: 10 },
  { key: "OUTCOME", header: "OUTCOME", minWidth: 12 },
];

export function historyView(report: DeploymentHistoryReport): View {
  return {
    text: ({ color, width }) => formatHistoryText(report, { color, ...(width ? { width } : {}) }) + "\n",
    json: () => jsonText(report, 2) + "\n",
    markdown: () => formatHistoryMarkdown(report) + "\n",
  };
}

/** The outcome in words: `completed`, `rolled back → shop-api-dev:2`, `failed: …`. */
export function outcomeText(d: HistoryDeployment): string {
  const words: Record<DeploymentOutcome, string> = {
    completed: "completed",
    failed: "failed",
    "rolled-back": "rolled back",
    stopped: "stopped",
    "in-progress": "in progress",
    unknown: d.status,
  };
  let s = words[d.outcome];
  if (d.outcome === "rolled-back" && d.rolledBackTo) s += ` → ${taskDefinitionName(d.rolledBackTo)}`;
  if (d.reason && d.outcome !== "completed") s += ` (${d.reason})`;
  return s;
}

function cells(d: HistoryDeployment): Record<Key, string> {
  const image = d.image
    ? [d.image.tag, d.image.digest ? shortDigest(d.image.digest) : d.image.ref].filter((x): x is string => Boolean(x)).join(" ")
    : "";
  return {
    WHEN: d.at ? shortTime(d.at) : "—",
    REVISION: d.taskDefinition ? `${d.taskDefinition.family}:${d.taskDefinition.revision}` : "—",
    IMAGE: image || "—",
    BY: d.by ? shortActor(d.by) : "—",
    OUTCOME: outcomeText(d),
  };
}

function where(t: TargetHistory): string {
  return `${t.target.stage}  ${t.target.account}  ${t.target.region}  ${t.target.cluster}/${t.target.service}`;
}

export function formatHistoryText(input: DeploymentHistoryReport, opts: { color: boolean; width?: number }): string {
  const c = pc.createColors(opts.color);
  const report = terminalSafe(input);
  const lines: string[] = [
    c.bold(`Deployment history of ${report.service}`) + c.dim(`  (last ${report.limit} per target, ${report.createdAt})`),
  ];
  for (const t of report.targets) {
    lines.push("");
    lines.push(`${c.bold(t.target.name)}  ${c.dim(where(t))}`);
    if (!t.ok) {
      const e = t.error!;
      lines.push(`  ${c.red("error")} ${c.dim(e.code)} ${e.message}`);
      if (e.hint) lines.push(`    ${c.dim("hint:")} ${e.hint}`);
      continue;
    }
    if (t.historyUnavailable) {
      lines.push(
        `  ${c.yellow("!")} ${c.dim(`service deployment history unavailable (${t.historyUnavailable.message}): what the service lists now`)}`,
      );
    }
    if (t.deployments.length === 0) {
      lines.push(`  ${c.dim("no deployments")}`);
      continue;
    }
    const rows = t.deployments.map(cells);
    const layout = layoutTable(COLUMNS, rows, opts.width === undefined ? undefined : opts.width - 2);
    lines.push(`  ${c.dim(headerLine(layout))}`);
    t.deployments.forEach((d, i) => {
      lines.push(`  ${tableLine(layout, rows[i]!, (key, s) => (key === "OUTCOME" ? paintOutcome(c, d.outcome, s) : s))}`);
    });
  }
  const unread = report.targets.filter((t) => !t.ok).length;
  lines.push("");
  lines.push(`${plural(report.targets.length, "target")}${unread ? `, ${plural(unread, "unreadable target")}` : ""}`);
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}

type Colors = ReturnType<typeof pc.createColors>;

function paintOutcome(c: Colors, o: DeploymentOutcome, s: string): string {
  if (o === "completed") return c.green(s);
  if (o === "failed") return c.red(s);
  if (o === "rolled-back" || o === "stopped") return c.yellow(s);
  return s;
}

export function formatHistoryMarkdown(report: DeploymentHistoryReport): string {
  const md = (s: string) => markdownText(s, { table: true });
  const out: string[] = [
    `### Deployment history: ${markdownCode(report.service)}`,
    "",
    `Last ${report.limit} deployments per target · ${report.createdAt}`,
  ];
  for (const t of report.targets) {
    out.push("");
    out.push(`#### ${markdownText(t.target.name)} (${markdownText(where(t).replace(/ {2}/g, " · "))})`);
    out.push("");
    if (!t.ok) {
      const e = t.error!;
      out.push(`❌ ${markdownCode(e.code)} ${markdownText(e.message)}${e.hint ? `. _Hint:_ ${markdownText(e.hint)}` : ""}`);
      continue;
    }
    if (t.historyUnavailable)
      out.push(`_Service deployment history unavailable (${markdownText(t.historyUnavailable.message)}): what the service lists now._`, "");
    if (t.deployments.length === 0) {
      out.push("_No deployments._");
      continue;
    }
    out.push(`| ${COLUMNS.map((k) => k.header).join(" | ")} |`);
    out.push(`|${COLUMNS.map(() => "---").join("|")}|`);
    for (const d of t.deployments) {
      const row = cells(d);
      const mark = d.outcome === "completed" ? "✅ " : d.outcome === "failed" ? "❌ " : d.outcome === "rolled-back" ? "↩️ " : "";
      out.push(`| ${COLUMNS.map((k) => (k.key === "OUTCOME" ? mark + md(row.OUTCOME) : md(row[k.key]))).join(" | ")} |`);
    }
  }
  return markdownOutput(out.join("\n"));
}
