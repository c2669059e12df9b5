// One run of the Action: dispatch the command, and turn whatever stopped it (invalid inputs,
// configuration errors, AWS errors, a failed rollout) into annotations, a job-summary section and
// the one-line reason the step fails. Never throws.
import { DeployerError, DeployerErrors, errorInfos, type ErrorInfo } from "../errors.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { runPlanCommand } from "./plan-command.js";
import { runRolloutCommand } from "./rollout-command.js";
import { runPromoteCommand } from "./promote-command.js";
import { runDriftCommand, runStatusCommand } from "./fleet-commands.js";
import { emitAnnotations, errorAnnotations, workspacePath } from "./annotations.js";
import { errorSummary } from "./job-summary.js";
import { terminalOutput, terminalSafe } from "../report/escape.js";

export async function runCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  if (inputs.githubToken) rt.mask.add([inputs.githubToken]);
  switch (inputs.command) {
    case "plan":
      return runPlanCommand(inputs, rt);
    case "rollout":
      return runRolloutCommand(inputs, rt);
    case "promote":
      return runPromoteCommand(inputs, rt);
    case "status":
      return runStatusCommand(inputs, rt);
    case "drift":
      return runDriftCommand(inputs, rt);
  }
}

/** Runs the command; returns the reason the step fails, or undefined when it succeeded. */
export async function runAction(command: string, inputs: () => ActionInputs, rt: ActionRuntime): Promise<string | undefined> {
  try {
    const outcome = await runCommand(inputs(), rt);
    return outcome.failed === undefined ? undefined : failureLine(rt, outcome.failed);
  } catch (e) {
    const errors = errorInfos(
      e,
      "This is a bug in deployer; please report it with the workflow step that ran (set DEPLOYER_DEBUG=1 for a stack trace).",
    );
    emitAnnotations(rt.annotations, errorAnnotations(errors, rt.github.workspace), (s) => rt.mask.scrub(s));
    try {
      await rt.writeSummary(errorSummary(command || "action", errors, rt.github.workspace));
    } catch {
      // The annotations and the failure message carry the errors already.
    }
    if (process.env.DEPLOYER_DEBUG && e instanceof Error && !(e instanceof DeployerError) && !(e instanceof DeployerErrors))
      rt.log.info(e.stack ?? e.message);
    const reason =
      errors.length === 1
        ? oneLine(terminalSafe(errors[0]!), rt.github.workspace)
        : `${errors.length} errors (${[...new Set(errors.map((x) => x.code))].join(", ")}): see the annotations and the job summary`;
    return failureLine(rt, reason);
  }
}

/** The reason the step fails (core.setFailed writes it as `::error::`): scrubbed, runner-safe, one line. */
function failureLine(rt: ActionRuntime, text: string): string {
  return terminalOutput(rt.mask.scrub(text)).replace(/\r?\n/g, " ");
}

/** `CONFIG_INVALID environments/prod-eu.yaml:2:10 account: expected …` */
function oneLine(e: ErrorInfo, workspace: string): string {
  const where = e.location
    ? ` ${workspacePath(e.location.file, workspace)}:${e.location.line}:${e.location.column}`
    : e.target
      ? ` [${e.target}]`
      : "";
  const field = e.field && !e.message.startsWith("input `") && !e.message.startsWith(e.field) ? `${e.field}: ` : "";
  return `${e.code}${where} ${field}${e.message}`;
}
