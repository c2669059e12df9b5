// `deployer drift`: for every selected target (read-only), compare what runs with what the
// configuration renders for the digest it runs, and the targets of each stage with each other.
// Exit 2 on drift, 1 when a target could not be read or rendered.
import { emit, type GlobalOptions } from "../../shell.js";
import type { FleetViewOptions } from "../status/run.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { ExitCode } from "../../../errors.js";
import { detectDrift, hasDrift } from "../../../fleet/drift.js";
import { driftView } from "../../../report/views.js";

export function run(g: GlobalOptions, o: FleetViewOptions): Promise<ExitCode> {
  return withAwsRun(g, o.selection, "drift: reading the configuration and AWS state", async (run, phase) => {
    phase.update(`drift: reading ${targetCount(run.targets.length)}`);
    const report = await detectDrift(run, { concurrency: o.concurrency });
    phase.stop();
    emit(g, driftView(report));
    if (report.summary.errors > 0) return ExitCode.Failure;
    return hasDrift(report) ? ExitCode.Differences : ExitCode.Ok;
  });
}
