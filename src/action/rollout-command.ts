// `command: rollout`: plan (read-only, same core as `deployer rollout`), then apply it stage by
// stage; a group per target in the log, the run report in the job summary and in report-json, and
// task-definition-arns for later steps. Fails the step when the run is not ok (preflight refused,
// a target failed, the job was cancelled).
import { savedPlanImages, savedPlanSelection } from "../workflow/image-spec.js";
import { applyPlan } from "../apply/apply.js";
import { sessionsOf } from "../workflow/make-plan.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { imagePlanner, makeActionPlan, withActionRun, type ActionPlan } from "./action-plan.js";
import { createGroupedRunLog } from "./run-log-groups.js";
import { emitAnnotations, runAnnotations } from "./annotations.js";
import { runSummary } from "./job-summary.js";
import { taskDefinitionArns, writeReportFile } from "./output-files.js";
import { checkPlanStillValid, planStaleError, readPlanFile } from "../plan/saved-plan.js";
import { workspacePath } from "./annotations.js";

export async function runRolloutCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  // plan-file: the saved plan's image and targets, planned again now and applied only if nothing
  // moved since it was made (as `deployer rollout --plan FILE`): its checks, diff and steps are the
  // ones reviewed; a stale plan is refused (PLAN_STALE) before anything is written.
  const saved = inputs.planFile !== undefined ? await readPlanFile(inputs.planFile) : undefined;
  const image = saved ? savedPlanImages(saved) : inputs.image!;
  const selection = saved ? savedPlanSelection(saved) : inputs.selection;
  return withActionRun(inputs, rt, selection, async (run) => {
    const planned = await makeActionPlan(run, inputs, rt, imagePlanner(image, "write"));
    if (saved) {
      const stale = planStaleError(workspacePath(inputs.planFile!, rt.github.workspace), checkPlanStillValid(saved, planned.plan));
      if (stale) throw stale;
      rt.log.info(
        `Applying the saved plan ${workspacePath(inputs.planFile!, rt.github.workspace)} (run ${saved.runId}, ${saved.createdAt})`,
      );
    }
    return applyActionPlan(planned, rt, "rollout", { rollbackStage: inputs.rollbackStage });
  });
}

/** Applies a plan made by makeActionPlan and reports it (shared with promote). */
export async function applyActionPlan(
  planned: ActionPlan,
  rt: ActionRuntime,
  command: string,
  opts: { rollbackStage?: boolean } = {},
): Promise<CommandOutcome> {
  const { plan, observed, dir } = planned;
  const groups = createGroupedRunLog(rt.log);
  let report;
  try {
    report = await applyPlan(plan, {
      sessions: sessionsOf(observed),
      onEvent: groups.sink,
      signal: rt.signal,
      command,
      rollbackStage: opts.rollbackStage,
    });
  } finally {
    groups.flush();
  }
  const values = rt.mask.all();
  const reportJson = await writeReportFile(dir, report, values);
  rt.setOutput("report-json", reportJson);
  rt.setOutput("task-definition-arns", JSON.stringify(taskDefinitionArns(report)));
  // A refused run's failing checks were annotated with the plan, on their files; don't repeat them.
  if (report.error?.code !== "PREFLIGHT_FAILED")
    emitAnnotations(rt.annotations, runAnnotations(report, rt.github.workspace), (s) => rt.mask.scrub(s));
  await rt.writeSummary(runSummary(report, plan, values));
  if (!report.ok) return { failed: report.error?.message ?? `${command} failed: see the job summary` };
  return {};
}
