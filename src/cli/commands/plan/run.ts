// `deployer plan` (and `deployer check`, the same without files): load, select and render, then
// observe every target read-only and make the plan; write the requested plan files, emit the plan.
import { describeImageSpec, primaryImageRef, type ImageSpec } from "../../../workflow/image-spec.js";
import { writeFile } from "node:fs/promises";
import { emit, type GlobalOptions } from "../../shell.js";
import { withAwsRun, targetCount } from "../../aws-run.js";
import { printConfigWarnings } from "../../config-warnings.js";
import { checkOutputFiles, outputFiles, writeOutputFile } from "../../output-files.js";
import { ExitCode } from "../../../errors.js";
import { makePlan, planOptions } from "../../../workflow/make-plan.js";
import { planToJsonText } from "../../../report/plan-json.js";
import { formatPlanMarkdown } from "../../../report/plan-markdown.js";
import { writePlanFile } from "../../../report/plan-file.js";
import { checksView, planView } from "../../../report/views.js";
import type { TargetSelection } from "../../../config/select.js";
import type { PreflightSettings } from "../../../workflow/make-plan.js";

export interface PlanOptions {
  image: ImageSpec;
  selection: TargetSelection;
  preflight: PreflightSettings;
  /** --out-plan: the saved plan, for `rollout --plan`. */
  outPlan?: string;
  /** --out-json: the plan as JSON. */
  outJson?: string;
  /** --out-markdown: the plan as a pull-request comment. */
  outMarkdown?: string;
  detailedExitcode: boolean;
  /** Text: every check with its evidence (default: only those that did not pass). */
  verbose?: boolean;
}

export function run(g: GlobalOptions, o: PlanOptions): Promise<ExitCode> {
  return planOrCheck(g, o, "plan");
}

type PlanOrCheckOptions = Pick<PlanOptions, "image" | "selection" | "preflight"> &
  Partial<Pick<PlanOptions, "outPlan" | "outJson" | "outMarkdown" | "detailedExitcode" | "verbose">>;

/** plan and check: the same plan; check shows its checks as a tree and writes no files. */
export async function planOrCheck(g: GlobalOptions, o: PlanOrCheckOptions, mode: "plan" | "check"): Promise<ExitCode> {
  const files = outputFiles({ "--out-plan": o.outPlan, "--out-json": o.outJson, "--out-markdown": o.outMarkdown });
  await checkOutputFiles(files);
  const label = `${mode}: reading the configuration and AWS state for image ${describeImageSpec(o.image)}`;
  return withAwsRun(g, o.selection, label, async (run, phase) => {
    phase.update(`${mode}: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan } = await makePlan({
      project: run.project,
      targets: run.targets,
      image: o.image,
      sessions: run.sessions,
      runId: run.runId,
      // plan and check only read: a target with a viewRole is read as it, its deploy role not assumed.
      access: "read",
      options: planOptions(run, o.preflight, primaryImageRef(o.image)),
    });
    phase.stop();
    printConfigWarnings(g, run.project, run.targets);

    const jsonArtifactHint = o.outJson ? `the JSON plan (${o.outJson})` : undefined;
    const file = (flag: string) => files.find((f) => f.flag === flag)!;
    if (o.outPlan) await writeOutputFile(file("--out-plan"), () => writePlanFile(o.outPlan!, plan));
    if (o.outJson) await writeOutputFile(file("--out-json"), () => writeFile(o.outJson!, planToJsonText(plan)));
    if (o.outMarkdown)
      await writeOutputFile(file("--out-markdown"), () => writeFile(o.outMarkdown!, formatPlanMarkdown(plan, { jsonArtifactHint }) + "\n"));

    const verbose = o.verbose ? { checks: "all" as const, evidence: true } : {};
    emit(
      g,
      mode === "check"
        ? checksView(plan, { jsonArtifactHint, ...verbose })
        : planView(plan, { jsonArtifactHint, savedTo: o.outPlan, ...verbose }),
    );

    if (plan.summary.blocked > 0) return ExitCode.Failure;
    if (mode === "plan" && o.detailedExitcode && plan.summary.toChange > 0) return ExitCode.Differences;
    return ExitCode.Ok;
  });
}
