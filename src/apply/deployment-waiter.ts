// Waiting on a service while it deploys: polls through the shared ServicePoller, reports progress
// (running/pending/desired) and the service events that are new since the wait began, and stops at
// the deadline or on Ctrl-C. What "done" means is the caller's: this deployment COMPLETED, ECS's
// rollback COMPLETED, or someone else's deployment settled.
import type { LiveDeployment, LiveService } from "../aws/ports.js";
import type { RunEventSink } from "./types.js";
import type { Clock } from "./clock.js";
import type { ServiceWatch } from "./service-poller.js";
import {
  assessDeployment,
  primaryDeployment,
  serviceSettlement,
  type DeploymentRef,
  type DeploymentState,
  type Settlement,
} from "./deployment-state.js";

/** Consecutive failed polls tolerated (each reported as a warning) before the wait gives up. */
export const MAX_CONSECUTIVE_POLL_ERRORS = 3;

/** One target's view of its service during the run (shared by its successive waits). */
export interface ServiceObserver {
  target: string;
  watch: ServiceWatch;
  clock: Clock;
  signal?: AbortSignal;
  emit: RunEventSink;
  /** Service event ids already seen; undefined until the first snapshot (whose events are old news). */
  seenEvents?: Set<string>;
  lastProgress?: string;
  /** The newest snapshot seen. */
  last?: LiveService;
}

export type WaitEnd<T> =
  | { kind: "done"; value: T; service: LiveService | undefined }
  | { kind: "timeout"; last?: LiveService }
  | { kind: "aborted"; last?: LiveService }
  | { kind: "error"; error: unknown; last?: LiveService };

/** What one snapshot says: finished (`done`) or not, and which deployment to show progress of. */
type Inspection<T> = { done?: T; following?: LiveDeployment };

/** Remember the events already on the service (e.g. in UpdateService's response) without reporting them. */
export function seedEvents(obs: ServiceObserver, service: LiveService): void {
  obs.seenEvents ??= new Set();
  for (const e of service.events) obs.seenEvents.add(e.id);
}

async function pollUntil<T>(obs: ServiceObserver, deadlineAt: number, inspect: (s: LiveService | undefined) => Inspection<T>): Promise<WaitEnd<T>> {
  const { clock, signal } = obs;
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  signal?.addEventListener("abort", onAbort, { once: true });
  const timer = new AbortController();
  void clock.sleep(Math.max(0, deadlineAt - clock.now()), timer.signal).then(() => {
    if (!timer.signal.aborted) stop.abort();
  });
  let errors = 0;
  try {
    for (;;) {
      if (signal?.aborted) return { kind: "aborted", last: obs.last };
      if (clock.now() >= deadlineAt) return { kind: "timeout", last: obs.last };
      const outcome = await obs.watch.next(stop.signal);
      if (outcome.type === "aborted") {
        if (signal?.aborted) return { kind: "aborted", last: obs.last };
        return { kind: "timeout", last: obs.last };
      }
      if (outcome.type === "error") {
        errors += 1;
        const message = outcome.error instanceof Error ? outcome.error.message : String(outcome.error);
        obs.emit({ type: "warning", at: iso(clock), target: obs.target, message: `DescribeServices failed (${errors}/${MAX_CONSECUTIVE_POLL_ERRORS}): ${message}` });
        if (errors >= MAX_CONSECUTIVE_POLL_ERRORS) return { kind: "error", error: outcome.error, last: obs.last };
        continue;
      }
      errors = 0;
      const service = outcome.service;
      if (service) {
        reportNewEvents(obs, service);
        obs.last = service;
      }
      const seen = inspect(service);
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
export function waitForDeployment(obs: ServiceObserver, ref: DeploymentRef, deadlineAt: number): Promise<WaitEnd<Exclude<DeploymentState, { state: "in-progress" }>>> {
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
 * After the circuit breaker failed deployment `failedId`, wait for the deployment ECS starts to roll
 * back (a new PRIMARY) to complete. If none has appeared by `appearBy`, end with "not-started".
 */
export function waitForEcsRollback(obs: ServiceObserver, failedId: string | undefined, appearBy: number, deadlineAt: number): Promise<WaitEnd<EcsRollbackEnd>> {
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

/** Wait until no deployment is in flight on the service (someone else's deployment, before ours). */
export function waitForSettled(obs: ServiceObserver, deadlineAt: number): Promise<WaitEnd<Exclude<Settlement, { state: "in-progress" }>>> {
  return pollUntil(obs, deadlineAt, (service) => {
    const s = serviceSettlement(service);
    if (s.state === "in-progress") return { following: s.primary };
    return { done: s, following: "primary" in s ? s.primary : undefined };
  });
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
    obs.emit({ type: "service-event", at: e.createdAt || iso(obs.clock), target: obs.target, message: e.message });
  }
}

function reportProgress(obs: ServiceObserver, service: LiveService, d: LiveDeployment | undefined): void {
  const running = d?.runningCount ?? service.runningCount;
  const pending = d?.pendingCount ?? service.pendingCount;
  const desired = d?.desiredCount ?? service.desiredCount;
  const rolloutState = d?.rolloutState;
  const message = `running ${running}/${desired}, pending ${pending}${rolloutState ? ` (${rolloutState})` : ""}${d && d.failedTasks > 0 ? `, ${d.failedTasks} failed` : ""}`;
  if (message === obs.lastProgress) return;
  obs.lastProgress = message;
  obs.emit({ type: "progress", at: iso(obs.clock), target: obs.target, message, running, pending, desired, rolloutState });
}

function iso(clock: Clock): string {
  return new Date(clock.now()).toISOString();
}
