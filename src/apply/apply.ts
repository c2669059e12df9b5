// Applying a plan: execute its steps, stage after stage, and report. Applying never re-decides: a
// plan with any blocked target applies nothing, "noop" targets are reported unchanged, and every
// "update" target runs exactly the steps the plan lists (see target-rollout.ts). A failure stops the
// run after its stage; later stages are never touched. Ctrl-C (`signal`) stops starting work, stops
// waiting, and reports what was in flight.
import { setMaxListeners } from "node:events";
import type { TargetSession } from "../aws/ports.js";
import { DeployerError, type ErrorInfo } from "../errors.js";
import type { Plan, TargetPlan } from "../plan/types.js";
import type { RunEvent, RunEventSink, RunReport, TargetResult } from "./types.js";
import { isoAt, systemClock, type Clock } from "./clock.js";
import { DEFAULT_POLL_INTERVAL, ServicePoller, type PollInterval } from "./service-poller.js";
import { notStartedResult, runStage, unchangedResult } from "./stage-runner.js";

export type { Clock } from "./clock.js";
export { systemClock } from "./clock.js";

export interface ApplyDeps {
  /** The assumed deploy-role session of every target to update, by target name. */
  sessions: Map<string, TargetSession>;
  /** Progress events (listr2 rows, plain CI lines, Action log groups). A throwing sink is ignored. */
  onEvent?: RunEventSink;
  /** Ctrl-C: stop starting targets, stop waiting, report in-flight targets as interrupted. */
  signal?: AbortSignal;
  clock?: Clock;
  /** DescribeServices polling interval while waiting (default 2 s growing ×1.5 to 6 s). */
  poll?: PollInterval;
  /** When a target of a stage fails, roll back every target of that stage that was deployed. */
  rollbackStage?: boolean;
  /** The command recorded in the report (default `rollout`). */
  command?: string;
}

export async function applyPlan(plan: Plan, deps: ApplyDeps): Promise<RunReport> {
  const clock = deps.clock ?? systemClock;
  const emit = safeSink(deps.onEvent);
  // Every in-flight target (its AWS calls, its waits) listens to the one Ctrl-C signal: with more than
  // 10 targets Node would print a bogus "possible EventTarget memory leak" warning in the middle of a deploy.
  if (deps.signal) setMaxListeners(0, deps.signal);
  const stages = stagesOf(plan);
  for (const t of plan.targets) {
    if (t.action === "update" && !deps.sessions.has(t.target.name)) {
      throw new DeployerError({
        code: "INTERNAL",
        message: `no AWS session for target ${t.target.name}`,
        target: t.target.name,
        account: t.target.account,
        hint: "This is a bug in deployer; please report it with the command you ran.",
      });
    }
  }
  const startedAt = clock.now();
  const results = new Map<string, TargetResult>();
  let error: ErrorInfo | undefined;
  let interrupted = false;

  const blocked = plan.targets.filter((t) => t.action === "blocked");
  if (blocked.length > 0) {
    for (const t of plan.targets) {
      const r = t.action === "noop" ? unchangedResult(t) : notStartedResult(t);
      if (t.action === "blocked") r.error = preflightError(t);
      results.set(t.target.name, r);
      emit({
        type: "target-done",
        at: isoAt(clock),
        target: t.target.name,
        outcome: r.outcome,
        message: r.error
          ? `blocked: ${r.error.message}`
          : r.outcome === "unchanged"
            ? "unchanged"
            : "not started: preflight failed for another target",
      });
    }
    error = {
      code: "PREFLIGHT_FAILED",
      message: `preflight failed for ${blocked.length} target${blocked.length === 1 ? "" : "s"} (${blocked.map((t) => t.target.name).join(", ")}); nothing was changed`,
      hint: "fix the failing checks listed for each target (`deployer check`), then run again",
    };
  } else {
    const poller = new ServicePoller(clock, deps.poll ?? DEFAULT_POLL_INTERVAL);
    let stoppedBy: { stage: string; failed: string[]; unknown: string[] } | undefined;
    for (const stage of stages) {
      if (stage.targets.length === 0) continue;
      if (stoppedBy || deps.signal?.aborted) {
        for (const t of stage.targets) {
          const r = t.action === "noop" ? unchangedResult(t) : notStartedResult(t);
          results.set(t.target.name, r);
          if (r.outcome === "not-started") {
            const why = stoppedBy
              ? `stage ${stoppedBy.stage} ${stoppedBy.failed.length ? "failed" : "has a target whose state is unknown"}`
              : "interrupted";
            emit({ type: "target-done", at: isoAt(clock), target: t.target.name, outcome: r.outcome, message: `not started: ${why}` });
          } else {
            emit({ type: "target-done", at: isoAt(clock), target: t.target.name, outcome: r.outcome, message: "unchanged" });
          }
        }
        continue;
      }
      const run = await runStage(stage, stage.targets, {
        sessions: deps.sessions,
        clock,
        poller,
        emit,
        signal: deps.signal,
        rollbackStage: deps.rollbackStage ?? false,
      });
      for (const r of run.results) results.set(r.target.name, r);
      if (run.failed || run.unknown) {
        stoppedBy = {
          stage: stage.name,
          failed: run.results.filter((r) => r.outcome === "failed").map((r) => r.target.name),
          unknown: run.results.filter((r) => r.outcome === "unknown").map((r) => r.target.name),
        };
      }
    }
    const all = [...results.values()];
    interrupted = Boolean(deps.signal?.aborted);
    if (interrupted) {
      const inFlight = all.filter((r) => r.outcome === "interrupted").map((r) => r.target.name);
      error = {
        code: "INTERRUPTED",
        message: `interrupted: ${inFlight.length ? `${inFlight.join(", ")} ${inFlight.length === 1 ? "was" : "were"} in flight` : "nothing was in flight"}; ${all.filter((r) => r.outcome === "not-started").length} target(s) not started`,
        hint: "each interrupted target says how far it got; running the same command again converges",
      };
    } else if (stoppedBy && stoppedBy.failed.length === 0) {
      const later = stages
        .slice(stages.findIndex((s) => s.name === stoppedBy.stage) + 1)
        .filter((s) => s.targets.length > 0)
        .map((s) => s.name);
      const names = stoppedBy.unknown;
      error = {
        code: "STATE_UNKNOWN",
        message: `deployer could not read ${names.join(", ")} in stage ${stoppedBy.stage}: ${names.length === 1 ? "its" : "their"} state is unknown; nothing more was written to ${names.length === 1 ? "it" : "them"} and nothing was rolled back${later.length ? `; later stages not started (${later.join(", ")})` : ""}`,
        hint: `look with \`deployer status --env ${names.join(",")}\` (each target's error says why it could not be read), then run the command again`,
      };
    } else if (stoppedBy) {
      const rollbackFailed = all.some((r) => r.rollback && r.rollback.by !== "none" && !r.rollback.ok);
      const later = stages
        .slice(stages.findIndex((s) => s.name === stoppedBy.stage) + 1)
        .filter((s) => s.targets.length > 0)
        .map((s) => s.name);
      error = {
        code: rollbackFailed ? "ROLLBACK_FAILED" : "DEPLOYMENT_FAILED",
        message: `${stoppedBy.failed.join(", ")} failed in stage ${stoppedBy.stage}${rollbackFailed ? " and a rollback failed" : ""}${stoppedBy.unknown.length ? `; the state of ${stoppedBy.unknown.join(", ")} is unknown` : ""}${later.length ? `; later stages not started (${later.join(", ")})` : ""}`,
        hint: rollbackFailed
          ? "a service may be unhealthy: see the rollback errors below and check `deployer status`"
          : "see each target's error; fix the cause and run again",
      };
    }
  }

  const targets = plan.targets.map((t) => results.get(t.target.name) ?? notStartedResult(t));
  const report: RunReport = {
    runId: plan.runId,
    command: deps.command ?? "rollout",
    service: plan.service,
    image: {
      repository: plan.image.repository,
      digest: plan.image.digest,
      ...(plan.image.tag !== undefined ? { tag: plan.image.tag } : {}),
    },
    ...(plan.images ? { images: structuredClone(plan.images) } : {}),
    startedAt: isoAt(startedAt),
    finishedAt: isoAt(clock),
    ok: error === undefined && targets.every((r) => r.outcome === "deployed" || r.outcome === "unchanged"),
    interrupted,
    targets,
  };
  if (error) report.error = error;
  return report;
}

/** The plan's stages in order, each with its targets in plan order. Refuses targets of unknown stages. */
function stagesOf(plan: Plan): Array<{ name: string; maxParallel?: number; targets: TargetPlan[] }> {
  const stages = plan.stages.map((s) => ({ ...s, targets: [] as TargetPlan[] }));
  for (const t of plan.targets) {
    const stage = stages.find((s) => s.name === t.target.stage);
    if (!stage) {
      throw new DeployerError({
        code: "PLAN_INVALID",
        message: `target ${t.target.name} is in stage ${JSON.stringify(t.target.stage)}, which is not among the plan's stages (${plan.stages.map((s) => s.name).join(", ")})`,
        target: t.target.name,
        hint: "make the plan again with this version of deployer",
      });
    }
    stage.targets.push(t);
  }
  return stages;
}

function preflightError(t: TargetPlan): ErrorInfo {
  const failing = flatten(t.checks).filter((c) => c.verdict === "fail");
  const hint = failing.map((c) => c.error?.hint ?? c.hint).find((h) => h !== undefined);
  return {
    code: "PREFLIGHT_FAILED",
    message: failing.length
      ? `${failing.length} check${failing.length === 1 ? "" : "s"} failed: ${failing.map((c) => c.title).join("; ")}`
      : "preflight failed",
    target: t.target.name,
    account: t.target.account,
    hint: hint ?? "run `deployer check` for the details",
  };
}

function flatten<T extends { children?: T[] }>(xs: T[]): T[] {
  return xs.flatMap((x) => [x, ...flatten(x.children ?? [])]);
}

function safeSink(sink: RunEventSink | undefined): RunEventSink {
  if (!sink) return () => undefined;
  return (e: RunEvent) => {
    try {
      sink(e);
    } catch {
      // A rendering problem must never stop a deployment.
    }
  };
}
