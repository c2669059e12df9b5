// `deployer check`: every target's preflight checks as a tree (check-tree.ts: deploy role → service →
// task definition → task role → execution role → image → secrets → logs) with OK / NG / WARN / SKIP
// markers; with --verbose, each check's evidence too.
import pc from "picocolors";
import type { Plan } from "../plan/types.js";
import { redactPlanForOutput, sensitiveValuesOf } from "../plan/redact-plan.js";
import { countChecks, planForTerminal, plural, scrubTerminal } from "./plan-format.js";
import { checkTreeLines } from "./check-tree.js";
import { terminalOutput } from "./escape.js";

export function formatChecksText(input: Plan, opts: { color: boolean; evidence?: boolean }): string {
  const c = pc.createColors(opts.color);
  const plan = planForTerminal(redactPlanForOutput(input));
  const lines: string[] = [];
  let failing = 0;
  let warnings = 0;
  for (const t of plan.targets) {
    const s = t.target;
    const counts = countChecks(t);
    failing += counts.fail;
    warnings += counts.warn;
    const head = t.action === "blocked" ? c.red("NG") : c.green("OK");
    lines.push(`${head} ${c.bold(s.name)}  ${c.dim(`${s.stage} · ${s.account} · ${s.region} · ${s.cluster}/${s.service}`)}`);
    lines.push(...checkTreeLines(t.checks, c, { depth: 1, evidence: opts.evidence ?? false }));
  }
  lines.push("");
  const verdict =
    plan.summary.blocked > 0
      ? c.red(
          `${plural(plan.summary.blocked, "target")} of ${plan.summary.targets} failed preflight (${plural(failing, "failing check")}).`,
        )
      : c.green(
          `All ${plural(plan.summary.targets, "target")} passed preflight${warnings > 0 ? ` with ${plural(warnings, "warning")}` : ""}.`,
        );
  lines.push(verdict);
  return terminalOutput(scrubTerminal(lines.join("\n"), sensitiveValuesOf(input)), { keepColour: opts.color });
}
