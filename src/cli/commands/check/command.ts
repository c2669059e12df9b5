// `deployer check`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import {
  addPreflightOptions,
  addSelectionOptions,
  outputFormats,
  preflightFlags,
  selectionFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { CheckOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags {
  image: string;
}

export function parseFlags(f: Flags): CheckOptions {
  return { image: f.image, selection: selectionFlags(f), preflight: preflightFlags(f) };
}

export function register(program: Command): void {
  const cmd = program
    .command("check")
    .summary("run the preflight checks only (assume role, service, PassRole, role trust, image pull)")
    .description(
      "Runs steps 1-4 of a rollout and prints every check as a tree with OK / NG / WARN / SKIP: the deploy role is assumable with its ExternalId, the cluster and service are ACTIVE, the deploy role may iam:PassRole the task and execution roles to ecs-tasks.amazonaws.com, those roles trust ecs-tasks in the target account, and the image digest is pullable from it. Never writes.",
    )
    .requiredOption("-i, --image <tag|digest>", "image to check: a tag in the central repository or sha256:…");
  addSelectionOptions(cmd, { defaultStages: "first" });
  addPreflightOptions(cmd, { waits: false });
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
