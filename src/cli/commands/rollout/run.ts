// `deployer rollout`: load, select and render; observe every target read-only and make the plan
// (every preflight check of every target before anything is written); then apply it stage by stage:
// register, update, wait, roll back on failure (src/apply/). With --plan FILE: the saved plan's
// image and targets, re-planned from the same configuration and applied only if nothing moved since.
import { emitText, messages, type GlobalOptions } from "../../shell.js";
import { canAsk, confirm, needsYesError } from "../../confirm.js";
import { selectionArgs } from "../../flags.js";
import { gateWarnings, stagesRequiringConfirmation } from "../../../workflow/stage-gate.js";
import { planView } from "../../../report/views.js";
import { scrubbedView } from "../../../report/view.js";
import { sensitiveValuesOf } from "../../../plan/redact-plan.js";
import { terminalOutput } from "../../../report/escape.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { applyWithProgress } from "../../apply-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles } from "../../output-files.js";
import { ExitCode } from "../../../errors.js";
import { makePlan, planOptions } from "../../../workflow/make-plan.js";
import { checkPlanStillValid, planStaleError, readPlanFile } from "../../../plan/saved-plan.js";
import type { TargetSelection } from "../../../config/select.js";
import {
  describeImageSpec,
  imageArgs,
  primaryImageRef,
  savedPlanImages,
  savedPlanSelection,
  type ImageSpec,
} from "../../../workflow/image-spec.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export type RolloutOptions = {
  selection: TargetSelection;
  preflight: PreflightSettings;
  rollbackStage: boolean;
  /** --out-report: the run report as JSON. */
  outReport?: string;
  /** --yes: answer the gates' questions (a digest new to the stage before, requireConfirmation). */
  yes: boolean;
} & (
  | /** Deploy this image (a tag or a digest) to the selected targets. */ { image: ImageSpec; planFile?: undefined }
  | /** Apply exactly the plan saved in this file (its image and targets). */ { planFile: string; image?: undefined }
);

export async function run(g: GlobalOptions, o: RolloutOptions): Promise<ExitCode> {
  await checkOutputFiles(outputFiles({ "--out-report": o.outReport }));
  const saved = o.planFile !== undefined ? await readPlanFile(o.planFile) : undefined;
  const image: ImageSpec = saved ? savedPlanImages(saved) : o.image!;
  const selection = saved ? savedPlanSelection(saved) : o.selection;
  const imageText = describeImageSpec(image);
  return withAwsRun(g, selection, `rollout: reading the configuration and AWS state for image ${imageText}`, async (run, phase) => {
    phase.update(`rollout: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan, observed } = await makePlan({
      project: run.project,
      targets: run.targets,
      image,
      sessions: run.sessions,
      runId: run.runId,
      access: "write",
      options: planOptions(run, o.preflight, primaryImageRef(image)),
    });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    if (saved) {
      const stale = planStaleError(o.planFile!, checkPlanStillValid(saved, plan));
      if (stale) throw stale;
    }
    const apply = (showPlan: boolean) =>
      applyWithProgress(g, plan, observed, { command: "rollout", rollbackStage: o.rollbackStage, outReport: o.outReport, showPlan });

    // The gates (stage-gate.ts): a digest new to the stage before, a stage that requires confirmation.
    const warnings = gateWarnings(plan);
    const confirmStages = stagesRequiringConfirmation(run.project, plan);
    if (o.yes || plan.summary.blocked > 0 || (warnings.length === 0 && confirmStages.length === 0)) return apply(true);
    if (!canAsk(g)) {
      // Without a terminal a warning stays a warning (it is in the plan); a stage that requires
      // confirmation is refused before anything is written.
      if (confirmStages.length === 0) return apply(true);
      emitText(g, scrubbedView(planView(plan, { checks: "problems" }), sensitiveValuesOf(plan)));
      throw needsYesError(
        g,
        `rollout to ${confirmStages.join(", ")} (requireConfirmation: true)`,
        `deployer rollout ${o.planFile ? `--plan ${o.planFile}` : `${imageArgs(image)} ${selectionArgs(o.selection)}`.trim()}`,
      );
    }
    emitText(g, scrubbedView(planView(plan, { checks: "problems" }), sensitiveValuesOf(plan)));
    const why = [...new Set(warnings.map((w) => w.message)), ...confirmStages.map((s) => `stage ${s} has requireConfirmation: true`)];
    for (const line of why) messages(g).write(`${terminalOutput(`! ${line}`)}\n`);
    if (!(await confirm(`Deploy to ${plan.stages.map((s) => s.name).join(", ")}? [y/N] `))) {
      messages(g).write("Not deployed.\n");
      return ExitCode.Ok;
    }
    return apply(false);
  });
}
