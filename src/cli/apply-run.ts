// Applying a plan from the CLI (rollout, promote, rollback): show the plan, then apply it with a
// progress UI (listr2 in a terminal, timestamped lines in CI), handle Ctrl-C, write the report to
// --report FILE and emit it. The plan itself decides: a blocked plan applies nothing.
import { writeFile } from "node:fs/promises";
import { writeOutputFile } from "./output-files.js";
import { emit, emitText, interactive, messages, type GlobalOptions } from "./shell.js";
import type { Plan } from "../plan/types.js";
import type { ObservedTarget } from "../observe/types.js";
import type { RunEventSink } from "../apply/types.js";
import { DeployerError, ExitCode } from "../errors.js";
import { applyPlan } from "../apply/apply.js";
import { parsePollInterval, POLL_INTERVAL_ENV, type PollInterval } from "../apply/service-poller.js";
import { sessionsOf } from "../workflow/make-plan.js";
import { runReportToJsonText } from "../report/run-json.js";
import { planView, runReportView } from "../report/views.js";
import { scrubbedView } from "../report/view.js";
import { createPlainProgress } from "../report/progress-plain.js";
import { createListrProgress } from "../report/progress-listr.js";
import { scrubString } from "../render/redact.js";
import { sensitiveValuesOf } from "../plan/redact-plan.js";

export interface ApplyRunOptions {
  command: string;
  rollbackStage?: boolean;
  /** --out-report FILE: the run report as JSON. */
  outReport?: string;
  /** Print the plan before applying (text output only). Default true. */
  showPlan?: boolean;
}

/**
 * DEPLOYER_POLL_INTERVAL_MS=INITIAL[,MAX]: how often DescribeServices is polled while waiting
 * (default 2 s growing to 6 s: DEFAULT_POLL_INTERVAL). Tests and the benchmarks use it to wait on a
 * fast sandbox.
 */
export function pollIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): PollInterval | undefined {
  const raw = env[POLL_INTERVAL_ENV];
  if (raw === undefined || raw.trim() === "") return undefined;
  const parsed = parsePollInterval(raw);
  if (typeof parsed === "string") {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${POLL_INTERVAL_ENV} ${parsed}`,
      hint: `e.g. ${POLL_INTERVAL_ENV}=2000,15000, or unset it for the default (2000,6000)`,
    });
  }
  return parsed;
}

/** Applies `plan` with the sessions its observation assumed; the exit code says whether the run was ok. */
export async function applyWithProgress(g: GlobalOptions, plan: Plan, observed: ObservedTarget[], o: ApplyRunOptions): Promise<ExitCode> {
  const poll = pollIntervalFromEnv();
  const secrets = sensitiveValuesOf(plan);
  // Progress goes to stderr whenever stdout carries a machine-readable document.
  const log = (line: string) => messages(g).write(scrubString(line, secrets) + "\n");

  if (o.showPlan !== false) emitText(g, scrubbedView(planView(plan, { checks: "problems" }), secrets));

  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write("\nInterrupted: no new targets will start; reporting what is in flight (Ctrl-C again to exit at once).\n");
      controller.abort();
    } else {
      process.exit(130);
    }
  };
  process.on("SIGINT", onSigint);
  process.on("SIGTERM", onSigint);

  let sink: RunEventSink;
  let finish: () => Promise<void> = async () => {};
  if (interactive(g) && plan.summary.blocked === 0) {
    const stages = plan.stages.map((s) => ({
      stage: s.name,
      targets: plan.targets.filter((t) => t.target.stage === s.name).map((t) => t.target.name),
    }));
    const listr = createListrProgress(stages);
    sink = listr.sink;
    finish = () => listr.done();
  } else {
    sink = createPlainProgress(log);
  }

  let report;
  try {
    report = await applyPlan(plan, {
      sessions: sessionsOf(observed),
      onEvent: sink,
      signal: controller.signal,
      rollbackStage: o.rollbackStage,
      command: o.command,
      ...(poll ? { poll } : {}),
    });
  } finally {
    await finish();
    process.off("SIGINT", onSigint);
    process.off("SIGTERM", onSigint);
  }

  // --out-report was probed before anything was written (checkOutputFiles); should the write still fail
  // (disk full), the summary is printed all the same and the error follows it (exit 1).
  let reportFailed: Error | undefined;
  if (o.outReport) {
    const file = o.outReport;
    const json = runReportToJsonText(report);
    await writeOutputFile({ flag: "--out-report", path: file }, () => writeFile(file, scrubString(json, secrets) + "\n")).catch(
      (e: Error) => (reportFailed = e),
    );
  }
  emit(g, scrubbedView(runReportView(report), secrets));
  if (reportFailed) throw reportFailed;
  return report.ok ? ExitCode.Ok : ExitCode.Failure;
}
