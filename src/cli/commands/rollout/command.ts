// `deployer rollout`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { DeployerError } from "../../../errors.js";
import { parseImageSpec } from "../../../workflow/image-spec.js";
import {
  addOutFileOptions,
  collect,
  addPreflightOptions,
  addSkipTasksOption,
  addSelectionOptions,
  hasSelection,
  outFileFlags,
  outputFormats,
  preflightFlags,
  selectionFlags,
  type DeprecatedOutNames,
  type OutFileFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { RolloutOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags, OutFileFlags {
  image?: string[];
  plan?: string;
  rollbackStage?: boolean;
  force?: boolean;
  yes?: boolean;
}

const DEPRECATED: DeprecatedOutNames = { report: "--report" };

export function parseFlags(f: Flags & Record<string, unknown>): RolloutOptions {
  const files = outFileFlags(f, DEPRECATED);
  const common = {
    selection: selectionFlags(f),
    preflight: preflightFlags(f, f.force),
    rollbackStage: Boolean(f.rollbackStage),
    outReport: files.outReport,
    yes: Boolean(f.yes),
  };
  if (f.plan !== undefined) {
    if (f.image?.length || hasSelection(f)) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message:
          "--plan applies the saved plan's image and targets; do not combine it with --image, --env, --stage, --through or --all-stages",
        hint: `run: deployer rollout --plan ${f.plan}`,
      });
    }
    return { ...common, planFile: f.plan };
  }
  if (!f.image?.length) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: "rollout needs --image (a tag in the central repository, usually the git sha, or a sha256: digest) or --plan FILE",
      hint: "e.g. deployer rollout --image 3f2a9c1 --stage dev",
    });
  }
  return { ...common, image: parseImageSpec(f.image) };
}

export function register(program: Command): void {
  const cmd = program
    .command("rollout")
    .summary("deploy an image to the targets of a stage: check, register, update, wait, roll back on failure")
    .description(
      "Resolves --image to a digest in the central repository, renders each target's task definition, assumes each deploy role, and runs every preflight check for every target BEFORE anything is written. Then, stage by stage (targets of a stage in parallel up to maxParallel), registers the task definition, updates the service and waits until the new deployment is COMPLETED. On a failure ECS's own rollback (circuit breaker, CloudWatch alarms) is waited for, or the service is rolled back to a revision known to have run healthy (never an unproven one; BLUE_GREEN / LINEAR / CANARY deployments with StopServiceDeployment); the rest of the stage is not started, later stages are never touched. A service that cannot be read ends 'state unknown' and is never rolled back. Targets already running the desired definition are skipped, unless its last deployment FAILED.\n\nGates: deploying to a stage a digest that has never run healthy in the stage before it is a warning in the plan and, in a terminal, a question (--yes answers it); a stage with requirePreviousStage: true in deployer.yaml refuses it, one with requireConfirmation: true always asks (or needs --yes).",
    )
    .option(
      "-i, --image <tag|digest>",
      "image to deploy: a tag in the central repository (usually the git sha) or sha256:…; SERVICE=TAG for one service (repeatable or comma-separated)",
      collect,
    );
  addSelectionOptions(cmd, { defaultStages: "first" });
  addSkipTasksOption(addPreflightOptions(cmd, { waits: true }))
    .option(
      "--plan <file>",
      "apply exactly a plan saved with `deployer plan --out-plan` (refused when the live state or config moved since)",
    )
    .option("--rollback-stage", "when one target of a stage fails, roll back every target of that stage that was updated")
    .option("--force", "deploy even where the service's last deployment of exactly this definition FAILED (refused otherwise)")
    .option("-y, --yes", "deploy without asking where a gate would ask (needed without a terminal)");
  addOutFileOptions(cmd, { report: "write the run report as JSON (schemas/run-report.schema.json) to this file" }, DEPRECATED);
  outputFormats(cmd, ["text", "json"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer rollout --image 3f2a9c1                      # the first stage (dev)
  $ deployer rollout --image 3f2a9c1 --stage prod         # prod-eu and prod-us, in parallel
  $ deployer rollout --image 3f2a9c1 --through staging    # dev, then staging
  $ deployer rollout --image api=3f2a9c1 --image worker=8d1e4b7 --service api,worker
  $ deployer rollout --plan prod.plan.json                # a plan saved by deployer plan --out-plan`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
