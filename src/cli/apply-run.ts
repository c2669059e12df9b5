// Applying a plan from the CLI (rollout, promote, rollback): show the plan, refuse when preflight
// failed, then apply it with a progress UI (listr2 in a terminal, timestamped lines in CI), handle
// Ctrl-C, print the report and write it to --report FILE.
import { writeFile } from "node:fs/promises";
import { writeOutputFile } from "./output-files.js";
import type { GlobalOptions } from "./shell.js";
import type { Plan } from "../plan/types.js";
import type { TargetSession } from "../aws/ports.js";
import type { RunEventSink, RunReport } from "../apply/types.js";
import { DeployerError, ExitCode } from "../errors.js";
import { applyPlan } from "../apply/apply.js";
import { parsePollInterval, POLL_INTERVAL_ENV, type PollInterval } from "../apply/service-poller.js";
import { formatPlanText } from "../report/plan-text.js";
import { formatRunReportText } from "../report/run-text.js";
import { runReportToJsonText } from "../report/run-json.js";
import { createPlainProgress } from "../report/progress-plain.js";
import { createListrProgress } from "../report/progress-listr.js";
import { sensitiveValuesOf } from "../plan/redact-plan.js";
import { scrubString } from "../render/redact.js";

export interface ApplyRunOptions {
  command: string;
  rollbackStage?: boolean;
  report?: string;
  /** Print the plan before applying (text output only). Default true. */
  showPlan?: boolean;
}

export { sessionsOf } from "../workflow/make-plan.js";

/**
 * DEPLOYER_POLL_INTERVAL_MS=INITIAL[,MAX]: how often DescribeServices is polled while waiting
 * (default 2 s growing to 15 s). Tests and the benchmarks use it to wait on a fast sandbox.
 */
export function pollIntervalFromEnv(env: NodeJS.ProcessEnv = process.env): PollInterval | undefined {
  const raw = env[POLL_INTERVAL_ENV];
  if (raw === undefined || raw.trim() === "") return undefined;
  const parsed = parsePollInterval(raw);
  if (typeof parsed === "string") {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${POLL_INTERVAL_ENV} ${parsed}`,
      hint: `e.g. ${POLL_INTERVAL_ENV}=2000,15000 (the default), or unset it`,
    });
  }
  return parsed;
}

function interactive(g: GlobalOptions): boolean {
  return g.output === "text" && Boolean(process.stdout.isTTY) && !process.env.CI && !process.env.GITHUB_ACTIONS;
}

export async function applyFromCli(
  g: GlobalOptions,
  plan: Plan,
  sessions: Map<string, TargetSession>,
  o: ApplyRunOptions,
): Promise<{ exitCode: number; report: RunReport }> {
  const poll = pollIntervalFromEnv();
  const secrets = sensitiveValuesOf(plan);
  const text = g.output === "text";
  // Progress goes to stderr whenever stdout carries a machine-readable document.
  const log = (line: string) => (text ? process.stdout : process.stderr).write(scrubString(line, secrets) + "\n");

  if (text && o.showPlan !== false) log(formatPlanText(plan, { color: g.color, checks: "problems" }));

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

  let report: RunReport;
  try {
    report = await applyPlan(plan, {
      sessions,
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

  const json = runReportToJsonText(report);
  // --report was probed before anything was written (checkOutputFiles); should the write still fail
  // (disk full), the summary is printed all the same and the error follows it (exit 1).
  let reportFailed: Error | undefined;
  if (o.report) {
    const file = o.report;
    await writeOutputFile({ flag: "--report", path: file }, () => writeFile(file, scrubString(json, secrets) + "\n")).catch(
      (e: Error) => (reportFailed = e),
    );
  }
  if (g.output === "json") process.stdout.write(scrubString(json, secrets) + "\n");
  else process.stdout.write(scrubString(formatRunReportText(report, { color: g.color }), secrets) + "\n");
  if (reportFailed) throw reportFailed;
  return { exitCode: report.ok ? ExitCode.Ok : ExitCode.Failure, report };
}
