// `deployer targets`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { addSelectionOptions, outputFormats, selectionFlags, type SelectionFlags } from "../../flags.js";
import type { TargetsOptions } from "./run.js";

export function parseFlags(f: SelectionFlags): TargetsOptions {
  return { selection: selectionFlags(f, "all") };
}

export function register(program: Command): void {
  const cmd = program
    .command("targets")
    .description("list the targets with their stage, account, region, cluster and service (no AWS calls)");
  addSelectionOptions(cmd, { defaultStages: "all" });
  outputFormats(cmd, ["text", "json", "markdown"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer targets
  $ deployer targets --stage prod
  $ deployer targets --stage dev,staging --env dev
  $ deployer targets -o json | jq -r '.targets[].name'`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
