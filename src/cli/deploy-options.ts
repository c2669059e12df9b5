// Options shared by the commands that talk to AWS (check, plan, rollout, promote, rollback, status, drift).
import { Option, type Command } from "commander";
import { collect } from "./shell.js";

export interface SelectionOptions {
  env?: string[];
  stage?: string[];
  through?: string;
  allStages?: boolean;
}

export function addSelectionOptions(cmd: Command, what = "targets"): Command {
  return cmd
    .option("-e, --env <name...>", `only these ${what} (environment file names; repeatable or comma-separated)`, collect)
    .option("-s, --stage <name...>", "only the targets of these stages, in promotion order (default: the first stage)", collect)
    .option("--through <stage>", "every stage from the first up to and including this one")
    .option("--all-stages", "every target of every stage");
}

export interface PreflightOptions {
  strict?: boolean;
  waitForInProgress?: boolean;
  timeout: string;
}

export function addPreflightOptions(cmd: Command): Command {
  return cmd
    .option("--strict", "treat checks that could not be verified (e.g. PassRole when IAM cannot be read) as failures")
    .option("--wait-for-in-progress", "wait for a deployment someone else started instead of failing the check")
    .addOption(new Option("--timeout <duration>", "how long to wait for each service to become stable (e.g. 900, 15m, 1h)").default("15m"));
}

export function selectionOf(o: SelectionOptions): { envs?: string[]; stages?: string[]; through?: string; all?: boolean } {
  return { envs: o.env, stages: o.stage, through: o.through, all: Boolean(o.allStages) };
}

/** status and drift: read-only views that default to every stage. */
export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option("-s, --stage <name...>", "only these stages (default: every stage)", collect)
    .option("-e, --env <name...>", "only these targets", collect)
    .option("--concurrency <n>", "targets read at once", "16");
}
