// The run and plan steps shared by the Action's commands: prepare the run (load, select, identify;
// every sensitive value masked before anything is rendered) for the command's lifetime; for the
// commands that deploy, make the plan with the same core as `deployer plan`, mask its sensitive
// values, log it (one group per target), annotate its failing checks, write the plan files and set
// the plan outputs.
import { parseImageSpec, primaryImageRef, type ImageSpec } from "../workflow/image-spec.js";
import type { RunAccess } from "../observe/observe-target.js";
import type { PreparedRun } from "../workflow/prepare-run.js";
import type { ObservedTarget } from "../observe/types.js";
import type { Plan } from "../plan/types.js";
import type { TargetSelection } from "../config/select.js";
import { withRun } from "../workflow/prepare-run.js";
import { makePlan, planOptions, type PlanResult, type PreflightSettings } from "../workflow/make-plan.js";
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
export type Planner = (run: PreparedRun, preflight: PreflightSettings) => Promise<PlanResult>;

/**
 * The planner of plan ("read") and rollout ("write"): the given image for the selected targets (as
 * `deployer plan`); see PlanRequest.access.
 */
export function imagePlanner(image: string | ImageSpec, access: RunAccess): Planner {
  const spec = typeof image === "string" ? parseImageSpec(image, "image") : image;
  return (run, preflight) =>
    makePlan({
      project: run.project,
      targets: run.targets,
      image: spec,
      sessions: run.sessions,
      runId: run.runId,
      access,
      options: planOptions(run, preflight, primaryImageRef(spec)),
    });
}

/**
 * Runs `body` with a prepared run (`selection` undefined: every target) and closes its sessions
 * however it ends. Every sensitive value of the project is masked before anything is rendered.
 */
export function withActionRun<T>(
  inputs: ActionInputs,
  rt: ActionRuntime,
  selection: TargetSelection | undefined,
  body: (run: PreparedRun) => Promise<T>,
): Promise<T> {
  return withRun(
    {
      config: inputs.config,
      cwd: inputs.workingDirectory,
      ...actionAwsOptions(inputs.aws, rt.idToken),
      selection,
      // Mask first: before the template is rendered (an error could quote a rendered line).
      onLoaded: (project) => rt.mask.addProject(project),
    },
    body,
  );
}

/** Makes the plan of a prepared run, masks, logs, annotates and writes it, and sets the plan outputs. */
export async function makeActionPlan(run: PreparedRun, inputs: ActionInputs, rt: ActionRuntime, planner: Planner): Promise<ActionPlan> {
  const { plan, observed } = await planner(run, inputs.preflight);
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
}
