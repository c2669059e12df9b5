// The plan in the Action log: the summary as plain lines, then one collapsible group per target
// (its diff, steps and check tree), all in the CLI's own plan text format.
import type { Plan } from "../plan/types.js";
import { formatPlanText } from "../report/plan-text.js";
import { plural } from "../report/plan-format.js";
import type { ActionLog } from "./action-log.js";

export function logPlan(log: ActionLog, plan: Plan, sensitiveValues: readonly string[]): void {
  // Every check, not only those that did not pass: each target's group is collapsed in the log.
  const text = formatPlanText(plan, { color: false, sensitiveValues, checks: "all" });
  // formatPlanText: header, then one blank-line-separated block per target, then the verdict.
  const parts = text.split("\n\n");
  if (parts.length !== plan.targets.length + 2) {
    log.group(`Plan for ${plan.service}`, text.split("\n"));
    return;
  }
  for (const l of parts[0]!.split("\n")) log.info(l);
  plan.targets.forEach((t, i) => log.group(`${t.target.name} · ${title(t.action, t.diff.length)}`, parts[i + 1]!.split("\n")));
  log.info(parts[parts.length - 1]!);
}

function title(action: Plan["targets"][number]["action"], changes: number): string {
  if (action === "noop") return "no change";
  if (action === "blocked") return "⛔ blocked (preflight failed)";
  return `🔄 ${plural(changes, "change")}`;
}
