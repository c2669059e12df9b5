// `deployer validate`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { collect, command } from "../../shell.js";
import type { ValidateOptions } from "./run.js";

interface Flags {
  env?: string[];
  stage?: string;
}

export function parseFlags(f: Flags): ValidateOptions {
  return { envs: f.env, stage: f.stage };
}

export function register(program: Command): void {
  program
    .command("validate")
    .description("check deployer.yaml, environments/ and the template, and render every target's task definition (no AWS calls)")
    .addOption(new Option("-e, --env <name>", "only these targets (repeatable, or comma-separated)").argParser(collect).conflicts("stage"))
    .addOption(new Option("-s, --stage <name>", "only the targets of this stage"))
    .addHelpText(
      "after",
      `
Prints one verdict line per target; errors name the file, line and field. Exit code 1 if anything is invalid.

Examples:
  $ deployer validate
  $ deployer validate --env prod-eu --env prod-us
  $ deployer --output json validate --stage prod`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
