// Waiting on a service while it deploys: polls through the shared ServicePoller, reports progress
// (running/pending/desired, lifecycle stages) and the service events that are new since the wait
// began, and stops at the deadline or on Ctrl-C. What "done" means is the caller's: this deployment
// COMPLETED, ECS's rollback COMPLETED, someone else's deployment settled, or (BLUE_GREEN / LINEAR /
// CANARY) the service deployment SUCCESSFUL or rolled back.
//
// A failed read is never taken for a failed deployment: the wait keeps polling through read errors
// (each reported as a warning) and ends `unreadable` only when the service could not be read for
// READ_FAILURE_PATIENCE_MS (and at least MIN_FAILED_READS polls), or when the deadline comes while
// the last reads failed. The caller then reports the target's state as unknown and writes nothing.
import type { EcsPort, LiveDeployment, LiveService, ServiceDeploymentInfo } from "../aws/ports.js";
import type { RunEventSink } from "./types.js";
import { isoAt, type Clock } from "./clock.js";
import type { ServiceWatch } from "./service-poller.js";
import {
  assessDeployment,
  assessServiceDeployment,
  isSettled,
  primaryDeployment,
  serviceState,
  type DeploymentRef,
  type DeploymentState,
  type ServiceDeploymentProgress,
  type ServiceState,
} from "../ecs/deployment-state.js";
import { errorMessage } from "../errors.js";

/** Consecutive failed reads before a wait may end as unreadable (with READ_FAILURE_PATIENCE_MS). */
export const MIN_FAILED_READS = 3;
/** How long reads must have failed without a break before a wait ends as unreadable. */
export const READ_FAILURE_PATIENCE_MS = 60_000;

/** One target's view of its service during the run (shared by its successive waits). */
export interface ServiceObserver {
  target: string;
  watch: ServiceWatch;
  clock: Clock;
  signal?: AbortSignal;
  emit: RunEventSink;
  /** Override of READ_FAILURE_PATIENCE_MS. */
  readPatienceMs?: number;
  /** Service event ids already seen; undefined until the first snapshot (whose events are old news). */
  seenEvents?: Set<string>;
  lastProgress?: string;
  lastStage?: string;
  /** The newest snapshot seen. */
  last?: LiveService;
}

export type WaitEnd<T> =
  | { kind: "done"; value: T; service: LiveService | undefined }
  | { kind: "timeout"; last?: LiveService }
  | { kind: "aborted"; last?: LiveService }
  /** The service could not be read (see the module comment): `error` is the last read's error. */
  | { kind: "unreadable"; error: unknown; failedReads: number; last?: LiveService };

/** What one snapshot says: finished (`done`) or not, and which deployment to show progress of. */
type Inspection<T> = { done?: T; following?: LiveDeployment; stage?: { name: string; hook: boolean; traffic?: string } };

/** Remember the events already on the service (e.g. in UpdateService's response) without reporting them. */
export function seedEvents(obs: ServiceObserver, service: LiveService): void {
  obs.seenEvents ??= new Set();
  for (const e of service.events) obs.seenEvents.add(e.id);
}

async function pollUntil<T, X = undefined>(
  obs: ServiceObserver,
  deadline: number | (() => number),
  inspect: (s: LiveService | undefined, extra: X | undefined) => Inspection<T>,
  extra?: (service: LiveService | undefined) => Promise<X>,
): Promise<WaitEnd<T>> {
  const { clock, signal } = obs;
  const deadlineOf = typeof deadline === "number" ? () => deadline : deadline;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = new AbortController();
  // The deadline may move later while waiting (bake time): sleep until it, look again.
  void (async () => {
    while (!timer.signal.aborted) {
      const ms = deadlineOf() - clock.now();
      if (ms <= 0) {
        stop.abort();
        return;
      }
      await clock.sleep(ms, timer.signal);
    }
  })();
  const patience = obs.readPatienceMs ?? READ_FAILURE_PATIENCE_MS;
  let failedReads = 0;
  let failingSince = 0;
  let lastError: unknown;
  const ended = (): WaitEnd<T> =>
    failedReads > 0 ? { kind: "unreadable", error: lastError, failedReads, last: obs.last } : { kind: "timeout", last: obs.last };
  try {
    for (;;) {
      if (signal?.aborted) return { kind: "aborted", last: obs.last };
      if (clock.now() >= deadlineOf()) return ended();
      const outcome = await obs.watch.next(stop.signal);
      if (outcome.type === "aborted") {
        if (signal?.aborted) return { kind: "aborted", last: obs.last };
        return ended();
      }
      let x: X | undefined;
      let error: unknown;
      if (outcome.type === "error") error = outcome.error;
      else if (extra) {
        try {
          x = await extra(outcome.service);
        } catch (e) {
          error = e;
        }
      }
      if (error !== undefined) {
        if (failedReads === 0) failingSince = clock.now();
        failedReads += 1;
        lastError = error;
        const message = errorMessage(error);
        obs.emit({
          type: "warning",
          at: isoAt(clock),
          target: obs.target,
          message: `could not read the service (${failedReads} failed read${failedReads === 1 ? "" : "s"}): ${message}`,
        });
        if (failedReads >= MIN_FAILED_READS && clock.now() - failingSince >= patience)
          return { kind: "unreadable", error, failedReads, last: obs.last };
        continue;
      }
      failedReads = 0;
      const service = outcome.type === "snapshot" ? outcome.service : undefined;
      if (service) {
        reportNewEvents(obs, service);
        obs.last = service;
      }
      const seen = inspect(service, x);
      if (seen.stage) reportStage(obs, seen.stage);
      if (service) reportProgress(obs, service, seen.following ?? primaryDeployment(service));
      if (seen.done !== undefined) return { kind: "done", value: seen.done, service };
    }
  } finally {
    timer.abort();
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * Wait until the deployment `ref` leaves IN_PROGRESS: COMPLETED, FAILED, replaced, or the service
 * is gone. A FAILED deployment ends the wait at once (the caller decides about rollbacks).
 */
export function waitForDeployment(
  obs: ServiceObserver,
  ref: DeploymentRef,
  deadlineAt: number,
): Promise<WaitEnd<Exclude<DeploymentState, { state: "in-progress" }>>> {
  return pollUntil(obs, deadlineAt, (service) => {
    const s = assessDeployment(service, ref);
    if (s.state === "in-progress") return { following: s.deployment };
    return { done: s, following: "deployment" in s ? s.deployment : undefined };
  });
}

export type EcsRollbackEnd =
  | { state: "completed"; deployment: LiveDeployment }
  | { state: "failed"; deployment: LiveDeployment; reason?: string }
  /** ECS did not start a rollback deployment by `appearBy` (e.g. it had no stable revision to go back to). */
  | { state: "not-started" }
  | { state: "service-gone" };

/**
 * After the circuit breaker or the alarms failed deployment `failedId`, wait for the deployment ECS
 * starts to roll back (a new PRIMARY) to complete. If none has appeared by `appearBy`, end with
 * "not-started".
 */
export function waitForEcsRollback(
  obs: ServiceObserver,
  failedId: string | undefined,
  appearBy: number,
  deadlineAt: number,
): Promise<WaitEnd<EcsRollbackEnd>> {
  return pollUntil<EcsRollbackEnd>(obs, deadlineAt, (service) => {
    if (!service || service.status !== "ACTIVE") return { done: { state: "service-gone" } };
    const primary = primaryDeployment(service);
    if (!primary || primary.id === failedId) return obs.clock.now() >= appearBy ? { done: { state: "not-started" } } : {};
    const s = assessDeployment(service, { id: primary.id, taskDefinitionArn: primary.taskDefinition });
    if (s.state === "completed") return { done: { state: "completed", deployment: s.deployment }, following: s.deployment };
    if (s.state === "failed") return { done: { state: "failed", deployment: s.deployment, reason: s.reason }, following: s.deployment };
    return { following: primary };
  });
}

export type Settled = Exclude<ServiceState, { kind: "in-progress" | "rolling-back" | "unknown" }>;

/**
 * Wait until no deployment is in flight on the service (someone else's, before ours): settled
 * (stable, scaled to zero, degraded), failed, or gone. `current` reads the service's current service
 * deployment where the service needs it (BLUE_GREEN / LINEAR / CANARY).
 */
export function waitForSettled(
  obs: ServiceObserver,
  deadlineAt: number,
  current?: (service: LiveService | undefined) => Promise<ServiceDeploymentInfo | undefined>,
): Promise<WaitEnd<Settled>> {
  return pollUntil<Settled, ServiceDeploymentInfo | undefined>(
    obs,
    deadlineAt,
    (service, sd) => {
      const s = serviceState(service, sd);
      if (s.kind === "in-progress" || s.kind === "rolling-back" || s.kind === "unknown")
        return { following: s.kind === "in-progress" ? s.deployment : undefined };
      return { done: s, following: isSettled(s) ? s.primary : undefined };
    },
    current,
  );
}

/** Lifecycle stages from which production traffic has shifted (or is shifting): bake times run from here. */
export const BAKING_STAGES = new Set(["PRODUCTION_TRAFFIC_SHIFT", "POST_PRODUCTION_TRAFFIC_SHIFT", "BAKE_TIME", "CLEAN_UP"]);

/**
 * BLUE_GREEN / LINEAR / CANARY: wait until the service deployment `arn` is no longer going on
 * (SUCCESSFUL, rolled back, STOPPED), reporting its lifecycle stages. `endOnRollbackStart`: end as
 * soon as a rollback starts. Bake time is honoured: once production traffic shifts, the deadline
 * moves `bakeMs` later (the timeout never cuts a bake short; a deployment stuck before it still times out).
 */
export function waitForServiceDeployment(
  obs: ServiceObserver,
  ecs: EcsPort,
  arn: string,
  deadlineAt: number,
  opts: { hookStages?: string[]; endOnRollbackStart?: boolean; bakeMs?: number } = {},
): Promise<WaitEnd<Exclude<ServiceDeploymentProgress, { state: "in-progress" }>>> {
  let baking = false;
  return pollUntil(
    obs,
    () => deadlineAt + (baking ? (opts.bakeMs ?? 0) : 0),
    (service, sd) => {
      if (sd?.lifecycleStage && BAKING_STAGES.has(sd.lifecycleStage)) baking = true;
      const p = assessServiceDeployment(service, sd);
      const stage = sd?.lifecycleStage ? { name: sd.lifecycleStage, hook: (opts.hookStages ?? []).includes(sd.lifecycleStage) } : undefined;
      const following = service ? primaryDeployment(service) : undefined;
      if (p.state === "in-progress") return { ...(stage ? { stage } : {}), following };
      if (p.state === "rolling-back" && !opts.endOnRollbackStart) return { ...(stage ? { stage } : {}), following };
      return { done: p, ...(stage ? { stage } : {}), following };
    },
    async () => (await ecs.describeServiceDeployments!([arn]))[0],
  );
}

function reportNewEvents(obs: ServiceObserver, service: LiveService): void {
  if (!obs.seenEvents) {
    seedEvents(obs, service);
    return;
  }
  const fresh = service.events.filter((e) => !obs.seenEvents!.has(e.id));
  // ECS lists events newest first; report them in the order they happened.
  for (const e of fresh.reverse()) {
    obs.seenEvents.add(e.id);
    obs.emit({ type: "service-event", at: e.createdAt || isoAt(obs.clock), target: obs.target, message: e.message });
  }
}

function reportStage(obs: ServiceObserver, stage: { name: string; hook: boolean }): void {
  if (stage.name === obs.lastStage) return;
  obs.lastStage = stage.name;
  obs.emit({
    type: "step",
    at: isoAt(obs.clock),
    target: obs.target,
    step: "wait-stable",
    message: `lifecycle stage ${stage.name}${stage.hook ? " (lifecycle hook running)" : ""}`,
  });
}

function reportProgress(obs: ServiceObserver, service: LiveService, d: LiveDeployment | undefined): void {
  const running = d?.runningCount ?? service.runningCount;
  const pending = d?.pendingCount ?? service.pendingCount;
  const desired = d?.desiredCount ?? service.desiredCount;
  const rolloutState = d?.rolloutState;
  const message = `running ${running}/${desired}, pending ${pending}${rolloutState ? ` (${rolloutState})` : ""}${d && d.failedTasks > 0 ? `, ${d.failedTasks} failed` : ""}`;
  if (message === obs.lastProgress) return;
  obs.lastProgress = message;
  obs.emit({ type: "progress", at: isoAt(obs.clock), target: obs.target, message, running, pending, desired, rolloutState });
}
