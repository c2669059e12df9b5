// `deployer rollback`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { DeployerError } from "../../../errors.js";
import {
  addOutFileOptions,
  addPreflightOptions,
  addSelectionOptions,
  hasSelection,
  outFileFlags,
  outputFormats,
  preflightFlags,
  selectionFlags,
  type DeprecatedOutNames,
  type OutFileFlags,
  type PreflightFlags,
  type SelectionFlags,
} from "../../flags.js";
import type { RollbackOptions } from "./run.js";

interface Flags extends SelectionFlags, PreflightFlags, OutFileFlags {
  to?: string;
  force?: boolean;
  yes?: boolean;
  dryRun?: boolean;
}

const DEPRECATED: DeprecatedOutNames = { report: "--report" };

export function parseFlags(f: Flags & Record<string, unknown>): RollbackOptions {
  if (!hasSelection(f)) {
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: "rollback needs an explicit selection",
      hint: "use --env NAME or --stage NAME (rollback never defaults to a stage)",
    });
  }
  const files = outFileFlags(f, DEPRECATED);
  return {
    selection: selectionFlags(f),
    preflight: preflightFlags(f),
    to: f.to,
    force: Boolean(f.force),
    outReport: files.outReport,
    yes: Boolean(f.yes),
    dryRun: Boolean(f.dryRun),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("rollback")
    .summary("put back the revision that ran healthy before the current deployment (or --to), with the same checks and wait")
    .description(
      [
        "For each selected target, finds the task definition that ran, healthy, before the service's current deployment — never one whose deployment failed:",
        "  1. a deployment that COMPLETED and still runs beside the current one (the current one failed without rollback, or is still rolling out);",
        "  2. else ECS's service deployment history (ListServiceDeployments): the newest deployment before the current one that ended SUCCESSFUL, or the revision a ROLLBACK_SUCCESSFUL went back to;",
        "  3. else the deployer:previous-task-definition tag deployer wrote when it registered what runs;",
        "  4. else it refuses and asks for --to.",
        "The plan shows that revision with its image tag and digest and its last deployment's outcome, then asks (in a terminal; --yes without one). Then the preflight checks run, the service is pointed back at that revision (nothing new is registered) and deployer waits until it is stable.",
        "An INACTIVE (deregistered) revision cannot be deployed by ECS: deployer warns and registers an identical copy (tagged deployer:copy-of); --strict refuses instead.",
        "`deployer history --env NAME` lists the revisions a target ran, with their outcome.",
      ].join("\n"),
    )
    .option("--to <arn|family:revision>", "roll back to this task definition (one target only)")
    .option("--force", "with --to: roll back even to a revision whose last deployment failed");
  addSelectionOptions(cmd, { what: "targets to roll back", defaultStages: "first" });
  addPreflightOptions(cmd, { waits: true })
    .option("-y, --yes", "roll back without asking (needed when there is no terminal to ask in, e.g. CI)")
    .option("--dry-run", "show the rollback plan and stop (no writes)");
  addOutFileOptions(cmd, { report: "write the run report as JSON (schemas/run-report.schema.json) to this file" }, DEPRECATED);
  outputFormats(cmd, ["text", "json"])
    .addHelpText(
      "after",
      `
Examples:
  $ deployer rollback --env prod-eu --dry-run               # what would be put back
  $ deployer rollback --env prod-eu                         # show the plan, ask, roll back
  $ deployer rollback --stage prod --yes                    # every prod target, without asking (CI)
  $ deployer rollback --env prod-eu --to shop-api-prod-eu:7 # a given revision
  $ deployer rollback --env dev --strict                    # refuse to re-register an INACTIVE revision

Without a terminal (CI, a pipe) rollback needs --yes (or --dry-run): it exits 1 before reading anything.`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
