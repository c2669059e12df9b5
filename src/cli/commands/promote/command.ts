// `deployer promote`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { collect, command } from "../../shell.js";
import { addPreflightOptions, preflightFlags, type PreflightFlags } from "../../flags.js";
import type { PromoteOptions } from "./run.js";

interface Flags extends PreflightFlags {
  to: string;
  from?: string;
  env?: string[];
  yes?: boolean;
  dryRun?: boolean;
  rollbackStage?: boolean;
  report?: string;
}

export function parseFlags(f: Flags): PromoteOptions {
  return {
    to: f.to,
    from: f.from,
    sourceEnvs: f.env,
    yes: Boolean(f.yes),
    dryRun: Boolean(f.dryRun),
    preflight: preflightFlags(f),
    rollbackStage: Boolean(f.rollbackStage),
    report: f.report,
  };
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
    .action(command(parseFlags, () => import("./run.js")));
}
