// `deployer validate`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { addSelectionOptions, outputFormats, selectionFlags, type SelectionFlags } from "../../flags.js";
import type { ValidateOptions } from "./run.js";

export function parseFlags(f: SelectionFlags): ValidateOptions {
  return { selection: selectionFlags(f, "all") };
}

export function register(program: Command): void {
  const cmd = program
    .command("validate")
    .description("check deployer.yaml, environments/ and the template, and render every target's task definition (no AWS calls)");
  addSelectionOptions(cmd, { defaultStages: "all" });
  outputFormats(cmd, ["text", "json"])
    .addHelpText(
      "after",
      `
Prints one verdict line per target; errors name the file, line and field. Exit code 1 if anything is invalid.

Examples:
  $ deployer validate
  $ deployer validate --env prod-eu --env prod-us
  $ deployer validate --stage dev,staging
  $ deployer validate --stage prod -o json`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
