// `deployer promote`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import { DeployerError } from "../../../errors.js";
import {
  addOutFileOptions,
  addPreflightOptions,
  addSkipTasksOption,
  collect,
  deprecationWarning,
  outFileFlags,
  outputFormats,
  preflightFlags,
  type DeprecatedOutNames,
  type OutFileFlags,
  type PreflightFlags,
} from "../../flags.js";
import type { PromoteOptions } from "./run.js";

interface Flags extends PreflightFlags, OutFileFlags {
  stage?: string[];
  /** Deprecated name of --stage. */
  to?: string;
  from?: string;
  env?: string[];
  service?: string[];
  yes?: boolean;
  dryRun?: boolean;
  rollbackStage?: boolean;
}

const DEPRECATED: DeprecatedOutNames = { report: "--report" };

export function parseFlags(f: Flags & Record<string, unknown>): PromoteOptions {
  const files = outFileFlags(f, DEPRECATED);
  let stages = f.stage ?? [];
  if (f.to !== undefined) {
    if (stages.length > 0) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: "--to and --stage both name the stage to promote to: give only --stage",
        hint: "--to is the deprecated name of promote's --stage",
      });
    }
    process.stderr.write(`${deprecationWarning("promote --to STAGE", "promote --stage STAGE")}\n`);
    stages = [f.to];
  }
  if (stages.length !== 1) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message:
        stages.length === 0
          ? "promote needs --stage: the stage to deploy to"
          : `promote deploys to one stage at a time; --stage names ${stages.length}: ${stages.join(", ")}`,
      hint: "e.g. deployer promote --stage staging (from the stage before it), --from dev to choose the source",
    });
  }
  return {
    to: stages[0]!,
    from: f.from,
    sourceEnvs: f.env?.length ? f.env : undefined,
    services: f.service?.length ? f.service : undefined,
    yes: Boolean(f.yes),
    dryRun: Boolean(f.dryRun),
    preflight: preflightFlags(f),
    rollbackStage: Boolean(f.rollbackStage),
    outReport: files.outReport,
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("promote")
    .summary("deploy to a stage exactly the image digest that runs, healthy, in the stage before it")
    .description(
      "Reads every target of the source stage (default: the stage before --stage in deployer.yaml): the task definition its service runs, the image digest, and whether the service is stable. Refuses, with the reason per target, when the source stage runs two digests, is mid-deployment, is not stable, or failed its last deployment. Otherwise plans the destination stage for that digest (the same checks as rollout), shows the plan, asks, and deploys it like rollout. Registered task definitions carry the tags deployer:promoted-from, deployer:source-stage and deployer:source-task-definition.",
    )
    .option("-s, --stage <name>", "the stage to deploy to (every target of it; one stage)", collect)
    .addOption(new Option("--to <stage>", "deprecated: use --stage").hideHelp())
    .option("--from <stage>", "the stage to take the digest from (default: the stage before --stage)")
    .option("-e, --env <names>", "narrow the SOURCE to these targets of the source stage (repeatable or comma-separated)", collect)
    .option(
      "--service <names>",
      "only these services of a project with several (keys of services:; repeatable or comma-separated): each moves its own digest",
      collect,
    )
    .option("-y, --yes", "deploy without asking (needed when there is no terminal to ask in, e.g. CI)")
    .option("--dry-run", "show the promotion plan and stop (no writes)");
  addSkipTasksOption(addPreflightOptions(cmd, { waits: true })).option(
    "--rollback-stage",
    "when one target of the stage fails, roll back every target of it that was updated",
  );
  addOutFileOptions(cmd, { report: "write the run report as JSON (schemas/run-report.schema.json) to this file" }, DEPRECATED);
  outputFormats(cmd, ["text", "json"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer promote --stage staging --dry-run           # what dev's digest would change in staging
  $ deployer promote --stage staging                     # show the plan, ask, deploy
  $ deployer promote --stage prod --yes                  # from staging, without asking (CI)
  $ deployer promote --stage prod --from dev --env dev   # skip a stage, from one source target
  $ deployer promote --stage staging --service worker    # only the worker's digest (several services)

Without a terminal (CI, a pipe) promote needs --yes (or --dry-run): it exits 1 before reading anything.`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
