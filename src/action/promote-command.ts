// `command: promote`: deploy to `stage` exactly the image digest that runs, healthy, in the stage
// before it (or `from`), with the same core as `deployer promote --yes`: planPromotion refuses with
// one reason per source target (annotations, job summary), else the plan is applied like a rollout.
// Gate it with a GitHub Environment (required reviewers) on the job; see examples/workflows/promote.yml.
import { planPromotion } from "../workflow/promote.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { makeActionPlan, withActionRun } from "./action-plan.js";
import { planOptions } from "../workflow/make-plan.js";
import { applyActionPlan } from "./rollout-command.js";

export async function runPromoteCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  const to = inputs.stages[0]!;
  // Every target is loaded: planPromotion picks the source and destination stages itself.
  return withActionRun(inputs, rt, undefined, async (run) => {
    const planned = await makeActionPlan(run, inputs, rt, (r, preflight) =>
      planPromotion({
        project: r.project,
        sessions: r.sessions,
        runId: r.runId,
        to,
        from: inputs.from,
        sourceEnvs: inputs.environments.length > 0 ? inputs.environments : undefined,
        options: planOptions(r, preflight),
      }),
    );
    const from = planned.plan.promotion?.fromStage;
    // Several services (issue 17): each moves its own digest.
    const images = Object.entries(planned.plan.images ?? {});
    const what = images.length > 1 ? images.map(([key, i]) => `${key} ${i.digest}`).join(", ") : planned.plan.image.digest;
    rt.log.info(`Promoting ${what} from ${from ?? "?"} to ${to}`);
    return applyActionPlan(planned, rt, "promote", { rollbackStage: inputs.rollbackStage });
  });
}
