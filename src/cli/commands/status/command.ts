// `deployer status`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import {
  addConcurrencyOption,
  addSelectionOptions,
  concurrencyFlag,
  outputFormats,
  selectionFlags,
  type ConcurrencyFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { FleetViewOptions } from "./run.js";

export function parseFlags(f: SelectionFlags & ConcurrencyFlags): FleetViewOptions {
  return { selection: selectionFlags(f, "all"), concurrency: concurrencyFlag(f.concurrency) };
}

/** status and drift: --env, --stage (default every stage), --concurrency, every output format. */
export function addFleetViewOptions(cmd: Command): Command {
  addSelectionOptions(cmd, { defaultStages: "all" });
  addConcurrencyOption(cmd);
  return outputFormats(cmd, ["text", "json", "markdown"]);
}

export function register(program: Command): void {
  const cmd = program
    .command("status")
    .summary("what runs where: one table across every account, with promotion readiness")
    .description(
      "Reads every target, in parallel and read-only: the task definition its service runs, the image tag and digest, running/desired tasks, the rollout state, when and by whom it was deployed (deployer's tags), and whether it runs what the stage before it runs (promotion readiness). A target that cannot be read is an error row; the exit code is then 1. The table fits the terminal: narrow terminals get fewer columns (-o json has every detail).",
    );
  addFleetViewOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  $ deployer status                       # every stage
  $ deployer status --stage prod
  $ deployer status -o json | jq '.rows[] | {name: .target.name, digest: .image.digest}'
  $ deployer status -o markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
