// `deployer plan`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { parseImageSpec } from "../../../workflow/image-spec.js";
import {
  addOutFileOptions,
  collect,
  addPreflightOptions,
  addSkipTasksOption,
  addSelectionOptions,
  outFileFlags,
  outputFormats,
  preflightFlags,
  selectionFlags,
  type DeprecatedOutNames,
  type OutFileFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { PlanOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags, OutFileFlags {
  image: string[];
  verbose?: boolean;
  detailedExitcode?: boolean;
}

const DEPRECATED: DeprecatedOutNames = { plan: "--save", json: "--json", markdown: "--markdown" };

export function parseFlags(f: Flags & Record<string, unknown>): PlanOptions {
  const files = outFileFlags(f, DEPRECATED);
  return {
    image: parseImageSpec(f.image),
    selection: selectionFlags(f),
    preflight: preflightFlags(f),
    outPlan: files.outPlan,
    outJson: files.outJson,
    outMarkdown: files.outMarkdown,
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
    .requiredOption(
      "-i, --image <tag|digest>",
      "image to plan for: a tag in the central repository (usually the git sha) or sha256:…; SERVICE=TAG for one service (repeatable or comma-separated)",
      collect,
    );
  addSelectionOptions(cmd, { defaultStages: "first" });
  addSkipTasksOption(addPreflightOptions(cmd, { waits: false }), "plan without");
  addOutFileOptions(
    cmd,
    {
      plan: "save the plan; `deployer rollout --plan FILE` applies exactly it (refused if stale)",
      json: "also write the plan as JSON (schemas/plan.schema.json) to this file",
      markdown: "also write the plan as a Markdown pull-request comment to this file",
    },
    DEPRECATED,
  );
  cmd.option("--detailed-exitcode", "exit 0 when nothing would change, 2 when something would, 1 on errors or failed checks");
  cmd.option("--verbose", "text output: every check with its evidence, not only those that did not pass");
  outputFormats(cmd, ["text", "json", "markdown"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer plan --image 3f2a9c1                         # the first stage
  $ deployer plan --image 3f2a9c1 --all-stages -o markdown > plan.md
  $ deployer plan --image 3f2a9c1 --stage prod --out-plan prod.plan.json
  $ deployer rollout --plan prod.plan.json                 # apply exactly that plan`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
