// The plan step shared by every Action command that deploys: prepare the run (load, select,
// identify), make the plan with the same core as `deployer plan`, mask its sensitive values, log it
// (one group per target), annotate its failing checks, write the plan files and set the plan outputs.
import type { PreparedRun } from "../workflow/prepare-run.js";
import type { ObservedTarget } from "../observe/types.js";
import type { Plan } from "../plan/types.js";
import type { TargetSelection } from "../config/select.js";
import type { BuildPlanOptions } from "../plan/build.js";
import { prepareRun } from "../workflow/prepare-run.js";
import { makePlan, type PlanResult } from "../workflow/make-plan.js";
import { gitShaFor } from "../workflow/run-id.js";
import { sensitiveValuesOf } from "../plan/redact-plan.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import { emitAnnotations, planAnnotations } from "./annotations.js";
import { logPlan } from "./plan-log.js";
import { outputDir, writePlanFiles } from "./output-files.js";
import { actionAwsOptions } from "./aws-credentials.js";

export interface ActionPlan {
  run: PreparedRun;
  plan: Plan;
  observed: ObservedTarget[];
  /** Where this run's files go. */
  dir: string;
  planJson: string;
  planMarkdown: string;
}

/** How the plan is made from a prepared run: makePlan for an image, planPromotion for promote. */
export type Planner = (run: PreparedRun, options: BuildPlanOptions) => Promise<PlanResult>;

/** The planner of plan and rollout: the given image for the selected targets (as `deployer plan`). */
export function imagePlanner(image: string): Planner {
  return (run, options) =>
    makePlan({
      project: run.project,
      targets: run.targets,
      image,
      sessions: run.sessions,
      runId: run.runId,
      options: { ...options, gitSha: gitShaFor(image.startsWith("sha256:") ? undefined : image) },
    });
}

export function selectionOf(inputs: Pick<ActionInputs, "stages" | "allStages" | "environments">): TargetSelection {
  return { envs: inputs.environments, stages: inputs.stages, all: inputs.allStages };
}

/** Makes the plan; the caller must `await result.run.sessions.close()`. */
export async function makeActionPlan(
  inputs: ActionInputs,
  rt: ActionRuntime,
  how: { planner: Planner; /** undefined: every target (the planner picks). */ selection: TargetSelection | undefined },
): Promise<ActionPlan> {
  const run = await prepareRun({
    config: inputs.config,
    cwd: inputs.workingDirectory,
    ...actionAwsOptions(inputs.aws, rt.idToken),
    selection: how.selection,
    // Mask first: before the template is rendered (an error could quote a rendered line).
    onLoaded: (project) => rt.mask.addProject(project),
  });
  try {
    const { plan, observed } = await how.planner(run, {
      strict: inputs.strict,
      timeoutSeconds: inputs.timeoutSeconds,
      waitForInProgress: inputs.waitForInProgress,
      by: run.by,
    });
    // What taint tracking saw written from sensitive input (lookups, defaults), before the plan is logged.
    rt.mask.add(sensitiveValuesOf(plan));

    logPlan(rt.log, plan, rt.mask.all());
    emitAnnotations(rt.annotations, planAnnotations(plan, run.project.config.rootDir, rt.github.workspace), (s) => rt.mask.scrub(s));

    const dir = await outputDir(rt.github.tempDir, run.runId);
    const { planJson, planMarkdown } = await writePlanFiles(dir, plan, rt.mask.all());
    rt.setOutput("changes", String(plan.summary.toChange > 0));
    rt.setOutput("plan-json", planJson);
    rt.setOutput("plan-markdown", planMarkdown);
    return { run, plan, observed, dir, planJson, planMarkdown };
  } catch (e) {
    await run.sessions.close();
    throw e;
  }
}
