import { Command } from "commander";
import { action, globalOptions, type GlobalOptions } from "../shell.js";
import { addFleetOptions } from "../deploy-options.js";
import { concurrencyOf, fleetSelection, type FleetViewOptions } from "./status.js";

export function register(program: Command): void {
  const cmd = program
    .command("drift")
    .summary("find changes made behind deployer's back (exit 2 when there are any)")
    .description(
      "For every target (read-only): renders what the configuration says it should run for the image digest it runs now, and compares that with what it does run, field by field (the same normalised comparison as plan). Then compares the targets of each stage with each other on everything but their environment-specific values (account, region, names, role ARNs, image repository, and the vars that differ between them). Sensitive values are shown as (sensitive). Exit codes: 0 no drift, 2 drift found, 1 errors (a target could not be read or rendered).",
    );
  addFleetOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  $ deployer drift                        # the whole fleet; exit 2 when something drifted
  $ deployer drift --stage prod -o markdown > drift.md
  $ deployer drift -o json | jq '.targets[] | select(.status == "drifted") | .target.name'`,
    )
    .action(action(async (o: FleetViewOptions, c: Command) => runDrift(globalOptions(c), o)));
}

async function runDrift(g: GlobalOptions, o: FleetViewOptions): Promise<number> {
  const [
    { prepareRun, awsRunOptions, readPhase, targetCount },
    { detectDrift, hasDrift },
    { formatDriftText },
    { driftToJsonText },
    { formatDriftMarkdown },
    { ExitCode, DeployerError },
  ] = await Promise.all([
    import("../aws-run.js"),
    import("../../fleet/drift.js"),
    import("../../report/drift-text.js"),
    import("../../report/drift-json.js"),
    import("../../report/drift-markdown.js"),
    import("../../errors.js"),
  ]);
  const concurrency = concurrencyOf(o);
  if (o.concurrency !== undefined && concurrency === undefined) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `--concurrency ${JSON.stringify(o.concurrency)} is not a positive integer`,
      hint: "e.g. --concurrency 8",
    });
  }
  const phase = readPhase("drift: reading the configuration and AWS state");
  const run = await prepareRun({ ...(await awsRunOptions(g)), selection: fleetSelection(o) }).catch((e: unknown) => {
    phase.stop();
    throw e;
  });
  try {
    phase.update(`drift: reading ${targetCount(run.targets.length)}`);
    const report = await detectDrift(run, { concurrency }).finally(() => phase.stop());
    if (g.output === "json") process.stdout.write(driftToJsonText(report));
    else if (g.output === "markdown") process.stdout.write(`${formatDriftMarkdown(report)}\n`);
    else process.stdout.write(`${formatDriftText(report, { color: g.color })}\n`);
    if (report.summary.errors > 0) return ExitCode.Failure;
    return hasDrift(report) ? ExitCode.Differences : ExitCode.Ok;
  } finally {
    await run.sessions.close();
  }
}
