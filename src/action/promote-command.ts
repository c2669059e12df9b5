// `command: promote`: deploy to `stage` exactly the image digest that runs, healthy, in the stage
// before it (or `from`), with the same core as `deployer promote --yes`: planPromotion refuses with
// one reason per source target (annotations, job summary), else the plan is applied like a rollout.
// Gate it with a GitHub Environment (required reviewers) on the job; see examples/workflows/promote.yml.
import { planPromotion } from "../workflow/promote.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { makeActionPlan } from "./action-plan.js";
import { applyActionPlan } from "./rollout-command.js";

export async function runPromoteCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  const to = inputs.stages[0]!;
  const planned = await makeActionPlan(inputs, rt, {
    // Every target is loaded: planPromotion picks the source and destination stages itself.
    selection: undefined,
    planner: (run, options) =>
      planPromotion({
        project: run.project,
        sessions: run.sessions,
        runId: run.runId,
        to,
        from: inputs.from,
        sourceEnvs: inputs.environments.length > 0 ? inputs.environments : undefined,
        options,
      }),
  });
  try {
    const from = planned.plan.promotion?.fromStage;
    rt.log.info(`Promoting ${planned.plan.image.digest} from ${from ?? "?"} to ${to}`);
    return await applyActionPlan(planned, rt, "promote", { rollbackStage: inputs.rollbackStage });
  } finally {
    await planned.run.sessions.close();
  }
}
