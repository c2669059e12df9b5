// ECS rollouts over time. State advances lazily from the request clock (Date.now at each call):
// a healthy PRIMARY deployment starts its tasks and drains the old ones over `deploymentSeconds`,
// then turns COMPLETED and the old deployments disappear. Tasks of an unhealthy deployment (bad
// image, image that cannot be pulled, SANDBOX_CRASH=1) never get healthy: with the circuit breaker
// the deployment turns FAILED once the failed-task threshold is reached (and ECS-style rollback
// starts a new PRIMARY on the previous task definition); without it, it stays IN_PROGRESS forever.
// One unref'd timer fires only at the next settle time, so settle listeners hear about it on time.
import { randomBytes, randomUUID } from "node:crypto";
import type { Deployment, DeploymentHealth, EcsService, World } from "./world.js";

export interface DeploymentSettledEvent {
  account: string;
  region: string;
  cluster: string;
  service: string;
  deploymentId: string;
  rolloutState: string;
  at: number;
}

export interface StartDeploymentOptions {
  health: DeploymentHealth;
  failureReason?: string;
  createdBy?: string;
}

function newDeploymentId(): string {
  const n = BigInt(`0x${randomBytes(8).toString("hex")}`) % 10n ** 19n;
  return `ecs-svc/${n.toString().padStart(19, "1")}`;
}

function taskIds(n: number): string {
  return Array.from({ length: Math.min(n, 5) }, () => randomBytes(16).toString("hex")).join(" ");
}

/** ECS circuit breaker threshold: half the desired count, at least 3, at most 200. */
export function failureThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desired * 0.5)));
}

interface Timing {
  startedAt: number;
  durationMs: number;
  /** events emitted for this deployment */
  startedEvent?: boolean;
}

export class Rollouts {
  private readonly timing = new WeakMap<Deployment, Timing>();
  private readonly inFlight = new Set<EcsService>();
  private readonly listeners = new Set<(e: DeploymentSettledEvent) => void>();
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly world: World) {}

  onSettled(cb: (e: DeploymentSettledEvent) => void): () => void {
    this.listeners.add(cb);
    return () => this.listeners.delete(cb);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** A deployment already finished before the sandbox started (fixture state). */
  seedStable(service: EcsService, taskDefinition: string, at: number): Deployment {
    const d: Deployment = {
      id: newDeploymentId(),
      status: "PRIMARY",
      taskDefinition,
      desiredCount: service.desiredCount,
      createdAt: at,
      updatedAt: at,
      rolloutState: "COMPLETED",
      rolloutStateReason: "ECS deployment completed.",
      health: "healthy",
      failedTasks: 0,
      runningAtDemotion: 0,
      runningCount: service.desiredCount,
      pendingCount: 0,
    };
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    service.deployments = [d];
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
    return d;
  }

  /** New PRIMARY deployment; the current ones become ACTIVE and drain while it rolls out. */
  start(service: EcsService, taskDefinition: string, now: number, opts: StartDeploymentOptions): Deployment {
    this.advance(service, now);
    for (const d of service.deployments) {
      if (d.status === "PRIMARY") {
        d.runningAtDemotion = this.runningNow(service, d, now);
        d.runningCount = d.runningAtDemotion;
        d.pendingCount = 0;
        d.status = "ACTIVE";
        d.updatedAt = now;
      }
    }
    const d: Deployment = {
      id: newDeploymentId(),
      status: "PRIMARY",
      taskDefinition,
      desiredCount: service.desiredCount,
      createdAt: now,
      updatedAt: now,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: "",
      health: opts.health,
      failureReason: opts.failureReason,
      failedTasks: 0,
      runningAtDemotion: 0,
      runningCount: 0,
      pendingCount: 0,
    };
    d.rolloutStateReason = `ECS deployment ${d.id} in progress.`;
    this.timing.set(d, { startedAt: now, durationMs: this.world.deploymentSeconds * 1000 });
    service.deployments.unshift(d);
    service.taskDefinition = taskDefinition;
    this.inFlight.add(service);
    this.schedule();
    return d;
  }

  /** Completes the PRIMARY deployment now (admin: a foreign deployment finishing). */
  complete(service: EcsService, now: number): void {
    this.advance(service, now);
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (primary && primary.rolloutState === "IN_PROGRESS") this.settleCompleted(service, primary, now);
  }

  /** Applies every transition due up to `now`, then refreshes the live counts. */
  advance(service: EcsService, now: number): void {
    let settled = false;
    for (let guard = 0; guard < 20; guard++) {
      const primary = service.deployments.find((d) => d.status === "PRIMARY");
      if (!primary || primary.rolloutState !== "IN_PROGRESS") break;
      const t = this.timing.get(primary);
      if (!t) break;
      if (!t.startedEvent && primary.health !== "manual" && now >= t.startedAt + t.durationMs / 2) {
        t.startedEvent = true;
        const at = t.startedAt + t.durationMs / 2;
        if (primary.health === "healthy") {
          this.event(service, at, `(service ${service.name}) has started ${primary.desiredCount} tasks: (task ${taskIds(primary.desiredCount)}).`);
        } else {
          this.event(service, at, `(service ${service.name}) has started 1 tasks: (task ${taskIds(1)}).`);
          this.event(service, at + 1, `(service ${service.name}) has stopped 1 running tasks: (task ${taskIds(1)}). Reason: ${primary.failureReason ?? "Essential container in task exited"}`);
        }
      }
      const settleAt = this.settleTime(service, primary);
      if (settleAt === undefined || settleAt > now) break;
      if (primary.health === "healthy") this.settleCompleted(service, primary, settleAt);
      else this.settleFailed(service, primary, settleAt);
      settled = true;
    }
    this.refreshCounts(service, now);
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (!primary || primary.rolloutState !== "IN_PROGRESS") this.inFlight.delete(service);
    if (settled) this.schedule();
  }

  private settleTime(service: EcsService, d: Deployment): number | undefined {
    const t = this.timing.get(d);
    if (!t || d.rolloutState !== "IN_PROGRESS" || d.health === "manual") return undefined;
    if (d.health === "healthy") return t.startedAt + t.durationMs;
    return service.circuitBreaker.enable ? t.startedAt + t.durationMs : undefined;
  }

  private fraction(d: Deployment, now: number): number {
    const t = this.timing.get(d);
    if (!t) return 1;
    if (t.durationMs <= 0) return 1;
    return Math.max(0, Math.min(1, (now - t.startedAt) / t.durationMs));
  }

  private runningNow(service: EcsService, d: Deployment, now: number): number {
    this.refreshCounts(service, now);
    return d.runningCount;
  }

  private refreshCounts(service: EcsService, now: number): void {
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    let newRunning = 0;
    if (primary && primary.rolloutState === "IN_PROGRESS") {
      const f = this.fraction(primary, now);
      if (primary.health === "healthy" || primary.health === "manual") {
        newRunning = Math.min(primary.desiredCount, Math.floor(f * primary.desiredCount));
        primary.runningCount = newRunning;
        primary.pendingCount = now > primary.createdAt ? primary.desiredCount - newRunning : 0;
      } else {
        const t = this.timing.get(primary)!;
        const threshold = failureThreshold(primary.desiredCount);
        const elapsed = Math.max(0, now - t.startedAt);
        const failed = t.durationMs <= 0 ? threshold : Math.floor((elapsed / t.durationMs) * threshold);
        primary.failedTasks = service.circuitBreaker.enable ? Math.min(threshold, failed) : failed;
        primary.runningCount = 0;
        primary.pendingCount = primary.desiredCount;
      }
    } else if (primary && primary.rolloutState === "COMPLETED") {
      primary.runningCount = primary.desiredCount;
      primary.pendingCount = 0;
      newRunning = primary.desiredCount;
    }
    // Old deployments drain as the new tasks come up (minimum healthy 100%).
    let toDrain = primary && primary.rolloutState === "IN_PROGRESS" ? newRunning : 0;
    const active = service.deployments.filter((d) => d.status === "ACTIVE");
    for (const d of [...active].reverse()) {
      const drained = Math.min(d.runningAtDemotion, toDrain);
      toDrain -= drained;
      d.runningCount = d.rolloutState === "FAILED" ? 0 : d.runningAtDemotion - drained;
      d.pendingCount = 0;
    }
  }

  private settleCompleted(service: EcsService, d: Deployment, at: number): void {
    const stopped = service.deployments.filter((x) => x.status === "ACTIVE").reduce((n, x) => n + x.runningCount, 0);
    d.rolloutState = "COMPLETED";
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.runningCount = d.desiredCount;
    d.pendingCount = 0;
    d.updatedAt = at;
    service.deployments = service.deployments.filter((x) => x === d);
    const t = this.timing.get(d);
    if (t && !t.startedEvent) {
      t.startedEvent = true;
      this.event(service, at, `(service ${service.name}) has started ${d.desiredCount} tasks: (task ${taskIds(d.desiredCount)}).`);
    }
    if (stopped > 0) this.event(service, at, `(service ${service.name}) has stopped ${stopped} running tasks: (task ${taskIds(stopped)}).`);
    this.event(service, at, `(service ${service.name}) (deployment ${d.id}) deployment completed.`);
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
    this.emit(service, d, at);
  }

  private settleFailed(service: EcsService, d: Deployment, at: number): void {
    d.rolloutState = "FAILED";
    d.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
    d.failedTasks = failureThreshold(d.desiredCount);
    d.runningCount = 0;
    d.pendingCount = 0;
    d.updatedAt = at;
    this.event(service, at, `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    this.emit(service, d, at);
    if (!service.circuitBreaker.rollback) return;
    const target =
      service.deployments.find((x) => x.status === "ACTIVE" && x.rolloutState === "COMPLETED") ??
      service.deployments.find((x) => x.status === "ACTIVE" && x.health === "healthy");
    if (!target) return;
    d.status = "ACTIVE";
    const r: Deployment = {
      id: newDeploymentId(),
      status: "PRIMARY",
      taskDefinition: target.taskDefinition,
      desiredCount: service.desiredCount,
      createdAt: at,
      updatedAt: at,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`,
      health: "healthy",
      failedTasks: 0,
      runningAtDemotion: 0,
      runningCount: 0,
      pendingCount: 0,
      rollbackOf: target.id,
    };
    this.timing.set(r, { startedAt: at, durationMs: this.world.deploymentSeconds * 1000 });
    service.deployments.unshift(r);
    service.taskDefinition = target.taskDefinition;
    this.event(service, at, `(service ${service.name}) rolling back to deployment ${target.id}.`);
    this.inFlight.add(service);
  }

  private event(service: EcsService, at: number, message: string): void {
    service.events.push({ id: randomUUID(), createdAt: at, message });
    if (service.events.length > 100) service.events.splice(0, service.events.length - 100);
  }

  private emit(service: EcsService, d: Deployment, at: number): void {
    const e: DeploymentSettledEvent = {
      account: service.account,
      region: service.region,
      cluster: service.clusterName,
      service: service.name,
      deploymentId: d.id,
      rolloutState: d.rolloutState,
      at,
    };
    for (const cb of this.listeners) {
      try {
        cb(e);
      } catch {
        // a listener's failure is not the sandbox's
      }
    }
  }

  /** Arms one timer for the earliest pending settle time (none when idle). */
  schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const s of this.inFlight) {
      const primary = s.deployments.find((d) => d.status === "PRIMARY");
      const at = primary ? this.settleTime(s, primary) : undefined;
      if (at !== undefined) next = Math.min(next, at);
    }
    if (next === Infinity) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const now = Date.now();
      for (const s of [...this.inFlight]) this.advance(s, now);
      this.schedule();
    }, Math.max(0, next - Date.now()) + 1);
    this.timer.unref();
  }
}
