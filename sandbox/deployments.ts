// ECS rollouts over time. State advances lazily from the request clock (Date.now at each call).
//
// ROLLING (the rolling update, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-ecs.html):
// a healthy PRIMARY deployment starts its tasks and drains the old ones over `deploymentSeconds`,
// then turns COMPLETED and the old deployments disappear. Tasks of an unhealthy deployment (bad
// image, image that cannot be pulled, SANDBOX_CRASH=1) never get healthy: with the circuit breaker
// the deployment turns FAILED once the failed-task threshold is reached; without it, it stays
// IN_PROGRESS forever. Tasks of an image that trips alarms run, but the service's CloudWatch
// deployment alarms go into ALARM and the deployment turns FAILED
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-alarm-failure.html).
// With the failing mechanism's `rollback`, ECS starts a new PRIMARY on the last COMPLETED task
// definition; without it the FAILED deployment stays PRIMARY (0 tasks) next to the old one.
//
// BLUE_GREEN, LINEAR, CANARY (ECS-native, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/deployment-type-blue-green.html):
// see native-deployments.ts.
//
// Every deployment is also a service deployment with a target service revision
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html): IN_PROGRESS,
// then SUCCESSFUL; when ECS rolls a failure back, ROLLBACK_IN_PROGRESS then ROLLBACK_SUCCESSFUL (or
// ROLLBACK_FAILED); when it fails without rollback, STOPPED (API_ServiceDeployment, stoppedAt: "The
// rollback option is not in use for the failure detection mechanism ... and the service fails").
// One unref'd timer fires only at the next settle time, so settle listeners hear about it on time.
import { randomBytes, randomUUID } from "node:crypto";
import { snapshotConfig } from "./deployment-config.js";
import { nativeTimeline, NATIVE_ROLLBACK_FRACTION } from "./native-deployments.js";
import type { Deployment, DeploymentHealth, EcsService, FailureCause, ServiceDeploymentRecord, ServiceRevision, World } from "./world.js";

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
  /** Its tasks run, but trip the service's deployment alarms. */
  tripsAlarms?: boolean;
  createdBy?: string;
}

function newDeploymentId(): string {
  const n = BigInt(`0x${randomBytes(8).toString("hex")}`) % 10n ** 19n;
  return `ecs-svc/${n.toString().padStart(19, "1")}`;
}

const ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
/** Like `ejGvqq2ilnbKT9qj0vLJe` in the AWS CLI's describe-service-deployments example. */
function serviceDeploymentId(): string {
  return Array.from(randomBytes(21), (b) => ID_ALPHABET[b % ID_ALPHABET.length]).join("");
}

/** Like `1485800978477494678` in the AWS CLI's describe-service-revisions example. */
function serviceRevisionId(): string {
  const n = BigInt(`0x${randomBytes(8).toString("hex")}`) % 10n ** 19n;
  return n.toString().padStart(19, "1");
}

function taskIds(n: number): string {
  return Array.from({ length: Math.min(n, 5) }, () => randomBytes(16).toString("hex")).join(" ");
}

/** ECS circuit breaker threshold: half the desired count, at least 3, at most 200. */
export function failureThreshold(desired: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desired * 0.5)));
}

/** Service deployment states that are still ongoing (service-deployment.html, "Ongoing"/"Pending"). */
export const ONGOING_STATUSES = new Set(["PENDING", "IN_PROGRESS", "STOP_REQUESTED", "ROLLBACK_REQUESTED", "ROLLBACK_IN_PROGRESS"]);

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

  // ---------- service deployments and revisions ----------

  private newRevision(service: EcsService, taskDefinition: string, at: number): ServiceRevision {
    const rev: ServiceRevision = {
      arn: `arn:aws:ecs:${service.region}:${service.account}:service-revision/${service.clusterName}/${service.name}/${serviceRevisionId()}`,
      taskDefinition,
      createdAt: at,
    };
    if (service.serviceConnectConfiguration) rev.serviceConnectConfiguration = structuredClone(service.serviceConnectConfiguration);
    service.revisions.push(rev);
    return rev;
  }

  private newRecord(service: EcsService, target: ServiceRevision, at: number): ServiceDeploymentRecord {
    const sources = [...new Set(service.deployments.map((d) => d.revisionArn))];
    const rec: ServiceDeploymentRecord = {
      arn: `arn:aws:ecs:${service.region}:${service.account}:service-deployment/${service.clusterName}/${service.name}/${serviceDeploymentId()}`,
      createdAt: at,
      startedAt: at,
      updatedAt: at,
      status: "IN_PROGRESS",
      sourceRevisionArns: sources,
      targetRevisionArn: target.arn,
      config: snapshotConfig(service),
      failedTasks: 0,
    };
    service.serviceDeployments.push(rec);
    service.currentServiceDeployment = rec.arn;
    return rec;
  }

  record(service: EcsService, arn: string): ServiceDeploymentRecord | undefined {
    return service.serviceDeployments.find((r) => r.arn === arn);
  }

  private setStatus(
    rec: ServiceDeploymentRecord | undefined,
    status: ServiceDeploymentRecord["status"],
    at: number,
    reason?: string,
  ): void {
    if (!rec) return;
    rec.status = status;
    rec.updatedAt = at;
    if (reason !== undefined) rec.statusReason = reason;
    if (status === "SUCCESSFUL" || status === "ROLLBACK_SUCCESSFUL" || status === "ROLLBACK_FAILED") rec.finishedAt = at;
    if (status === "STOPPED") {
      rec.stoppedAt = at;
      rec.finishedAt = at;
    }
  }

  /** A deployment already finished before the sandbox started (fixture state). */
  seedStable(service: EcsService, taskDefinition: string, at: number): Deployment {
    const rev = this.newRevision(service, taskDefinition, at);
    service.deployments = [];
    const rec = this.newRecord(service, rev, at);
    this.setStatus(rec, "SUCCESSFUL", at);
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
      revisionArn: rev.arn,
      serviceDeploymentArn: rec.arn,
    };
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    service.deployments = [d];
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
    return d;
  }

  /** New PRIMARY deployment; the current ones become ACTIVE (drained, or for blue/green kept until clean-up). */
  start(service: EcsService, taskDefinition: string, now: number, opts: StartDeploymentOptions): Deployment {
    this.advance(service, now);
    // A newer service deployment replaces one still going on. The reference does not say what
    // becomes of the older one; modelled as STOPPED (never SUCCESSFUL), the stricter reading.
    for (const r of service.serviceDeployments) {
      if (ONGOING_STATUSES.has(r.status)) this.setStatus(r, "STOPPED", now, "Stopped: a newer service deployment replaced it.");
    }
    for (const d of service.deployments) {
      if (d.status === "PRIMARY") {
        d.runningAtDemotion = this.runningNow(service, d, now);
        d.runningCount = d.runningAtDemotion;
        d.pendingCount = 0;
        d.status = "ACTIVE";
        d.updatedAt = now;
      }
      if (d.native) d.native.doneAt = Infinity;
    }
    const rev = this.newRevision(service, taskDefinition, now);
    const rec = this.newRecord(service, rev, now);
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
      revisionArn: rev.arn,
      serviceDeploymentArn: rec.arn,
    };
    if (opts.tripsAlarms) d.tripsAlarms = true;
    d.rolloutStateReason = `ECS deployment ${d.id} in progress.`;
    const durationMs = this.world.deploymentSeconds * 1000;
    this.timing.set(d, { startedAt: now, durationMs });
    if (service.strategy !== "ROLLING") {
      d.native = nativeTimeline(rec.config, now, durationMs, this.world.minuteSeconds * 1000, opts.health, Boolean(opts.tripsAlarms));
      rec.lifecycleStage = d.native.phases[0]?.stage;
    }
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
    if (!primary || primary.rolloutState !== "IN_PROGRESS") return;
    if (primary.native) {
      primary.native.doneAt = now;
      this.advance(service, now);
    } else {
      this.settleCompleted(service, primary, now);
    }
  }

  /**
   * StopServiceDeployment with stopType ROLLBACK: "rolls back the service deployment to the
   * previous service revision" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/stop-service-deployment.html).
   * PENDING / IN_PROGRESS move to ROLLBACK_REQUESTED and the rollback starts; a deployment already
   * stopping or rolling back continues. Returns false when the deployment is not ongoing.
   */
  requestRollback(service: EcsService, rec: ServiceDeploymentRecord, now: number): boolean {
    this.advance(service, now);
    if (rec.status === "STOP_REQUESTED" || rec.status === "ROLLBACK_REQUESTED" || rec.status === "ROLLBACK_IN_PROGRESS") return true;
    if (rec.status !== "PENDING" && rec.status !== "IN_PROGRESS") return false;
    const d = service.deployments.find((x) => x.serviceDeploymentArn === rec.arn && x.status === "PRIMARY");
    if (!d) return false;
    const reason = "Service deployment rolled back because of a stop request.";
    if (d.native) {
      const t = d.native;
      t.rollbackAt = now;
      t.rollbackDoneAt = now + this.world.deploymentSeconds * 1000 * NATIVE_ROLLBACK_FRACTION;
      const source = service.deployments.find((x) => x.status === "ACTIVE");
      rec.rollback = {
        reason,
        startedAt: now,
        serviceRevisionArn: source?.revisionArn ?? rec.sourceRevisionArns[0] ?? rec.targetRevisionArn,
      };
      this.setStatus(rec, "ROLLBACK_REQUESTED", now, reason);
      this.event(
        service,
        now,
        `(service ${service.name}) (deployment ${d.id}) deployment stopped: rolling back to the previous service revision.`,
      );
      this.inFlight.add(service);
      this.schedule();
      return true;
    }
    const target =
      service.deployments.find((x) => x.status === "ACTIVE" && x.rolloutState === "COMPLETED") ??
      service.deployments.find((x) => x.status === "ACTIVE");
    if (!target) return false;
    d.status = "ACTIVE";
    d.runningAtDemotion = this.runningNow(service, d, now);
    this.setStatus(rec, "ROLLBACK_REQUESTED", now, reason);
    rec.rollback = { reason, startedAt: now, serviceRevisionArn: target.revisionArn };
    this.startRollbackDeployment(service, target, rec, now, `ECS deployment ${d.id} stopped: rolling back to deploymentId ${target.id}.`);
    this.setStatus(rec, "ROLLBACK_IN_PROGRESS", now);
    return true;
  }

  /** Applies every transition due up to `now`, then refreshes the live counts. */
  advance(service: EcsService, now: number): void {
    let settled = false;
    for (let guard = 0; guard < 20; guard++) {
      const primary = service.deployments.find((d) => d.status === "PRIMARY");
      if (!primary || primary.rolloutState !== "IN_PROGRESS") break;
      if (primary.native) {
        if (this.advanceNative(service, primary, now)) {
          settled = true;
          continue;
        }
        break;
      }
      const t = this.timing.get(primary);
      if (!t) break;
      if (!t.startedEvent && primary.health !== "manual" && now >= t.startedAt + t.durationMs / 2) {
        t.startedEvent = true;
        const at = t.startedAt + t.durationMs / 2;
        if (primary.health === "healthy") {
          this.event(
            service,
            at,
            `(service ${service.name}) has started ${primary.desiredCount} tasks: (task ${taskIds(primary.desiredCount)}).`,
          );
        } else {
          this.event(service, at, `(service ${service.name}) has started 1 tasks: (task ${taskIds(1)}).`);
          this.event(
            service,
            at + 1,
            `(service ${service.name}) has stopped 1 running tasks: (task ${taskIds(1)}). Reason: ${primary.failureReason ?? "Essential container in task exited"}`,
          );
        }
      }
      const settle = this.settleTime(service, primary);
      if (settle === undefined || settle.at > now) break;
      if (settle.kind === "completed") this.settleCompleted(service, primary, settle.at);
      else this.settleFailed(service, primary, settle.at, settle.cause);
      settled = true;
    }
    this.refreshCounts(service, now);
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (!primary || primary.rolloutState !== "IN_PROGRESS") this.inFlight.delete(service);
    if (settled) this.schedule();
  }

  /** When the rolling deployment settles and how (undefined: not by itself). */
  private settleTime(
    service: EcsService,
    d: Deployment,
  ): { at: number; kind: "completed" } | { at: number; kind: "failed"; cause: FailureCause } | undefined {
    const t = this.timing.get(d);
    if (!t || d.rolloutState !== "IN_PROGRESS" || d.health === "manual") return undefined;
    if (d.health === "healthy") {
      // The alarms go into ALARM once the new tasks take traffic, before the deployment completes.
      const alarms = this.alarmsOf(service, d);
      if (d.tripsAlarms && alarms.length > 0 && !d.rollbackOf) {
        return {
          at: t.startedAt + t.durationMs * 0.75,
          kind: "failed",
          cause: { by: "alarm", reason: `CloudWatch alarm(s) ${alarms.join(", ")} in ALARM state`, alarms },
        };
      }
      return { at: t.startedAt + t.durationMs, kind: "completed" };
    }
    return service.circuitBreaker.enable
      ? { at: t.startedAt + t.durationMs, kind: "failed", cause: { by: "circuit-breaker", reason: "tasks failed to start" } }
      : undefined;
  }

  /** The deployment alarms of the service deployment `d` belongs to, when alarm monitoring is on. */
  private alarmsOf(service: EcsService, d: Deployment): string[] {
    const cfg = this.record(service, d.serviceDeploymentArn)?.config.alarms ?? service.alarms;
    return cfg.enable ? cfg.alarmNames : [];
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
    if (primary?.native) {
      this.refreshNativeCounts(service, primary, now);
      return;
    }
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
    const rec = primary ? this.record(service, primary.serviceDeploymentArn) : undefined;
    if (rec && primary && rec.status === "IN_PROGRESS") rec.failedTasks = primary.failedTasks;
  }

  private settleCompleted(service: EcsService, d: Deployment, at: number): void {
    const stopped = service.deployments.filter((x) => x.status === "ACTIVE").reduce((n, x) => n + x.runningCount, 0);
    d.rolloutState = "COMPLETED";
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.runningCount = d.desiredCount;
    d.pendingCount = 0;
    d.updatedAt = at;
    service.deployments = service.deployments.filter((x) => x === d);
    const rec = this.record(service, d.serviceDeploymentArn);
    if (rec && ONGOING_STATUSES.has(rec.status)) this.setStatus(rec, d.rollbackOf ? "ROLLBACK_SUCCESSFUL" : "SUCCESSFUL", at);
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

  private settleFailed(service: EcsService, d: Deployment, at: number, cause: FailureCause): void {
    d.rolloutState = "FAILED";
    d.updatedAt = at;
    d.runningCount = 0;
    d.pendingCount = 0;
    const rec = this.record(service, d.serviceDeploymentArn);
    if (cause.by === "alarm") {
      // The reference does not give the reason text of an alarm failure; this one names the alarms.
      // (deployer reads the alarm names from DescribeServiceDeployments, never from this text.)
      d.rolloutStateReason = `ECS deployment ${d.id} failed: ${cause.reason}.`;
      this.event(
        service,
        at,
        `(service ${service.name}) (deployment ${d.id}) deployment failed: alarm(s) ${(cause.alarms ?? []).join(", ")} in ALARM state.`,
      );
    } else {
      d.rolloutStateReason = "ECS deployment circuit breaker: tasks failed to start.";
      d.failedTasks = failureThreshold(d.desiredCount);
      this.event(service, at, `(service ${service.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    }
    this.emit(service, d, at);
    if (d.rollbackOf) {
      // ECS's own rollback failed too.
      if (rec) this.setStatus(rec, "ROLLBACK_FAILED", at, `The rollback failed: ${cause.reason}.`);
      return;
    }
    if (rec) {
      rec.cause = cause;
      if (cause.by === "circuit-breaker") rec.failedTasks = d.failedTasks;
    }
    const config = rec?.config ?? { circuitBreaker: service.circuitBreaker, alarms: service.alarms };
    const rollback = cause.by === "alarm" ? config.alarms.rollback : config.circuitBreaker.rollback;
    const target =
      service.deployments.find((x) => x.status === "ACTIVE" && x.rolloutState === "COMPLETED") ??
      service.deployments.find((x) => x.status === "ACTIVE" && x.health === "healthy");
    if (!rollback || !target) {
      this.setStatus(
        rec,
        "STOPPED",
        at,
        `${cause.by === "alarm" ? "The deployment alarms" : "The deployment circuit breaker"} detected a failure: ${cause.reason}.`,
      );
      return;
    }
    d.status = "ACTIVE";
    const why =
      cause.by === "alarm"
        ? `ECS deployment alarms: rolling back to deploymentId ${target.id}.`
        : `ECS deployment circuit breaker: rolling back to deploymentId ${target.id}.`;
    if (rec) {
      rec.rollback = {
        reason: `${cause.by === "alarm" ? "The deployment alarms" : "The deployment circuit breaker"} detected a failure: ${cause.reason}.`,
        startedAt: at,
        serviceRevisionArn: target.revisionArn,
      };
      this.setStatus(rec, "ROLLBACK_IN_PROGRESS", at, rec.rollback.reason);
    }
    if (rec) this.startRollbackDeployment(service, target, rec, at, why);
  }

  /** ECS's rollback deployment: a new PRIMARY on `target`'s task definition, within the failed service deployment. */
  private startRollbackDeployment(service: EcsService, target: Deployment, rec: ServiceDeploymentRecord, at: number, reason: string): void {
    const r: Deployment = {
      id: newDeploymentId(),
      status: "PRIMARY",
      taskDefinition: target.taskDefinition,
      desiredCount: service.desiredCount,
      createdAt: at,
      updatedAt: at,
      rolloutState: "IN_PROGRESS",
      rolloutStateReason: reason,
      health: "healthy",
      failedTasks: 0,
      runningAtDemotion: 0,
      runningCount: 0,
      pendingCount: 0,
      rollbackOf: target.id,
      revisionArn: target.revisionArn,
      serviceDeploymentArn: rec.arn,
    };
    this.timing.set(r, { startedAt: at, durationMs: this.world.deploymentSeconds * 1000 });
    service.deployments.unshift(r);
    service.taskDefinition = target.taskDefinition;
    this.event(service, at, `(service ${service.name}) rolling back to deployment ${target.id}.`);
    this.inFlight.add(service);
  }

  // ---------- BLUE_GREEN / LINEAR / CANARY ----------

  /** One transition of a native deployment, if one is due. True when something settled. */
  private advanceNative(service: EcsService, d: Deployment, now: number): boolean {
    const tl = d.native!;
    const rec = this.record(service, d.serviceDeploymentArn);
    if (tl.rollbackAt !== undefined && tl.rollbackDoneAt !== undefined) {
      if (now >= tl.rollbackDoneAt) {
        this.finishNativeRollback(service, d, tl.rollbackDoneAt);
        return true;
      }
      if (rec && now > tl.rollbackAt && rec.status === "ROLLBACK_REQUESTED") this.setStatus(rec, "ROLLBACK_IN_PROGRESS", now);
      return false;
    }
    if (tl.failAt !== undefined && tl.failCause && now >= tl.failAt && tl.failAt < tl.doneAt) {
      const cause = tl.failCause;
      const at = tl.failAt;
      d.rolloutState = "FAILED";
      d.updatedAt = at;
      if (rec) {
        rec.cause = cause;
        if (cause.by === "circuit-breaker") rec.failedTasks = failureThreshold(d.desiredCount);
      }
      this.event(
        service,
        at,
        `(service ${service.name}) (deployment ${d.id}) deployment failed: ${cause.by === "alarm" ? `alarm(s) ${(cause.alarms ?? []).join(", ")} in ALARM state` : "tasks failed to start"}.`,
      );
      const config = rec?.config ?? { circuitBreaker: service.circuitBreaker, alarms: service.alarms };
      const rollback = cause.by === "alarm" ? config.alarms.rollback : config.circuitBreaker.rollback;
      if (!rollback) {
        this.setStatus(
          rec,
          "STOPPED",
          at,
          `${cause.by === "alarm" ? "The deployment alarms" : "The deployment circuit breaker"} detected a failure: ${cause.reason}.`,
        );
        this.emit(service, d, at);
        return true;
      }
      d.rolloutState = "IN_PROGRESS"; // the blue revision takes the traffic back; see finishNativeRollback
      tl.rollbackAt = at;
      tl.rollbackDoneAt = at + this.world.deploymentSeconds * 1000 * NATIVE_ROLLBACK_FRACTION;
      const source = service.deployments.find((x) => x.status === "ACTIVE");
      if (rec) {
        rec.rollback = {
          reason: `${cause.by === "alarm" ? "The deployment alarms" : "The deployment circuit breaker"} detected a failure: ${cause.reason}.`,
          startedAt: at,
          serviceRevisionArn: source?.revisionArn ?? rec.sourceRevisionArns[0] ?? rec.targetRevisionArn,
        };
        this.setStatus(rec, "ROLLBACK_IN_PROGRESS", at, rec.rollback.reason);
      }
      if (source) this.event(service, at, `(service ${service.name}) rolling back to deployment ${source.id}.`);
      return true;
    }
    if (now >= tl.doneAt) {
      this.finishNative(service, d, tl.doneAt);
      return true;
    }
    const phase = [...tl.phases].reverse().find((p) => p.at <= now);
    if (rec && phase) rec.lifecycleStage = phase.stage;
    return false;
  }

  private finishNative(service: EcsService, d: Deployment, at: number): void {
    const stopped = service.deployments.filter((x) => x !== d).reduce((n, x) => n + x.runningCount, 0);
    d.rolloutState = "COMPLETED";
    d.rolloutStateReason = `ECS deployment ${d.id} completed.`;
    d.runningCount = d.desiredCount;
    d.pendingCount = 0;
    d.updatedAt = at;
    service.deployments = [d];
    const rec = this.record(service, d.serviceDeploymentArn);
    if (rec) {
      rec.lifecycleStage = "CLEAN_UP";
      this.setStatus(rec, "SUCCESSFUL", at);
    }
    this.event(service, at, `(service ${service.name}) has started ${d.desiredCount} tasks: (task ${taskIds(d.desiredCount)}).`);
    if (stopped > 0) this.event(service, at, `(service ${service.name}) has stopped ${stopped} running tasks: (task ${taskIds(stopped)}).`);
    this.event(service, at, `(service ${service.name}) (deployment ${d.id}) deployment completed.`);
    this.event(service, at, `(service ${service.name}) has reached a steady state.`);
    this.emit(service, d, at);
  }

  /** The blue revision serves again alone; the green one is gone. */
  private finishNativeRollback(service: EcsService, green: Deployment, at: number): void {
    const blue = service.deployments.find((x) => x.status === "ACTIVE" && x !== green);
    const rec = this.record(service, green.serviceDeploymentArn);
    green.rolloutState = "FAILED";
    if (blue) {
      blue.status = "PRIMARY";
      blue.rolloutState = "COMPLETED";
      blue.runningCount = blue.runningAtDemotion;
      blue.pendingCount = 0;
      blue.updatedAt = at;
      service.deployments = [blue];
      service.taskDefinition = blue.taskDefinition;
      this.setStatus(rec, "ROLLBACK_SUCCESSFUL", at);
      this.event(service, at, `(service ${service.name}) (deployment ${blue.id}) deployment completed.`);
      this.event(service, at, `(service ${service.name}) has reached a steady state.`);
      this.emit(service, blue, at);
    } else {
      this.setStatus(rec, "ROLLBACK_FAILED", at, "There is no previous service revision to roll back to.");
      this.emit(service, green, at);
    }
  }

  private refreshNativeCounts(service: EcsService, green: Deployment, now: number): void {
    const tl = green.native!;
    const scaleUp = tl.phases.find((p) => p.stage === "SCALE_UP");
    if (green.rolloutState === "IN_PROGRESS" && tl.rollbackAt === undefined) {
      if (green.health === "healthy" || green.health === "manual") {
        const d = this.world.deploymentSeconds * 1000;
        const f = !scaleUp || d <= 0 ? 1 : Math.max(0, Math.min(1, (now - scaleUp.at) / d));
        green.runningCount = Math.min(green.desiredCount, Math.floor(f * green.desiredCount));
        green.pendingCount = green.desiredCount - green.runningCount;
      } else {
        const d = this.world.deploymentSeconds * 1000;
        const threshold = failureThreshold(green.desiredCount);
        const elapsed = scaleUp ? Math.max(0, now - scaleUp.at) : 0;
        const failed = d <= 0 ? threshold : Math.floor((elapsed / d) * threshold);
        green.failedTasks = service.circuitBreaker.enable ? Math.min(threshold, failed) : failed;
        green.runningCount = 0;
        green.pendingCount = green.desiredCount;
      }
    }
    // Blue keeps all its tasks until clean-up (or takes the traffic back on rollback).
    for (const b of service.deployments.filter((x) => x.status === "ACTIVE")) {
      b.runningCount = b.runningAtDemotion;
      b.pendingCount = 0;
    }
    const rec = this.record(service, green.serviceDeploymentArn);
    if (rec && rec.status === "IN_PROGRESS") rec.failedTasks = green.failedTasks;
  }

  // ---------- events and timers ----------

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

  /** The next time something settles on this service by itself. */
  private nextSettle(service: EcsService): number | undefined {
    const primary = service.deployments.find((d) => d.status === "PRIMARY");
    if (!primary || primary.rolloutState !== "IN_PROGRESS") return undefined;
    if (primary.native) {
      const t = primary.native;
      const times = [t.rollbackDoneAt, t.rollbackAt === undefined ? t.failAt : undefined, t.doneAt].filter(
        (x): x is number => x !== undefined && Number.isFinite(x),
      );
      return times.length ? Math.min(...times) : undefined;
    }
    return this.settleTime(service, primary)?.at;
  }

  /** Arms one timer for the earliest pending settle time (none when idle). */
  schedule(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    let next = Infinity;
    for (const s of this.inFlight) {
      const at = this.nextSettle(s);
      if (at !== undefined) next = Math.min(next, at);
    }
    if (next === Infinity) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        const now = Date.now();
        for (const s of [...this.inFlight]) this.advance(s, now);
        this.schedule();
      },
      Math.max(0, next - Date.now()) + 1,
    );
    this.timer.unref();
  }
}
