// `deployer rollout`: load, select and render; observe every target read-only and make the plan
// (every preflight check of every target before anything is written); then apply it stage by stage:
// register, update, wait, roll back on failure (src/apply/). With --plan FILE: the saved plan's
// image and targets, re-planned from the same configuration and applied only if nothing moved since.
import type { GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { applyWithProgress } from "../../apply-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles } from "../../output-files.js";
import type { ExitCode } from "../../../errors.js";
import { makePlan, planOptions } from "../../../workflow/make-plan.js";
import { checkPlanStillValid, planStaleError, readPlanFile } from "../../../plan/saved-plan.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export type RolloutOptions = {
  selection: TargetSelection;
  preflight: PreflightSettings;
  rollbackStage: boolean;
  report?: string;
} & (
  | /** Deploy this image (a tag or a digest) to the selected targets. */ { image: string; planFile?: undefined }
  | /** Apply exactly the plan saved in this file (its image and targets). */ { planFile: string; image?: undefined }
);

export async function run(g: GlobalOptions, o: RolloutOptions): Promise<ExitCode> {
  await checkOutputFiles(outputFiles({ "--report": o.report }));
  const saved = o.planFile !== undefined ? await readPlanFile(o.planFile) : undefined;
  const image = saved ? (saved.image.tag ?? saved.image.digest) : o.image!;
  const selection = saved ? { envs: saved.targets.map((t) => t.target.name) } : o.selection;
  return withAwsRun(g, selection, `rollout: reading the configuration and AWS state for image ${image}`, async (run, phase) => {
    phase.update(`rollout: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan, observed } = await makePlan({
      project: run.project,
      targets: run.targets,
      image,
      sessions: run.sessions,
      runId: run.runId,
      access: "write",
      options: planOptions(run, o.preflight, image),
    });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    if (saved) {
      const stale = planStaleError(o.planFile!, checkPlanStillValid(saved, plan));
      if (stale) throw stale;
    }
    return applyWithProgress(g, plan, observed, { command: "rollout", rollbackStage: o.rollbackStage, report: o.report });
  });
}
