// `deployer plan` and `deployer check`: make the plan, then route it to the requested outputs.
import { writeFile } from "node:fs/promises";
import type { GlobalOptions } from "./shell.js";
import type { PreflightOptions, SelectionOptions } from "./deploy-options.js";
import { ExitCode } from "../errors.js";
import { prepareAwsRun, readPhase, targetCount } from "./aws-run.js";
import { printConfigWarnings } from "./config-warnings.js";
import { checkOutputFiles, outputFiles, writeOutputFile } from "./output-files.js";
import { makePlan } from "../workflow/make-plan.js";
import { parseDurationSeconds } from "../workflow/duration.js";
import { gitShaFor } from "../workflow/run-id.js";
import { formatPlanText } from "../report/plan-text.js";
import { formatChecksText } from "../report/check-text.js";
import { planToJsonText } from "../report/plan-json.js";
import { formatPlanMarkdown } from "../report/plan-markdown.js";
import { terminalOutput, terminalText } from "../report/escape.js";
import { writePlanFile } from "../report/plan-file.js";

export interface PlanCommandOptions extends SelectionOptions, PreflightOptions {
  image: string;
  save?: string;
  json?: string;
  markdown?: string;
  detailedExitcode?: boolean;
}

export async function runPlanCommand(g: GlobalOptions, o: PlanCommandOptions, how: { mode: "plan" | "check" }): Promise<number> {
  const timeoutSeconds = parseDurationSeconds(o.timeout);
  const files = outputFiles({ "--save": o.save, "--json": o.json, "--markdown": o.markdown });
  await checkOutputFiles(files);
  const phase = readPhase(`${how.mode}: reading the configuration and AWS state for image ${o.image}`);
  const run = await prepareAwsRun(g, o).catch((e: unknown) => {
    phase.stop();
    throw e;
  });
  try {
    phase.update(`${how.mode}: reading AWS state and running the checks for ${targetCount(run.targets.length)}`);
    const { plan } = await makePlan({
      project: run.project,
      targets: run.targets,
      image: o.image,
      sessions: run.sessions,
      runId: run.runId,
      options: {
        strict: Boolean(o.strict),
        timeoutSeconds,
        waitForInProgress: Boolean(o.waitForInProgress),
        by: run.by,
        gitSha: gitShaFor(o.image.startsWith("sha256:") ? undefined : o.image),
      },
    });

    phase.stop();
    printConfigWarnings(g, run.project, run.targets);
    const jsonArtifactHint = o.json ? `the JSON plan (${o.json})` : undefined;
    const file = (flag: string) => files.find((f) => f.flag === flag)!;
    if (o.save) await writeOutputFile(file("--save"), () => writePlanFile(o.save!, plan));
    if (o.json) await writeOutputFile(file("--json"), () => writeFile(o.json!, planToJsonText(plan) + "\n"));
    if (o.markdown)
      await writeOutputFile(file("--markdown"), () => writeFile(o.markdown!, formatPlanMarkdown(plan, { jsonArtifactHint }) + "\n"));

    if (g.output === "json") process.stdout.write(planToJsonText(plan) + "\n");
    else if (g.output === "markdown") process.stdout.write(formatPlanMarkdown(plan, { jsonArtifactHint }) + "\n");
    else if (how.mode === "check") process.stdout.write(formatChecksText(plan, { color: g.color }) + "\n");
    else process.stdout.write(formatPlanText(plan, { color: g.color }) + "\n");
    if (o.save && g.output === "text")
      process.stdout.write(
        terminalOutput(`Plan saved to ${terminalText(o.save)}; apply it with: deployer rollout --plan ${terminalText(o.save)}`) + "\n",
      );

    if (plan.summary.blocked > 0) return ExitCode.Failure;
    if (how.mode === "plan" && o.detailedExitcode && plan.summary.toChange > 0) return ExitCode.Differences;
    return ExitCode.Ok;
  } finally {
    phase.stop();
    await run.sessions.close();
  }
}
