// `deployer plan`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import {
  addPreflightOptions,
  addSelectionOptions,
  preflightFlags,
  selectionFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { PlanOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags {
  image: string;
  verbose?: boolean;
  save?: string;
  json?: string;
  markdown?: string;
  detailedExitcode?: boolean;
}

export function parseFlags(f: Flags): PlanOptions {
  return {
    image: f.image,
    selection: selectionFlags(f),
    preflight: preflightFlags(f),
    save: f.save,
    json: f.json,
    markdown: f.markdown,
    detailedExitcode: Boolean(f.detailedExitcode),
    verbose: Boolean(f.verbose),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("plan")
    .summary("show what a rollout would change in each account (dry run, no writes)")
    .description(
      "Everything a rollout does up to the first write: resolve the image to a digest, assume each target's deploy role, run every preflight check, read the live task definition and compare it with the rendered one. Never writes to AWS. Sensitive values are shown as (sensitive).",
    )
    .requiredOption("-i, --image <tag|digest>", "image to plan for: a tag in the central repository (usually the git sha) or sha256:…");
  addSelectionOptions(cmd);
  addPreflightOptions(cmd)
    .option("--save <file>", "save the plan; `deployer rollout --plan FILE` applies exactly it (refused if stale)")
    .option("--json <file>", "also write the plan as JSON (schemas/plan.schema.json) to this file")
    .option("--markdown <file>", "also write the plan as a Markdown pull-request comment to this file")
    .option("--detailed-exitcode", "exit 0 when nothing would change, 2 when something would, 1 on errors or failed checks")
    .option("--verbose", "text output: every check with its evidence, not only those that did not pass")
    .addHelpText(
      "after",
      `
Examples:
  $ deployer plan --image 3f2a9c1                         # the first stage
  $ deployer plan --image 3f2a9c1 --all-stages -o markdown > plan.md
  $ deployer plan --image 3f2a9c1 --stage prod --save prod.plan.json
  $ deployer rollout --plan prod.plan.json                 # apply exactly that plan`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
