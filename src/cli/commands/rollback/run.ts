// `deployer rollback`: find, per selected target, the revision that ran healthy before the current
// deployment (or --to), plan putting it back with the same preflight checks as a rollout, show that
// plan and ask (a terminal; --yes without one; --dry-run stops there), then apply it: update, wait,
// and report.
import { emit, emitText, messages, type GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { applyWithProgress } from "../../apply-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles } from "../../output-files.js";
import { canAsk, confirm, needsYesError } from "../../confirm.js";
import { selectionArgs } from "../../flags.js";
import { ExitCode } from "../../../errors.js";
import { planOptions } from "../../../workflow/make-plan.js";
import { planRollback } from "../../../workflow/rollback-plan.js";
import { planView } from "../../../report/views.js";
import { scrubbedView } from "../../../report/view.js";
import { sensitiveValuesOf } from "../../../plan/redact-plan.js";
import { terminalOutput, terminalText } from "../../../report/escape.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface RollbackOptions {
  selection: TargetSelection;
  preflight: PreflightSettings;
  /** --to: the task definition to roll back to (one target only). */
  to?: string;
  /** With --to: even a revision whose last deployment failed. */
  force: boolean;
  /** --out-report: the run report as JSON. */
  outReport?: string;
  /** --yes: do not ask (required without a terminal). */
  yes: boolean;
  /** --dry-run: show the rollback plan and stop. */
  dryRun: boolean;
}

export async function run(g: GlobalOptions, o: RollbackOptions): Promise<ExitCode> {
  const again = `deployer rollback ${selectionArgs(o.selection)}${o.to ? ` --to ${o.to}` : ""}`;
  // Nothing is read when the rollback could not be confirmed anyway.
  if (!o.yes && !o.dryRun && !canAsk(g)) throw needsYesError(g, "rollback", again, "--dry-run only shows the plan");
  await checkOutputFiles(outputFiles({ "--out-report": o.outReport }));
  return withAwsRun(g, o.selection, "rollback: reading the configuration and AWS state", async (run, phase) => {
    phase.update(`rollback: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan, observed } = await planRollback({ run, to: o.to, force: o.force, options: planOptions(run, o.preflight) });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    const say = (line: string) => messages(g).write(`${terminalOutput(line)}\n`);
    const secrets = sensitiveValuesOf(plan);

    if (o.dryRun) {
      emit(g, scrubbedView(planView(plan), secrets));
      if (plan.summary.blocked > 0) return ExitCode.Failure;
      if (plan.summary.toChange > 0) say(`Dry run: nothing rolled back. To roll back: ${terminalText(again)} (--yes without a terminal)`);
      return ExitCode.Ok;
    }
    if (!o.yes && plan.summary.blocked === 0 && plan.summary.toChange > 0) {
      emitText(g, scrubbedView(planView(plan, { checks: "problems" }), secrets));
      if (!(await confirm(`Roll back ${targetCount(plan.summary.toChange)}? [y/N] `))) {
        say("Not rolled back.");
        return ExitCode.Ok;
      }
      return applyWithProgress(g, plan, observed, { command: "rollback", outReport: o.outReport, showPlan: false });
    }
    return applyWithProgress(g, plan, observed, { command: "rollback", outReport: o.outReport });
  });
}
