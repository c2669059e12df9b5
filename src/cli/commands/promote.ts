import { Command } from "commander";
import { action, collect, globalOptions, type GlobalOptions } from "../shell.js";
import { addPreflightOptions, type PreflightOptions } from "../deploy-options.js";

export interface PromoteOptions extends PreflightOptions {
  to: string;
  from?: string;
  env?: string[];
  yes?: boolean;
  dryRun?: boolean;
  rollbackStage?: boolean;
  report?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command("promote")
    .summary("deploy to a stage exactly the image digest that runs, healthy, in the stage before it")
    .description(
      "Reads every target of the source stage (default: the stage before --to in deployer.yaml): the task definition its service runs, the image digest, and whether the service is stable. Refuses, with the reason per target, when the source stage runs two digests, is mid-deployment, is not stable, or failed its last deployment. Otherwise plans the destination stage for that digest (the same checks as rollout), shows the plan, asks, and deploys it like rollout. Registered task definitions carry the tags deployer:promoted-from, deployer:source-stage and deployer:source-task-definition.",
    )
    .requiredOption("--to <stage>", "the stage to deploy to (every target of it)")
    .option("--from <stage>", "the stage to take the digest from (default: the stage before --to)")
    .option("-e, --env <name...>", "narrow the SOURCE to these targets of the source stage (repeatable or comma-separated)", collect)
    .option("-y, --yes", "deploy without asking (needed when there is no terminal to ask in, e.g. CI)")
    .option("--dry-run", "show the promotion plan and stop (no writes)");
  addPreflightOptions(cmd)
    .option("--rollback-stage", "when one target of the stage fails, roll back every target of it that was updated")
    .option("--report <file>", "write the run report as JSON to this file")
    .addHelpText(
      "after",
      `
Examples:
  $ deployer promote --to staging --dry-run           # what dev's digest would change in staging
  $ deployer promote --to staging                     # show the plan, ask, deploy
  $ deployer promote --to prod --yes                  # from staging, without asking (CI)
  $ deployer promote --to prod --from dev --env dev   # skip a stage, from one source target

Without a terminal (CI, a pipe) promote needs --yes (or --dry-run): it exits 1 before reading anything.`,
    )
    .action(action(async (o: PromoteOptions, c: Command) => runPromote(globalOptions(c), o)));
}

async function runPromote(g: GlobalOptions, o: PromoteOptions): Promise<number> {
  const [
    { prepareRun, awsRunOptions, readPhase },
    { planPromotion },
    { parseDurationSeconds },
    { applyFromCli, sessionsOf },
    { formatPlanText },
    promoteOut,
    { ExitCode, DeployerError },
    { checkOutputFiles, outputFiles },
    { printConfigWarnings },
  ] = await Promise.all([
    import("../aws-run.js"),
    import("../../workflow/promote.js"),
    import("../../workflow/duration.js"),
    import("../apply-run.js"),
    import("../../report/plan-text.js"),
    import("../../report/promote-text.js"),
    import("../../errors.js"),
    import("../output-files.js"),
    import("../config-warnings.js"),
  ]);
  const timeoutSeconds = parseDurationSeconds(o.timeout);
  // Nothing is read or written when the run could not be confirmed anyway, or its report not written.
  if (!o.yes && !o.dryRun && !canAsk(g)) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `promote needs --yes when not run in a terminal${g.output !== "text" ? ` (or with -o ${g.output})` : ""}: there is no one to confirm the deployment`,
      hint: `deployer promote --to ${o.to}${o.from ? ` --from ${o.from}` : ""} --yes deploys without asking; --dry-run only shows the plan.`,
    });
  }
  await checkOutputFiles(outputFiles({ "--report": o.report }));
  // Every target loaded: planPromotion picks the source and destination stages itself.
  const phase = readPhase(`promote to ${o.to}: reading the configuration and AWS state`);
  const run = await prepareRun({ ...(await awsRunOptions(g)) }).catch((e: unknown) => {
    phase.stop();
    throw e;
  });
  try {
    const result = await planPromotion({
      project: run.project,
      sessions: run.sessions,
      runId: run.runId,
      to: o.to,
      from: o.from,
      sourceEnvs: o.env,
      options: { strict: Boolean(o.strict), timeoutSeconds, waitForInProgress: Boolean(o.waitForInProgress), by: run.by },
    }).finally(() => phase.stop());
    printConfigWarnings(
      g,
      run.project,
      run.project.targets.filter((t) => t.stage === result.toStage),
    );
    const { plan } = result;
    const text = g.output === "text";
    // Messages go where they do not corrupt a machine-readable stdout.
    const say = (line: string) => (text ? process.stdout : process.stderr).write(`${promoteOut.terminalOutput(line)}\n`);
    const showPlan = () => {
      if (g.output === "json") process.stdout.write(promoteOut.promotionToJsonText(result));
      else if (g.output === "markdown") process.stdout.write(`${promoteOut.formatPromotionMarkdown(result)}\n`);
      // Before a prompt or a deploy, only the checks that did not pass (as rollout shows it);
      // --dry-run shows them all, like plan.
      else
        process.stdout.write(
          `${promoteOut.formatPromotionHeader(result, { color: g.color })}\n\n${formatPlanText(plan, { color: g.color, checks: o.dryRun ? "all" : "problems" })}\n`,
        );
    };

    const stopsBeforeApply = o.dryRun || plan.summary.blocked > 0 || plan.summary.toChange === 0 || !o.yes;
    if (stopsBeforeApply || text) showPlan();
    if (plan.summary.blocked > 0) {
      say(
        `Nothing promoted: preflight failed for ${plan.summary.blocked} target${plan.summary.blocked === 1 ? "" : "s"} of ${result.toStage}.`,
      );
      return ExitCode.Failure;
    }
    if (plan.summary.toChange === 0) {
      say(`Nothing to promote: every target of ${result.toStage} already runs ${result.digest}.`);
      return ExitCode.Ok;
    }
    if (o.dryRun) {
      say(
        `Dry run: nothing deployed. To deploy: deployer promote --to ${result.toStage}${o.from ? ` --from ${o.from}` : ""}${o.env?.length ? ` --env ${o.env.join(",")}` : ""} --yes`,
      );
      return ExitCode.Ok;
    }
    if (!o.yes) {
      if (!(await confirm(`Deploy to ${result.toStage}? [y/N] `))) {
        say("Not deployed.");
        return ExitCode.Ok;
      }
    }
    const { exitCode } = await applyFromCli(g, plan, sessionsOf(result.observed), {
      command: "promote",
      rollbackStage: o.rollbackStage,
      report: o.report,
      showPlan: false,
    });
    return exitCode;
  } finally {
    await run.sessions.close();
  }
}

/** Whether a confirmation can be asked: a terminal on both ends, not CI, text output. */
function canAsk(g: GlobalOptions): boolean {
  return Boolean(process.stdin.isTTY && process.stdout.isTTY) && !process.env.CI && !process.env.GITHUB_ACTIONS && g.output === "text";
}

async function confirm(question: string): Promise<boolean> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stdout });
  try {
    const answer = await rl.question(question);
    return /^\s*y(es)?\s*$/i.test(answer);
  } finally {
    rl.close();
  }
}
