// Flags shared by the commands that talk to AWS, and how they are read into typed options: the
// selection (check, plan, rollout, rollback), the preflight settings (plus promote), the fleet views'
// (status, drift). A bad value is INVALID_ARGUMENT, raised before anything is read.
import { Option, type Command } from "commander";
import { DeployerError } from "../errors.js";
import type { TargetSelection } from "../config/select.js";
import type { PreflightSettings } from "../workflow/make-plan.js";
import { parseDurationSeconds } from "../workflow/duration.js";
import { DEFAULT_CONCURRENCY } from "../concurrency.js";
import { collect } from "./shell.js";

export interface SelectionFlags {
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

/** --env, --stage, --through, --all-stages as a selection. */
export function selectionFlags(o: SelectionFlags): TargetSelection {
  return { envs: o.env, stages: o.stage, through: o.through, all: Boolean(o.allStages) };
}

/** True when any selection flag was given. */
export function hasSelection(o: SelectionFlags): boolean {
  return Boolean(o.env || o.stage || o.through || o.allStages);
}

export interface PreflightFlags {
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

/** --strict, --wait-for-in-progress, --timeout as preflight settings. */
export function preflightFlags(o: PreflightFlags, force?: boolean): PreflightSettings {
  return {
    strict: Boolean(o.strict),
    timeoutSeconds: parseDurationSeconds(o.timeout),
    waitForInProgress: Boolean(o.waitForInProgress),
    ...(force ? { force: true } : {}),
  };
}

export interface FleetFlags {
  env?: string[];
  stage?: string[];
  concurrency?: string;
}

/** status and drift: read-only views that default to every stage. */
export function addFleetOptions(cmd: Command): Command {
  return cmd
    .option("-s, --stage <name...>", "only these stages (default: every stage)", collect)
    .option("-e, --env <name...>", "only these targets", collect)
    .option("--concurrency <n>", `targets read at once (default: ${DEFAULT_CONCURRENCY})`);
}

/** --concurrency: a positive whole number, or undefined (the default). */
export function concurrencyFlag(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (Number.isInteger(n) && n > 0) return n;
  throw new DeployerError({
    code: "INVALID_ARGUMENT",
    message: `--concurrency ${JSON.stringify(value)} is not a positive integer`,
    hint: "e.g. --concurrency 8",
  });
}
