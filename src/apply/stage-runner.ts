// One stage of a rollout: its targets run at most `maxParallel` at a time, in plan order. The first
// failure (or a target whose state became unknown) stops the stage from starting more targets (those
// in flight finish); with `rollbackStage` a failure also rolls back the targets it already deployed
// — an unknown state does not (deployer never rolls back on a read failure). Ctrl-C stops it from
// starting anything.
import type { TargetSession } from "../aws/ports.js";
import type { TargetPlan } from "../plan/types.js";
import type { RunEventSink, TargetResult } from "./types.js";
import type { Clock } from "./clock.js";
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
  const iso = (): string => new Date(clock.now()).toISOString();
  emit({ type: "stage-start", at: iso(), stage: stage.name, targets: targets.map((t) => t.target.name) });

  const results = new Map<string, TargetResult>();
  for (const t of targets.filter((x) => x.action === "noop")) {
    results.set(t.target.name, unchangedResult(t));
    emit({
      type: "target-done",
      at: iso(),
      target: t.target.name,
      outcome: "unchanged",
      message: `unchanged: already runs ${t.live ? taskDefinitionName(t.live.taskDefinitionArn) : "the desired task definition"}`,
    });
  }

  const work = targets.filter((x) => x.action === "update");
  const limit = parallelism(stage.maxParallel, work.length);
  const rollouts = new Map<string, TargetRollout>();
  let failed: string | undefined;
  let unknown: string | undefined;
  let next = 0;
  const worker = async (): Promise<void> => {
    while (failed === undefined && unknown === undefined && !signal?.aborted && next < work.length) {
      const plan = work[next++]!;
      const rollout = new TargetRollout({ plan, session: deps.sessions.get(plan.target.name)!, clock, poller: deps.poller, signal, emit });
      rollouts.set(plan.target.name, rollout);
      const result = await rollout.run();
      results.set(plan.target.name, result);
      if (result.outcome === "failed") failed ??= plan.target.name;
      if (result.outcome === "unknown") unknown ??= plan.target.name;
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));

  for (const plan of work.slice(next)) {
    const why = signal?.aborted
      ? "interrupted before it started"
      : failed !== undefined
        ? `${failed} failed in stage ${stage.name}`
        : `the state of ${unknown} is unknown`;
    results.set(plan.target.name, notStartedResult(plan));
    emit({ type: "target-done", at: iso(), target: plan.target.name, outcome: "not-started", message: `not started: ${why}` });
  }

  if (failed !== undefined && deps.rollbackStage && !signal?.aborted) {
    const toRevert = work.filter((p) => results.get(p.target.name)?.outcome === "deployed" && rollouts.get(p.target.name)?.updated);
    let i = 0;
    const reverter = async (): Promise<void> => {
      while (!signal?.aborted && i < toRevert.length) {
        const plan = toRevert[i++]!;
        const result = await rollouts
          .get(plan.target.name)!
          .revert(`${failed} failed in stage ${stage.name}; rolling back the whole stage`);
        results.set(plan.target.name, result);
      }
    };
    await Promise.all(Array.from({ length: parallelism(stage.maxParallel, toRevert.length) }, reverter));
  }

  const ordered = targets.map((t) => results.get(t.target.name)!);
  const ok = ordered.every((r) => r.outcome === "deployed" || r.outcome === "unchanged");
  emit({ type: "stage-done", at: iso(), stage: stage.name, ok });
  return {
    results: ordered,
    failed: ordered.some((r) => r.outcome === "failed"),
    unknown: ordered.some((r) => r.outcome === "unknown"),
    interrupted: Boolean(signal?.aborted),
  };
}

function parallelism(maxParallel: number | undefined, n: number): number {
  if (n === 0) return 0;
  if (maxParallel === undefined || !Number.isFinite(maxParallel)) return n;
  return Math.min(n, Math.max(1, Math.floor(maxParallel)));
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
