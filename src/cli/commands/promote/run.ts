// `deployer promote`: read every target of the source stage, refuse unless it runs one digest,
// healthy; plan the destination stage for exactly that digest (the same checks as rollout), show the
// plan, ask (or --yes), and apply it like a rollout.
import { emit, emitText, messages, type GlobalOptions } from "../../shell.js";
import { canAsk, confirm, needsYesError } from "../../confirm.js";
import { withAwsRun } from "../../aws-run.js";
import { applyWithProgress } from "../../apply-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles } from "../../output-files.js";
import { ExitCode } from "../../../errors.js";
import { planOptions } from "../../../workflow/make-plan.js";
import { planPromotion } from "../../../workflow/promote.js";
import { promotionView } from "../../../report/views.js";
import { terminalOutput } from "../../../report/escape.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface PromoteOptions {
  /** The stage to deploy to. */
  to: string;
  /** The stage to take the digest from (default: the one before `to`). */
  from?: string;
  /** Narrow the source stage to these targets. */
  sourceEnvs?: string[];
  /** Only these services (several services; default: every service). */
  services?: string[];
  yes: boolean;
  dryRun: boolean;
  preflight: PreflightSettings;
  rollbackStage: boolean;
  /** --out-report: the run report as JSON. */
  outReport?: string;
}

export async function run(g: GlobalOptions, o: PromoteOptions): Promise<ExitCode> {
  // Nothing is read or written when the run could not be confirmed anyway, or its report not written.
  if (!o.yes && !o.dryRun && !canAsk(g)) {
    throw needsYesError(
      g,
      "promote",
      `deployer promote --stage ${o.to}${o.from ? ` --from ${o.from}` : ""}`,
      "--dry-run only shows the plan",
    );
  }
  await checkOutputFiles(outputFiles({ "--out-report": o.outReport }));
  // Every target loaded: planPromotion picks the source and destination stages itself.
  return withAwsRun(g, undefined, `promote to ${o.to}: reading the configuration and AWS state`, async (run, phase) => {
    const result = await planPromotion({
      project: run.project,
      sessions: run.sessions,
      runId: run.runId,
      to: o.to,
      from: o.from,
      sourceEnvs: o.sourceEnvs,
      services: o.services,
      options: planOptions(run, o.preflight),
      // --dry-run writes nothing: it reads as the viewer roles and never assumes a deploy role, like plan.
      access: o.dryRun ? "read" : "write",
    });
    phase.stop();
    printConfigWarnings(
      g,
      run.project,
      run.project.targets.filter((t) => t.stage === result.toStage),
    );
    const { plan } = result;
    const say = (line: string) => messages(g).write(`${terminalOutput(line)}\n`);

    // Before a prompt or a deploy, only the checks that did not pass (as rollout shows it); --dry-run shows them all, like plan.
    const stopsBeforeApply = o.dryRun || plan.summary.blocked > 0 || plan.summary.toChange === 0 || !o.yes;
    const view = promotionView(result, { checks: o.dryRun ? "all" : "problems" });
    if (stopsBeforeApply) emit(g, view);
    else emitText(g, view);
    if (plan.summary.blocked > 0) {
      say(
        `Nothing promoted: preflight failed for ${plan.summary.blocked} target${plan.summary.blocked === 1 ? "" : "s"} of ${result.toStage}.`,
      );
      return ExitCode.Failure;
    }
    if (plan.summary.toChange === 0) {
      const runs =
        Object.keys(result.digests).length > 1
          ? Object.entries(result.digests)
              .map(([k, d]) => `${k} ${d}`)
              .join(", ")
          : result.digest;
      say(`Nothing to promote: every target of ${result.toStage} already runs ${runs}.`);
      return ExitCode.Ok;
    }
    if (o.dryRun) {
      say(
        `Dry run: nothing deployed. To deploy: deployer promote --stage ${result.toStage}${o.from ? ` --from ${o.from}` : ""}${o.sourceEnvs?.length ? ` --env ${o.sourceEnvs.join(",")}` : ""}${o.services?.length ? ` --service ${o.services.join(",")}` : ""} --yes`,
      );
      return ExitCode.Ok;
    }
    if (!o.yes && !(await confirm(`Deploy to ${result.toStage}? [y/N] `))) {
      say("Not deployed.");
      return ExitCode.Ok;
    }
    return applyWithProgress(g, plan, result.observed, {
      command: "promote",
      rollbackStage: o.rollbackStage,
      outReport: o.outReport,
      showPlan: false,
    });
  });
}
