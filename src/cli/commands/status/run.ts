// `deployer status`: read every selected target (read-only, in parallel) and show what runs where,
// its health and promotion readiness. Exit 1 when a target could not be read.
import { emit, type GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { ExitCode } from "../../../errors.js";
import { fleetStatus } from "../../../fleet/status.js";
import { statusView } from "../../../report/views.js";
import type { TargetSelection } from "../../../config/select.js";

/** status and drift. */
export interface FleetViewOptions {
  /** Every stage unless --stage names some; --env narrows by name. */
  selection: TargetSelection;
  /** Targets read at once (undefined: DEFAULT_CONCURRENCY). */
  concurrency?: number;
}

export function run(g: GlobalOptions, o: FleetViewOptions): Promise<ExitCode> {
  return withAwsRun(g, o.selection, "status: reading the configuration and AWS state", async (run, phase) => {
    phase.update(`status: reading ${targetCount(run.targets.length)}`);
    const status = await fleetStatus(run, { concurrency: o.concurrency });
    phase.stop();
    emit(g, statusView(status));
    return status.summary.errors > 0 ? ExitCode.Failure : ExitCode.Ok;
  });
}
