import { Command } from "commander";
import { action, globalOptions } from "../shell.js";
import { addPreflightOptions, addSelectionOptions, type PreflightOptions, type SelectionOptions } from "../deploy-options.js";

export interface RollbackOptions extends SelectionOptions, PreflightOptions {
  to?: string;
  report?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("rollback")
    .summary("put the previous (or a given) task definition back, with the same checks and wait")
    .description(
      "For each selected target, finds the task definition its service ran before (the previous ACTIVE revision of the family, or --to), runs the preflight checks, points the service back at it and waits until it is stable. Nothing new is registered.",
    )
    .option("--to <arn|family:revision>", "roll back to this task definition (one target only)");
  addSelectionOptions(cmd, "targets to roll back");
  addPreflightOptions(cmd)
    .option("--report <file>", "write the run report as JSON to this file")
    .addHelpText(
      "after",
      `
Examples:
  $ deployer rollback --env prod-eu                         # previous revision
  $ deployer rollback --stage prod                          # every prod target
  $ deployer rollback --env prod-eu --to shop-api-prod-eu:7`,
    )
    .action(
      action(async (o: RollbackOptions, c: Command) => {
        const g = globalOptions(c);
        if (!o.env && !o.stage && !o.through && !o.allStages) {
          const { DeployerError } = await import("../../errors.js");
          throw new DeployerError({ code: "SELECTION_EMPTY", message: "rollback needs an explicit selection", hint: "use --env NAME or --stage NAME (rollback never defaults to a stage)" });
        }
        const [{ prepareAwsRun, readPhase, targetCount }, { planRollback }, { applyFromCli, sessionsOf }, { parseDurationSeconds }, { printConfigWarnings }] = await Promise.all([
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
