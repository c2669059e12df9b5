// `deployer history`: read every selected target's deployment history (read-only, in parallel) and
// show it. Exit 1 when a target could not be read.
import { emit, type GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { ExitCode } from "../../../errors.js";
import { deploymentHistory } from "../../../workflow/history.js";
import { historyView } from "../../../report/history-view.js";
import type { TargetSelection } from "../../../config/select.js";

export interface HistoryOptions {
  /** Every stage unless --stage names some; --env narrows by name. */
  selection: TargetSelection;
  /** Deployments per target (-n). */
  limit: number;
  concurrency?: number;
}

export function run(g: GlobalOptions, o: HistoryOptions): Promise<ExitCode> {
  return withAwsRun(g, o.selection, "history: reading the configuration and AWS state", async (run, phase) => {
    phase.update(`history: reading ${targetCount(run.targets.length)}`);
    const report = await deploymentHistory(run, { limit: o.limit, concurrency: o.concurrency });
    phase.stop();
    emit(g, historyView(report));
    return report.targets.some((t) => !t.ok) ? ExitCode.Failure : ExitCode.Ok;
  });
}
