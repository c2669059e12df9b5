// `command: status` and `command: drift`: the read-only fleet views, with the same core as
// `deployer status` / `deployer drift`. Every stage unless `stage` narrows it (as the CLI). The view
// goes to the log and the job summary, its JSON to report-json. status fails the step when a target
// cannot be read; drift too, and reports drift as `changes: true` plus a warning per drifted target
// (the step does not fail for drift: gate on the output if you want it to).
import path from "node:path";
import { writeFile } from "node:fs/promises";
import { fleetSelection } from "../config/select.js";
import { fleetStatus } from "../fleet/status.js";
import { detectDrift, hasDrift } from "../fleet/drift.js";
import { formatStatusText } from "../report/status-text.js";
import { formatStatusMarkdown } from "../report/status-markdown.js";
import { statusToJsonText } from "../report/status-json.js";
import { formatDriftText } from "../report/drift-text.js";
import { formatDriftMarkdown } from "../report/drift-markdown.js";
import { driftToJsonText } from "../report/drift-json.js";
import { plural } from "../report/plan-format.js";
import type { ActionInputs } from "./inputs.js";
import type { ActionRuntime } from "./runtime.js";
import type { CommandOutcome } from "./command-outcome.js";
import { outputDir } from "./output-files.js";
import { emitAnnotations, errorAnnotations, workspacePath, type Annotation } from "./annotations.js";
import { withActionRun } from "./action-plan.js";

export async function runStatusCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  return withActionRun(inputs, rt, fleetSelection({ envs: inputs.environments, stages: inputs.stages }), async (run) => {
    const status = await fleetStatus(run);
    rt.log.group(`Fleet status for ${status.service}`, formatStatusText(status, { color: false }).split("\n"));
    const file = path.join(await outputDir(rt.github.tempDir, run.runId), "status.json");
    await writeFile(file, rt.mask.scrub(statusToJsonText(status)));
    rt.setOutput("report-json", file);
    const rowErrors = status.rows.flatMap((r) => (r.error ? [{ ...r.error, target: r.error.target ?? r.target.name }] : []));
    emitAnnotations(rt.annotations, errorAnnotations(rowErrors, rt.github.workspace), (s) => rt.mask.scrub(s));
    await rt.writeSummary(formatStatusMarkdown(status));
    return status.summary.errors > 0 ? { failed: `${plural(status.summary.errors, "target")} could not be read: see the job summary` } : {};
  });
}

export async function runDriftCommand(inputs: ActionInputs, rt: ActionRuntime): Promise<CommandOutcome> {
  return withActionRun(inputs, rt, fleetSelection({ envs: inputs.environments, stages: inputs.stages }), async (run) => {
    const report = await detectDrift(run);
    rt.log.group(`Drift for ${report.service}`, formatDriftText(report, { color: false }).split("\n"));
    const file = path.join(await outputDir(rt.github.tempDir, run.runId), "drift.json");
    await writeFile(file, rt.mask.scrub(driftToJsonText(report)));
    rt.setOutput("report-json", file);
    rt.setOutput("changes", String(hasDrift(report)));
    for (const t of report.targets.filter((x) => x.status === "drifted")) {
      const annotation: Annotation = {
        level: "warning",
        message: `${t.target.name} does not run what the configuration renders for its image (${plural(t.changes.length, "field")} differ)`,
        title: `drift: ${t.target.name}`,
        file: workspacePath(path.resolve(run.project.config.rootDir, t.target.file), rt.github.workspace),
      };
      emitAnnotations(rt.annotations, [annotation], (s) => rt.mask.scrub(s));
    }
    const errors = report.targets.flatMap((t) => (t.error ? [{ ...t.error, target: t.error.target ?? t.target.name }] : []));
    emitAnnotations(rt.annotations, errorAnnotations(errors, rt.github.workspace), (s) => rt.mask.scrub(s));
    await rt.writeSummary(formatDriftMarkdown(report));
    return report.summary.errors > 0
      ? { failed: `${plural(report.summary.errors, "target")} could not be checked for drift: see the job summary` }
      : {};
  });
}
