// `deployer targets`: flags and registration. What it does: ./run.ts.
import { Option, type Command } from "commander";
import { command } from "../../shell.js";
import type { TargetsOptions } from "./run.js";

export function parseFlags(f: { stage?: string }): TargetsOptions {
  return { stage: f.stage };
}

export function register(program: Command): void {
  program
    .command("targets")
    .description("list the targets with their stage, account, region, cluster and service")
    .addOption(new Option("-s, --stage <name>", "only the targets of this stage"))
    .addHelpText(
      "after",
      `
Examples:
  $ deployer targets
  $ deployer targets --stage prod
  $ deployer --output json targets`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
