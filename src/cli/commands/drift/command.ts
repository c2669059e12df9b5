// `deployer drift`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { addFleetViewOptions, parseFlags } from "../status/command.js";

export function register(program: Command): void {
  const cmd = program
    .command("drift")
    .summary("find changes made behind deployer's back (exit 2 when there are any)")
    .description(
      "For every target (read-only): renders what the configuration says it should run for the image digest it runs now, and compares that with what it does run, field by field (the same normalised comparison as plan: before = what runs, after = what the configuration wants). Then compares the targets of each stage with each other on everything but their environment-specific values (account, region, names, role ARNs, image repository, and the vars that differ between them). Sensitive values are shown as (sensitive). Exit codes: 0 no drift, 2 drift found, 1 errors (a target could not be read or rendered).",
    );
  addFleetViewOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  $ deployer drift                        # the whole fleet; exit 2 when something drifted
  $ deployer drift --stage prod -o markdown > drift.md
  $ deployer drift -o json | jq '.targets[] | select(.status == "drifted") | .target.name'`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
