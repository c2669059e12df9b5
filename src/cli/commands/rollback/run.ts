// `deployer rollback`: find, per selected target, the revision that ran healthy before the current
// deployment (or --to), plan putting it back with the same preflight checks as a rollout, then apply
// that plan: update, wait, and report.
import type { GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { applyWithProgress } from "../../apply-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles } from "../../output-files.js";
import type { ExitCode } from "../../../errors.js";
import { planOptions } from "../../../workflow/make-plan.js";
import { planRollback } from "../../../workflow/rollback-plan.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface RollbackOptions {
  selection: TargetSelection;
  preflight: PreflightSettings;
  /** --to: the task definition to roll back to (one target only). */
  to?: string;
  /** With --to: even a revision whose last deployment failed. */
  force: boolean;
  report?: string;
}

export async function run(g: GlobalOptions, o: RollbackOptions): Promise<ExitCode> {
  await checkOutputFiles(outputFiles({ "--report": o.report }));
  return withAwsRun(g, o.selection, "rollback: reading the configuration and AWS state", async (run, phase) => {
    phase.update(`rollback: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan, observed } = await planRollback({ run, to: o.to, force: o.force, options: planOptions(run, o.preflight) });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    return applyWithProgress(g, plan, observed, { command: "rollback", report: o.report });
  });
}
