// `deployer status`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { fleetSelection } from "../../../config/select.js";
import { addFleetOptions, concurrencyFlag, type FleetFlags } from "../../flags.js";
import type { FleetViewOptions } from "./run.js";

export function parseFlags(f: FleetFlags): FleetViewOptions {
  return { selection: fleetSelection({ envs: f.env, stages: f.stage }), concurrency: concurrencyFlag(f.concurrency) };
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
    .action(command(parseFlags, () => import("./run.js")));
}
