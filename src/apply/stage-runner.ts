// One stage of a rollout: its targets run at most `maxParallel` at a time, in plan order. The first
// failure (or a target whose state became unknown) stops the stage from starting more targets (those
// in flight finish); with `rollbackStage` a failure also rolls back the targets it already deployed
// — an unknown state does not (deployer never rolls back on a read failure). Ctrl-C stops it from
// starting anything.
import type { TargetSession } from "../aws/ports.js";
import type { TargetPlan } from "../plan/types.js";
import type { RunEventSink, TargetResult } from "./types.js";
import { isoAt, type Clock } from "./clock.js";
import { mapBounded } from "../concurrency.js";
import type { ServicePoller } from "./service-poller.js";
import { TargetRollout } from "./target-rollout.js";
import { taskDefinitionName } from "../config/aws-names.js";

export interface StageRunDeps {
  sessions: Map<string, TargetSession>;
  clock: Clock;
  poller: ServicePoller;
  emit: RunEventSink;
  signal?: AbortSignal;
  rollbackStage: boolean;
}

export interface StageRun {
  /** In plan order. */
  results: TargetResult[];
  /** A target failed (or a stage rollback failed). */
  failed: boolean;
  /** A target's state became unknown (its service could not be read). */
  unknown: boolean;
  /** Ctrl-C stopped it. */
  interrupted: boolean;
}

export async function runStage(
  stage: { name: string; maxParallel?: number },
  targets: TargetPlan[],
  deps: StageRunDeps,
): Promise<StageRun> {
  const { clock, emit, signal } = deps;
  emit({ type: "stage-start", at: isoAt(clock), stage: stage.name, targets: targets.map((t) => t.target.name) });

  const results = new Map<string, TargetResult>();
  for (const t of targets.filter((x) => x.action === "noop")) {
    results.set(t.target.name, unchangedResult(t));
    emit({
      type: "target-done",
      at: isoAt(clock),
      target: t.target.name,
      outcome: "unchanged",
      message: `unchanged: already runs ${t.live ? taskDefinitionName(t.live.taskDefinitionArn) : "the desired task definition"}`,
    });
  }

  const work = targets.filter((x) => x.action === "update");
  // maxParallel unset: every target of the stage at once.
  const concurrency = stage.maxParallel ?? Infinity;
  const rollouts = new Map<string, TargetRollout>();
  let failed: string | undefined;
  let unknown: string | undefined;
  const ran = await mapBounded(
    work,
    async (plan) => {
      const rollout = new TargetRollout({ plan, session: deps.sessions.get(plan.target.name)!, clock, poller: deps.poller, signal, emit });
      rollouts.set(plan.target.name, rollout);
      const result = await rollout.run();
      results.set(plan.target.name, result);
      if (result.outcome === "failed") failed ??= plan.target.name;
      if (result.outcome === "unknown") unknown ??= plan.target.name;
      return result;
    },
    { concurrency, stopWhen: () => failed !== undefined || unknown !== undefined || Boolean(signal?.aborted) },
  );

  for (const plan of work.filter((_, i) => ran[i] === undefined)) {
    const why = signal?.aborted
      ? "interrupted before it started"
      : failed !== undefined
        ? `${failed} failed in stage ${stage.name}`
        : `the state of ${unknown} is unknown`;
    results.set(plan.target.name, notStartedResult(plan));
    emit({ type: "target-done", at: isoAt(clock), target: plan.target.name, outcome: "not-started", message: `not started: ${why}` });
  }

  if (failed !== undefined && deps.rollbackStage && !signal?.aborted) {
    const toRevert = work.filter((p) => results.get(p.target.name)?.outcome === "deployed" && rollouts.get(p.target.name)?.updated);
    await mapBounded(
      toRevert,
      async (plan) => {
        const result = await rollouts
          .get(plan.target.name)!
          .revert(`${failed} failed in stage ${stage.name}; rolling back the whole stage`);
        results.set(plan.target.name, result);
      },
      { concurrency, stopWhen: () => Boolean(signal?.aborted) },
    );
  }

  const ordered = targets.map((t) => results.get(t.target.name)!);
  const ok = ordered.every((r) => r.outcome === "deployed" || r.outcome === "unchanged");
  emit({ type: "stage-done", at: isoAt(clock), stage: stage.name, ok });
  return {
    results: ordered,
    failed: ordered.some((r) => r.outcome === "failed"),
    unknown: ordered.some((r) => r.outcome === "unknown"),
    interrupted: Boolean(signal?.aborted),
  };
}

export function unchangedResult(t: TargetPlan): TargetResult {
  const r: TargetResult = { target: t.target, outcome: "unchanged", imageRef: t.imageRef, checks: t.checks };
  if (t.live) {
    r.previousTaskDefinitionArn = t.live.taskDefinitionArn;
    r.taskDefinitionArn = t.live.taskDefinitionArn;
  }
  return r;
}

export function notStartedResult(t: TargetPlan): TargetResult {
  const r: TargetResult = { target: t.target, outcome: "not-started", imageRef: t.imageRef, checks: t.checks };
  if (t.live) r.previousTaskDefinitionArn = t.live.taskDefinitionArn;
  return r;
}
