// `deployer rollout`: plan (read-only), refuse when preflight failed, else apply. With --plan FILE,
// re-plan from the same config and image and apply only if nothing moved since the plan was saved.
import type { GlobalOptions } from "./shell.js";
import type { RolloutOptions } from "./commands/rollout.js";
import { DeployerError } from "../errors.js";
import { prepareAwsRun, readPhase, targetCount } from "./aws-run.js";
import { printConfigWarnings } from "./config-warnings.js";
import { checkOutputFiles, outputFiles } from "./output-files.js";
import { applyFromCli, sessionsOf } from "./apply-run.js";
import { makePlan } from "../workflow/make-plan.js";
import { parseDurationSeconds } from "../workflow/duration.js";
import { gitShaFor } from "../workflow/run-id.js";
import { checkPlanStillValid, planStaleError, readPlanFile } from "../plan/saved-plan.js";

export async function runRollout(g: GlobalOptions, o: RolloutOptions): Promise<number> {
  await checkOutputFiles(outputFiles({ "--report": o.report }));
  const saved = o.plan ? await readPlanFile(o.plan) : undefined;
  if (saved && (o.image || o.env || o.stage || o.through || o.allStages)) {
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message:
        "--plan applies the saved plan's image and targets; do not combine it with --image, --env, --stage, --through or --all-stages",
      hint: `run: deployer rollout --plan ${o.plan}`,
    });
  }
  if (!saved && !o.image) {
    throw new DeployerError({
      code: "CONFIG_INVALID",
      message: "rollout needs --image (a tag in the central repository, usually the git sha, or a sha256: digest) or --plan FILE",
      hint: "e.g. deployer rollout --image 3f2a9c1 --stage dev",
    });
  }
  const image = saved ? (saved.image.tag ?? saved.image.digest) : o.image!;
  const phase = readPhase(`rollout: reading the configuration and AWS state for image ${image}`);
  const run = await prepareAwsRun(g, saved ? { env: saved.targets.map((t) => t.target.name) } : o).catch((e: unknown) => {
    phase.stop();
    throw e;
  });
  try {
    phase.update(`rollout: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan, observed } = await makePlan({
      project: run.project,
      targets: run.targets,
      image,
      sessions: run.sessions,
      runId: run.runId,
      options: {
        strict: Boolean(o.strict),
        timeoutSeconds: parseDurationSeconds(o.timeout),
        waitForInProgress: Boolean(o.waitForInProgress),
        force: Boolean(o.force),
        by: run.by,
        gitSha: gitShaFor(image.startsWith("sha256:") ? undefined : image),
      },
    });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    if (saved) {
      const stale = planStaleError(o.plan!, checkPlanStillValid(saved, plan));
      if (stale) throw stale;
    }
    const { exitCode } = await applyFromCli(g, plan, sessionsOf(observed), {
      command: "rollout",
      rollbackStage: o.rollbackStage,
      report: o.report,
    });
    return exitCode;
  } finally {
    phase.stop();
    await run.sessions.close();
  }
}
