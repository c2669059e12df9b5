import { Command } from "commander";
import { action, globalOptions, type GlobalOptions } from "../shell.js";
import { addFleetOptions } from "../deploy-options.js";

export interface FleetViewOptions {
  env?: string[];
  stage?: string[];
  concurrency?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("status")
    .summary("what runs where: one table across every account, with promotion readiness")
    .description(
      "Reads every target, in parallel and read-only: the task definition its service runs, the image tag and digest, running/desired tasks, the rollout state, when and by whom it was deployed (deployer's tags), and whether it runs what the stage before it runs (promotion readiness). A target that cannot be read is an error row; the exit code is then 1.",
    );
  addFleetOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  $ deployer status                       # every stage
  $ deployer status --stage prod
  $ deployer status -o json | jq '.rows[] | {name: .target.name, digest: .image.digest}'
  $ deployer status -o markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(action(async (o: FleetViewOptions, c: Command) => runStatus(globalOptions(c), o)));
}

/** Selection for the fleet views: every stage unless --stage narrows it; --env narrows by name. */
export function fleetSelection(o: FleetViewOptions): { envs?: string[]; stages?: string[]; all: boolean } {
  return { envs: o.env, stages: o.stage, all: !(o.stage && o.stage.length > 0) };
}

export function concurrencyOf(o: FleetViewOptions): number | undefined {
  if (o.concurrency === undefined) return undefined;
  const n = Number(o.concurrency);
  return Number.isInteger(n) && n > 0 ? n : undefined;
}

async function runStatus(g: GlobalOptions, o: FleetViewOptions): Promise<number> {
  const [
    { prepareRun, awsRunOptions, readPhase, targetCount },
    { fleetStatus },
    { formatStatusText },
    { statusToJsonText },
    { formatStatusMarkdown },
    { ExitCode, DeployerError },
  ] = await Promise.all([
    import("../aws-run.js"),
    import("../../fleet/status.js"),
    import("../../report/status-text.js"),
    import("../../report/status-json.js"),
    import("../../report/status-markdown.js"),
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
  const phase = readPhase("status: reading the configuration and AWS state");
  const run = await prepareRun({ ...(await awsRunOptions(g)), selection: fleetSelection(o) }).catch((e: unknown) => {
    phase.stop();
    throw e;
  });
  try {
    phase.update(`status: reading ${targetCount(run.targets.length)}`);
    const status = await fleetStatus(run, { concurrency }).finally(() => phase.stop());
    if (g.output === "json") process.stdout.write(statusToJsonText(status));
    else if (g.output === "markdown") process.stdout.write(`${formatStatusMarkdown(status)}\n`);
    else process.stdout.write(`${formatStatusText(status, { color: g.color })}\n`);
    return status.summary.errors > 0 ? ExitCode.Failure : ExitCode.Ok;
  } finally {
    await run.sessions.close();
  }
}
