// `deployer history`: flags and registration. What it does: ./run.ts.
import type { Command } from "commander";
import { command } from "../../shell.js";
import { addFleetViewOptions } from "../status/command.js";
import { concurrencyFlag, positiveInteger, selectionFlags, type ConcurrencyFlags, type SelectionFlags } from "../../flags.js";
import type { HistoryOptions } from "./run.js";

/** Deployments shown per target by default, and at most (ListServiceDeployments returns at most 100 a call). */
export const DEFAULT_HISTORY = 10;
export const MAX_HISTORY = 100;

interface Flags extends SelectionFlags, ConcurrencyFlags {
  limit?: string;
}

export function parseFlags(f: Flags): HistoryOptions {
  const limit = f.limit === undefined ? DEFAULT_HISTORY : positiveInteger("-n", f.limit, `e.g. -n 20 (at most ${MAX_HISTORY})`);
  return {
    selection: selectionFlags(f, "all"),
    concurrency: concurrencyFlag(f.concurrency),
    limit: Math.min(limit, MAX_HISTORY),
  };
}

export function register(program: Command): void {
  const cmd = program
    .command("history")
    .summary("the last deployments of each target: when, revision, image, who, outcome")
    .description(
      "Reads, per target and read-only, ECS's service deployment history (ListServiceDeployments, DescribeServiceDeployments, DescribeServiceRevisions) and the tags deployer put on each revision: when each deployment started, the task definition revision, its image tag and digest, who deployed it (deployer:by, else who registered the revision), and how it ended (completed, failed, rolled back, stopped, in progress). What to pick for `deployer rollback --to`, and what an incident review asks for. A target that cannot be read is shown with its error; the exit code is then 1.",
    )
    .option("-n, --limit <count>", `deployments per target, newest first (default: ${DEFAULT_HISTORY}, at most ${MAX_HISTORY})`);
  addFleetViewOptions(cmd)
    .addHelpText(
      "after",
      `
Examples:
  $ deployer history --env prod-eu                 # what ran in prod-eu, newest first
  $ deployer history --stage prod -n 3
  $ deployer history -o json | jq '.targets[].deployments[0]'
  $ deployer history --stage prod -o markdown >> "$GITHUB_STEP_SUMMARY"`,
    )
    .action(command(parseFlags, () => import("./run.js")));
}
