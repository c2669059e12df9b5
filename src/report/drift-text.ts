// `deployer drift` in a terminal or a scheduled CI log: per target, in sync or the fields that differ
// (expected by the configuration → running), then per stage the targets that differ from each other.
// The report is redacted already (detectDrift); this only lays it out.
import pc from "picocolors";
import type { FieldChange } from "../plan/types.js";
import type { DriftReport, TargetDrift } from "../fleet/types.js";
import { changeForTerminal, displayValue, plural } from "./plan-format.js";
import { terminalOutput, terminalSafe } from "./escape.js";
import { taskDefinitionName, shortDigest } from "../config/aws-names.js";
import { groupByEnv, severalServices } from "./services.js";

export interface DriftTextOptions {
  color: boolean;
}

type Colors = ReturnType<typeof pc.createColors>;

/** Every string terminal-safe, but change values (displayValue escapes those). */
function driftForTerminal(report: DriftReport): DriftReport {
  const { targets, stages, ...rest } = report;
  return {
    ...terminalSafe(rest),
    targets: targets.map(({ changes, ...t }) => ({ ...terminalSafe(t), changes: changes.map(changeForTerminal) })),
    stages: stages.map(({ differences, ...s }) => ({
      ...terminalSafe(s),
      differences: differences.map(({ changes, ...d }) => ({ ...terminalSafe(d), changes: changes.map(changeForTerminal) })),
    })),
  };
}

export function formatDriftText(input: DriftReport, opts: DriftTextOptions): string {
  const c = pc.createColors(opts.color);
  const report = driftForTerminal(input);
  const lines: string[] = [c.bold(`Drift for ${report.service}`) + c.dim(`  (${report.createdAt})`)];

  if (severalServices(report.targets.map((t) => t.target))) {
    // Several services (issue 17): per environment, once, then one block per service under it.
    for (const g of groupByEnv(report.targets, (t) => t.target)) {
      const s = g.items[0]!.target;
      lines.push("");
      lines.push(`${c.bold(g.env)}  ${c.dim(`${s.stage} · ${s.account} · ${s.region}`)}`);
      for (const t of g.items) lines.push(...formatTarget(t, c, "  "));
    }
  } else {
    for (const t of report.targets) {
      lines.push("");
      lines.push(...formatTarget(t, c));
    }
  }

  const inconsistent = report.stages.filter((s) => s.differences.length > 0);
  if (inconsistent.length > 0) {
    lines.push("");
    lines.push(c.bold("Targets of a stage that differ from each other") + c.dim(" (environment-specific values masked as {field})"));
    for (const s of inconsistent) {
      for (const d of s.differences) {
        const service = s.serviceKey !== undefined ? ` (service ${s.serviceKey})` : "";
        lines.push(`${c.yellow("≠")} ${c.bold(d.target)} ${c.dim(`differs from ${s.reference} in stage ${s.stage}${service}:`)}`);
        const ref = s.reference ?? "the reference";
        for (const ch of d.changes)
          lines.push(formatChange(ch, c, { before: ref, after: d.target, beforeOnly: `only in ${ref}`, afterOnly: `only in ${d.target}` }));
      }
    }
  }

  const s = report.summary;
  lines.push("");
  const parts = [`${s.inSync} in sync`, `${s.drifted} drifted`];
  if (s.errors) parts.push(plural(s.errors, "error"));
  if (s.inconsistentStages) parts.push(`${plural(s.inconsistentStages, "stage")} with targets differing from each other`);
  lines.push(`${plural(s.targets, "target")}: ${parts.join(", ")}`);
  if (s.drifted > 0)
    lines.push(
      c.dim(
        "Drift = what runs differs from what the configuration renders for the same image: a change made outside deployer, or a configuration change not rolled out yet. The next rollout replaces it.",
      ),
    );
  return terminalOutput(lines.join("\n"), { keepColour: opts.color });
}

/** One target's block; `indent` set: a service under its environment's heading (several services). */
function formatTarget(t: TargetDrift, c: Colors, indent = ""): string[] {
  const s = t.target;
  const where = c.dim(indent ? `${s.cluster}/${s.service}` : `${s.stage} · ${s.account} · ${s.region} · ${s.cluster}/${s.service}`);
  const label = indent ? s.serviceKey : s.name;
  const runs = t.running
    ? c.dim(
        ` runs ${taskDefinitionName(t.running.taskDefinitionArn)}${t.running.digest ? ` (${t.running.imageTag ? `${t.running.imageTag} ` : ""}${shortDigest(t.running.digest)})` : ""}`,
      )
    : "";
  const lines: string[] = [];
  if (t.status === "error") {
    lines.push(`${c.red("!")} ${c.bold(label)}  ${where}`);
    const e = t.error!;
    lines.push(`  ${c.red("error")} ${c.dim(e.code)} ${e.message}`);
    if (e.action || e.resource) lines.push(`    ${c.dim("aws:")} ${[e.action, e.resource].filter(Boolean).join(" on ")}`);
    if (e.awsCode || e.awsMessage) lines.push(`    ${c.dim("aws said:")} ${[e.awsCode, e.awsMessage].filter(Boolean).join(": ")}`);
    if (e.hint) lines.push(`    ${c.dim("hint:")} ${e.hint}`);
  } else if (t.status === "drifted") {
    lines.push(`${c.yellow("~")} ${c.bold(label)}  ${where}`);
    lines.push(`  ${c.yellow(`drifted: ${plural(t.changes.length, "field")}`)}${runs}`);
    for (const ch of t.changes)
      lines.push(
        formatChange(ch, c, {
          before: "running",
          after: "expected",
          beforeOnly: "not in the configuration, running",
          afterOnly: "missing, expected",
        }),
      );
  } else {
    lines.push(`${c.green("=")} ${c.bold(label)}  ${where}`);
    lines.push(`  ${c.green("in sync")}${runs}`);
  }
  for (const n of t.notes) lines.push(`  ${c.dim("note:")} ${n}`);
  return indent ? lines.map((l) => indent + l) : lines;
}

interface ChangeLabels {
  before: string;
  after: string;
  /** For a field on the `before` side only. */
  beforeOnly: string;
  /** For a field on the `after` side only. */
  afterOnly: string;
}

/** `~ path: expected "a", running "b"`; `- path: missing, expected "a"`; `+ path: not in the configuration, running "b"`. */
function formatChange(ch: FieldChange, c: Colors, l: ChangeLabels): string {
  switch (ch.kind) {
    case "added":
      return `    ${c.green("+")} ${ch.path}: ${c.dim(l.afterOnly)} ${displayValue(ch.after)}`;
    case "removed":
      return `    ${c.red("-")} ${ch.path}: ${c.dim(l.beforeOnly)} ${displayValue(ch.before)}`;
    default:
      return `    ${c.yellow("~")} ${ch.path}: ${c.dim(l.before)} ${displayValue(ch.before)}${c.dim(`, ${l.after}`)} ${displayValue(ch.after)}`;
  }
}
