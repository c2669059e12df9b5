// One stage of a rollout: its targets run at most `maxParallel` at a time, in plan order. The first
// failure (or a target whose state became unknown) stops the stage from starting more targets (those
// in flight finish); with `rollbackStage` a failure also rolls back the targets it already deployed
// — an unknown state does not (deployer never rolls back on a read failure). Ctrl-C stops it from
// starting anything.
import type { TargetSession } from "../aws/ports.js";
import type { TargetPlan } from "../plan/types.js";
import type { RunEventSink, TargetResult } from "./types.js";
import { skippedTaskResults } from "./one-off-task.js";
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
  // The units of one environment (its services) go together: maxParallel counts environments.
  const envs = groupByEnvironment(work);
  // maxParallel unset: every target of the stage at once.
  const concurrency = stage.maxParallel ?? Infinity;
  const rollouts = new Map<string, TargetRollout>();
  let failed: string | undefined;
  let unknown: string | undefined;
  const ran = await mapBounded(
    envs,
    async (units) => {
      for (const plan of units)
        rollouts.set(
          plan.target.name,
          new TargetRollout({ plan, session: deps.sessions.get(plan.target.name)!, clock, poller: deps.poller, signal, emit }),
        );
      const envResults = await runEnvironment(units, rollouts, signal);
      for (const result of envResults) {
        results.set(result.target.name, result);
        if (result.outcome === "failed") failed ??= result.target.name;
        if (result.outcome === "unknown") unknown ??= result.target.name;
      }
      return envResults;
    },
    { concurrency, stopWhen: () => failed !== undefined || unknown !== undefined || Boolean(signal?.aborted) },
  );

  for (const plan of envs.filter((_, i) => ran[i] === undefined).flat()) {
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

/** The units to update, grouped by environment (Target.env), in plan order. */
function groupByEnvironment(plans: TargetPlan[]): TargetPlan[][] {
  const groups = new Map<string, TargetPlan[]>();
  for (const p of plans) {
    const env = p.target.env ?? p.target.name;
    const g = groups.get(env);
    if (g) g.push(p);
    else groups.set(env, [p]);
  }
  return [...groups.values()];
}

/**
 * One environment's units: first every unit's steps up to its UpdateService (task definitions
 * registered, one-off tasks run), all at once; a failure there stops the environment before any of
 * its services is updated (the others end "not started"). Then the services in dependsOn order,
 * those independent of each other at once; a unit whose dependency did not deploy is not started.
 * A one-service environment is exactly `rollout.run()`.
 */
async function runEnvironment(units: TargetPlan[], rollouts: Map<string, TargetRollout>, signal?: AbortSignal): Promise<TargetResult[]> {
  const rolloutOf = (p: TargetPlan) => rollouts.get(p.target.name)!;
  if (units.length === 1) return [await rolloutOf(units[0]!).run()];
  const prepared = await Promise.all(units.map((p) => rolloutOf(p).prepare()));
  const stopped = prepared.find((r) => r !== undefined);
  if (stopped) {
    const what =
      stopped.outcome === "failed"
        ? "failed"
        : stopped.outcome === "unknown"
          ? "has a state deployer could not read"
          : stopped.outcome === "interrupted"
            ? "was interrupted"
            : stopped.outcome;
    return units.map(
      (p, i) =>
        prepared[i] ??
        rolloutOf(p).notStarted(`${stopped.target.name} ${what} before any service of ${p.target.env} was updated (tasks run first)`),
    );
  }
  const byKey = new Map(units.map((p) => [p.target.serviceKey, p]));
  const done = new Map<string, Promise<TargetResult>>();
  const start = (p: TargetPlan): Promise<TargetResult> => {
    const own = done.get(p.target.serviceKey);
    if (own) return own;
    const deps = (p.dependsOn ?? []).filter((k) => byKey.has(k) && k !== p.target.serviceKey);
    const promise = Promise.all(deps.map((k) => start(byKey.get(k)!))).then((before) => {
      const bad = before.find((r) => r.outcome !== "deployed");
      if (bad)
        return rolloutOf(p).notStarted(
          `it depends on ${bad.target.serviceKey}, which ${bad.outcome === "failed" ? "failed" : `ended ${bad.outcome}`}`,
        );
      if (signal?.aborted) return rolloutOf(p).notStarted("interrupted before it started");
      return rolloutOf(p).deploy();
    });
    done.set(p.target.serviceKey, promise);
    return promise;
  };
  return Promise.all(units.map(start));
}

export function unchangedResult(t: TargetPlan): TargetResult {
  const r: TargetResult = { target: t.target, outcome: "unchanged", imageRef: t.imageRef, checks: t.checks };
  const skipped = skippedTaskResults(t);
  if (skipped.length > 0) r.tasks = skipped;
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
