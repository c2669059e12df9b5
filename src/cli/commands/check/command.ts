// `deployer check`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { parseImageSpec } from "../../../workflow/image-spec.js";
import {
  addPreflightOptions,
  collect,
  addSelectionOptions,
  outputFormats,
  preflightFlags,
  selectionFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { CheckOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags {
  image: string[];
  verbose?: boolean;
}

export function parseFlags(f: Flags): CheckOptions {
  return { image: parseImageSpec(f.image), selection: selectionFlags(f), preflight: preflightFlags(f), verbose: Boolean(f.verbose) };
}

export function register(program: Command): void {
  const cmd = program
    .command("check")
    .summary("run the preflight checks only: deploy role, service, task definition, roles, image, secrets, logs")
    .description(
      "Runs steps 1-4 of a rollout and prints every check as a tree with OK / NG / WARN / SKIP, per target: the deploy role (assumable with its ExternalId; may register and tag the task definition and update the service), the service (ACTIVE, ECS deployment controller), the task definition (valid; the template's tags), the task and execution roles (the deploy role may pass them; they trust ecs-tasks in the target account), the image (the digest is there; the execution role may get an ECR token and pull, and across accounts the repository policy lets it), the secrets (they exist; the execution role may read and decrypt them) and the awslogs log groups (they exist or may be created; the execution role may write them). Every NG says what to fix, with the policy statement to paste. Never writes.",
    )
    .requiredOption(
      "-i, --image <tag|digest>",
      "image to check: a tag in the central repository or sha256:…; SERVICE=TAG for one service (repeatable or comma-separated)",
      collect,
    );
  addSelectionOptions(cmd, { defaultStages: "first" });
  addPreflightOptions(cmd, { waits: false });
  cmd.option("--verbose", "each check's evidence too (what it asked AWS and what the answer rests on)");
  outputFormats(cmd, ["text", "json", "markdown"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer check --image 3f2a9c1 --all-stages
  $ deployer check --config examples/broken/deployer.yaml --image 3f2a9c1   # see failing checks`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
