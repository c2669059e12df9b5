import { Command } from "commander";
import { action, globalOptions } from "../shell.js";
import { addPreflightOptions, addSelectionOptions, type PreflightOptions, type SelectionOptions } from "../deploy-options.js";

export interface RollbackOptions extends SelectionOptions, PreflightOptions {
  to?: string;
  force?: boolean;
  report?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("rollback")
    .summary("put back the revision that ran healthy before the current deployment (or --to), with the same checks and wait")
    .description(
      [
        "For each selected target, finds the task definition that ran, healthy, before the service's current deployment — never one whose deployment failed:",
        "  1. a deployment that COMPLETED and still runs beside the current one (the current one failed without rollback, or is still rolling out);",
        "  2. else ECS's service deployment history (ListServiceDeployments): the newest deployment before the current one that ended SUCCESSFUL, or the revision a ROLLBACK_SUCCESSFUL went back to;",
        "  3. else the deployer:previous-task-definition tag deployer wrote when it registered what runs;",
        "  4. else it refuses and asks for --to.",
        "The plan shows that revision with its image tag and digest and its last deployment's outcome. Then the preflight checks run, the service is pointed back at that revision (nothing new is registered) and deployer waits until it is stable.",
        "An INACTIVE (deregistered) revision cannot be deployed by ECS: deployer warns and registers an identical copy (tagged deployer:copy-of); --strict refuses instead.",
      ].join("\n"),
    )
    .option("--to <arn|family:revision>", "roll back to this task definition (one target only)")
    .option("--force", "with --to: roll back even to a revision whose last deployment failed");
  addSelectionOptions(cmd, "targets to roll back");
  addPreflightOptions(cmd)
    .option("--report <file>", "write the run report as JSON to this file")
    .addHelpText(
      "after",
      `
Examples:
  $ deployer rollback --env prod-eu                         # the revision that ran healthy before
  $ deployer rollback --stage prod                          # every prod target
  $ deployer rollback --env prod-eu --to shop-api-prod-eu:7 # a given revision
  $ deployer rollback --env dev --strict                    # refuse to re-register an INACTIVE revision`,
    )
    .action(
      action(async (o: RollbackOptions, c: Command) => {
        const g = globalOptions(c);
        if (!o.env && !o.stage && !o.through && !o.allStages) {
          const { DeployerError } = await import("../../errors.js");
          throw new DeployerError({
            code: "SELECTION_EMPTY",
            message: "rollback needs an explicit selection",
            hint: "use --env NAME or --stage NAME (rollback never defaults to a stage)",
          });
        }
        const [
          { prepareAwsRun, readPhase, targetCount },
          { planRollback },
          { applyFromCli, sessionsOf },
          { parseDurationSeconds },
          { printConfigWarnings },
        ] = await Promise.all([
          import("../aws-run.js"),
          import("../../workflow/rollback-plan.js"),
          import("../apply-run.js"),
          import("../../workflow/duration.js"),
          import("../config-warnings.js"),
        ]);
        const timeoutSeconds = parseDurationSeconds(o.timeout);
        const { checkOutputFiles, outputFiles } = await import("../output-files.js");
        await checkOutputFiles(outputFiles({ "--report": o.report }));
        const phase = readPhase("rollback: reading the configuration and AWS state");
        const run = await prepareAwsRun(g, o).catch((e: unknown) => {
          phase.stop();
          throw e;
        });
        try {
          phase.update(`rollback: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
          const { plan, observed } = await planRollback({
            run,
            to: o.to,
            force: Boolean(o.force),
            options: { strict: Boolean(o.strict), timeoutSeconds, waitForInProgress: Boolean(o.waitForInProgress), by: run.by },
          }).finally(() => phase.stop());
          printConfigWarnings(g, run.project, run.targets);
          const { exitCode } = await applyFromCli(g, plan, sessionsOf(observed), { command: "rollback", report: o.report });
          return exitCode;
        } finally {
          await run.sessions.close();
        }
      }),
    );
}
