// One target's rollout: execute the plan's steps for it (wait for someone else's deployment,
// register or reuse the task definition, re-read the service and update it, wait for this
// deployment), and when it fails, see to the rollback. The rules:
//  - Never roll back on a read failure: when the service cannot be read (expired credentials,
//    throttling past retries, network), the target ends `unknown`, nothing more is written to it.
//  - Roll back only to a known-good revision (the plan's `rollbackTo`): when there is none, say so
//    and name `deployer rollback --to`. An INACTIVE one is registered again as an identical copy.
//  - When ECS rolls back by itself (circuit breaker or CloudWatch alarms with rollback), wait for it.
//  - BLUE_GREEN / LINEAR / CANARY deployments are followed through the service deployment until
//    SUCCESSFUL or rolled back, bake time included, and rolled back with StopServiceDeployment.
//  - Right before every UpdateService the service is read again: if it moved since preflight,
//    someone else is deploying it; deployer waits (--wait-for-in-progress) or stops.
// Ctrl-C stops the waits at once and reports how far the target got.
import type { LiveService, ServiceDeploymentInfo, TargetSession } from "../aws/ports.js";
import { DeployerError, toErrorInfo, type ErrorInfo, errorMessage } from "../errors.js";
import type { Step, TargetPlan } from "../plan/types.js";
import type { RollbackResult, RunEvent, RunEventSink, TargetOutcome, TargetResult } from "./types.js";
import { isoAt, type Clock } from "./clock.js";
import { awsError, callAws, CallAborted, type AwsCallContext } from "./aws-call.js";
import {
  describeTrigger,
  failureTrigger,
  isNativeStrategy,
  isSettled,
  primaryDeployment,
  serviceDeploymentId,
  serviceState,
  type DeploymentRef,
  type FailureTrigger,
  type ServiceState,
} from "../ecs/deployment-state.js";
import {
  seedEvents,
  waitForDeployment,
  waitForEcsRollback,
  waitForServiceDeployment,
  waitForSettled,
  type ServiceObserver,
} from "./deployment-waiter.js";
import type { ServicePoller } from "./service-poller.js";
import { taskDefinitionName, ecsServiceArn, regionalArn } from "../config/aws-names.js";
import { registeredInput } from "../ecs/registered-input.js";
import { copyTags } from "../ecs/tags.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";

export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** How long to wait for ECS to start its own rollback (circuit breaker, alarms) before deployer rolls back itself. */
export const ECS_ROLLBACK_GRACE_MS = 60_000;

/** The read right before an UpdateService: tries (the SDK retries each) and the pause between them. */
export const GUARD_READ_ATTEMPTS = 3;
export const GUARD_READ_BACKOFF_MS = 2_000;

export interface TargetRolloutDeps {
  plan: TargetPlan;
  session: TargetSession;
  clock: Clock;
  poller: ServicePoller;
  signal?: AbortSignal;
  emit: RunEventSink;
  /** How long reads may fail before the target's state is unknown (default READ_FAILURE_PATIENCE_MS). */
  readPatienceMs?: number;
}

type StepName = Step["kind"] | "rollback";

/** Thrown inside a rollout to end it: the target's outcome and error are decided. */
class TargetEnded extends Error {
  constructor(
    readonly outcome: TargetOutcome,
    readonly error: ErrorInfo | undefined,
    readonly rollback?: RollbackResult,
  ) {
    super(error?.message ?? outcome);
  }
}

export class TargetRollout {
  private readonly name: string;
  private readonly account: string;
  private readonly cluster: string;
  private readonly service: string;
  private readonly serviceResource: string;
  private readonly completed: StepName[] = [];
  private taskDefinitionArn?: string;
  private reused = false;
  private resumed = false;
  private deploymentId?: string;
  /** The service deployment UpdateService started (every strategy; BLUE_GREEN / LINEAR / CANARY are followed through it). */
  private serviceDeploymentArn?: string;
  private previousTaskDefinitionArn?: string;
  /** Where a failure rolls back to: a revision known to have run healthy (never an unproven one). */
  private rollbackTo?: KnownGoodRevision;
  /** What the service looked like when planned (or after the deployment deployer waited for). */
  private baseline: { primaryId?: string; serviceDeploymentArn?: string };
  private native: boolean;
  private hookStages: string[] = [];
  private bakeMinutes = 0;
  /** The service points at our task definition (UpdateService succeeded and nothing reverted it). */
  private serviceUpdated = false;
  /** A write whose answer we stopped waiting for (Ctrl-C), e.g. `ecs:RegisterTaskDefinition`. */
  private unansweredCall?: string;
  private observer?: ServiceObserver;
  private startedAt?: number;
  private result?: TargetResult;

  constructor(private readonly deps: TargetRolloutDeps) {
    const t = deps.plan.target;
    this.name = t.name;
    this.account = t.account;
    this.cluster = t.cluster;
    this.service = t.service;
    this.serviceResource = ecsServiceArn(t);
    this.previousTaskDefinitionArn = deps.plan.live?.taskDefinitionArn;
    if (deps.plan.rollbackTo) this.rollbackTo = { ...deps.plan.rollbackTo };
    this.baseline = { primaryId: deps.plan.live?.primaryDeploymentId, serviceDeploymentArn: deps.plan.live?.serviceDeploymentArn };
    this.native = (deps.plan.live?.strategy ?? "ROLLING") !== "ROLLING";
  }

  /** True when the service runs (or is deploying) deployer's new task definition. */
  get updated(): boolean {
    return this.serviceUpdated;
  }

  /** Execute the target's steps. Never throws: every failure ends up in the result. */
  async run(): Promise<TargetResult> {
    const { plan, clock } = this.deps;
    this.startedAt = clock.now();
    this.emit({ type: "target-start", at: this.iso(), target: this.name });
    let ended: TargetEnded;
    try {
      for (const step of plan.steps) {
        if (this.deps.signal?.aborted) throw this.interrupted();
        await this.execute(step);
      }
      ended = new TargetEnded("deployed", undefined);
    } catch (e) {
      ended = e instanceof TargetEnded ? e : new TargetEnded("failed", internalError(e, this.name, this.account));
    }
    return this.finish(ended.outcome, ended.error, ended.rollback);
  }

  /**
   * Put the known-good revision back (for `rollbackStage`: a sibling failed) and wait. Only
   * meaningful after `run()` deployed.
   */
  async revert(reason: string): Promise<TargetResult> {
    const before = this.result;
    if (!before || !this.serviceUpdated) throw new Error(`revert(${this.name}): target was not updated`);
    this.emit({ type: "target-start", at: this.iso(), target: this.name });
    const timeoutSeconds = this.timeoutOf("wait-stable");
    let rollback: RollbackResult;
    try {
      rollback = await this.rollBack(timeoutSeconds, reason);
    } catch (e) {
      if (!(e instanceof TargetEnded)) throw e;
      rollback = { by: "deployer", ok: false, ...(e.error ? { error: e.error } : {}) };
    }
    const outcome: TargetOutcome = rollback.ok ? "rolled-back" : "failed";
    const error: ErrorInfo | undefined = rollback.ok
      ? undefined
      : (rollback.error ?? {
          code: "ROLLBACK_FAILED",
          message: `rollback of ${this.name} failed`,
          target: this.name,
          account: this.account,
        });
    return this.finish(outcome, error, rollback);
  }

  private async execute(step: Step): Promise<void> {
    switch (step.kind) {
      case "wait-foreign-deployment":
        return this.waitForeignDeployment(step.timeoutSeconds, "planned");
      case "register-task-definition":
        return this.register(step.tags);
      case "reuse-task-definition":
        return this.reuse(step.taskDefinitionArn);
      case "update-service":
        return this.updateService(step);
      case "wait-stable":
        return this.waitStable(step.timeoutSeconds);
      case "resume-wait":
        return this.resumeWait(step);
    }
  }

  // ---------- steps ----------

  /** Wait for a deployment someone else started to settle; it becomes the new baseline (and, when healthy, the rollback target). */
  private async waitForeignDeployment(timeoutSeconds: number, why: "planned" | "moved"): Promise<void> {
    const seconds = positive(timeoutSeconds);
    this.step(
      "wait-foreign-deployment",
      `waiting for the deployment ${why === "moved" ? "someone else started since preflight" : "already in progress"} on ${this.service} to finish (up to ${formatSeconds(seconds)})`,
    );
    const end = await waitForSettled(this.observe(), this.deps.clock.now() + seconds * 1000, (s) => this.currentServiceDeployment(s));
    if (end.kind === "aborted") throw this.interrupted();
    if (end.kind === "unreadable") throw this.unknown(end.error);
    if (end.kind === "timeout") {
      throw this.fail({
        code: "TIMEOUT",
        message: `the deployment already in progress on ${this.service} did not finish within ${formatSeconds(seconds)}; ${why === "planned" ? "deployer changed nothing" : "deployer did not update the service"}`,
        ...this.where("ecs:DescribeServices"),
        hint: "wait for it (or stop it) and run the command again, or raise --timeout",
      });
    }
    const s = end.value;
    if (s.kind === "missing" || s.kind === "inactive") throw this.fail(this.serviceGone(s.kind === "inactive" ? s.status : undefined));
    if (s.kind === "failed") {
      throw this.fail(
        {
          code: "DEPLOYMENT_FAILED",
          message: `the deployment already in progress on ${this.service}${s.deployment ? ` (${taskDefinitionName(s.deployment.taskDefinition)})` : ""} failed; deployer did not deploy over it and changed nothing`,
          ...this.where("ecs:DescribeServices"),
          awsCode: "FAILED",
          awsMessage: s.reason,
          hint: "find out why that deployment failed (service events, stopped tasks) and roll it back before deploying",
        },
        { by: "none", ok: false },
      );
    }
    if (!isSettled(s)) return;
    const service = end.service;
    this.baseline = { primaryId: s.primary?.id, serviceDeploymentArn: service?.currentServiceDeployment };
    const now = s.primary?.taskDefinition;
    if (now && (s.kind === "stable" || s.kind === "scaled-to-zero") && this.rollbackTo?.taskDefinitionArn !== now) {
      this.emit({
        type: "warning",
        at: this.iso(),
        target: this.name,
        message: `the finished deployment left ${taskDefinitionName(now)} running (the plan saw ${this.previousTaskDefinitionArn ? taskDefinitionName(this.previousTaskDefinitionArn) : "nothing"}); a rollback would restore ${taskDefinitionName(now)}`,
      });
      this.rollbackTo = {
        taskDefinitionArn: now,
        source: "steady-state",
        evidence: `${s.primary?.id ?? "its deployment"} COMPLETED before deployer's update`,
      };
    }
    if (now) this.previousTaskDefinitionArn = now;
    this.done(
      "wait-foreign-deployment",
      `the earlier deployment finished; ${now ? taskDefinitionName(now) : "the service"} is ${s.kind === "degraded" ? `degraded (${s.reason})` : "running"}`,
    );
  }

  private async register(tags: Record<string, string>): Promise<void> {
    const desired = this.deps.plan.desired;
    this.step("register-task-definition", `registering a new revision of ${desired.family}`);
    const live = await this.call(
      {
        action: "ecs:RegisterTaskDefinition",
        resource: regionalArn("ecs", this.deps.plan.target.region, this.account, `task-definition/${desired.family}`),
        hint: "check the task definition and that the deploy role may register it and pass its roles",
      },
      () => this.deps.session.ecs.registerTaskDefinition(desired, tags),
    );
    this.taskDefinitionArn = live.arn;
    this.done("register-task-definition", `registered ${taskDefinitionName(live.arn)}`);
  }

  private async reuse(arn: string): Promise<void> {
    this.taskDefinitionArn = arn;
    this.reused = true;
    this.done("reuse-task-definition", `reusing ${taskDefinitionName(arn)} (already registered)`);
  }

  private async updateService(step: Extract<Step, { kind: "update-service" }>): Promise<void> {
    const arn = this.taskDefinitionArn;
    if (!arn) {
      throw this.fail({
        code: "PLAN_INVALID",
        message: `the plan for ${this.name} updates the service before registering or choosing a task definition`,
        target: this.name,
        account: this.account,
        hint: "make the plan again",
      });
    }
    await this.guardBeforeDeploy(Boolean(step.waitForInProgress));
    this.step(
      "update-service",
      `updating ${this.service} to ${taskDefinitionName(arn)}${step.forceNewDeployment ? " (new deployment of the same revision)" : ""}`,
    );
    const service = await this.call({ action: "ecs:UpdateService", resource: this.serviceResource }, () =>
      this.deps.session.ecs.updateService(
        this.cluster,
        this.service,
        arn,
        step.forceNewDeployment ? { forceNewDeployment: true } : undefined,
      ),
    );
    this.serviceUpdated = true;
    this.adoptDeployment(service, arn);
    this.done(
      "update-service",
      `service updated${this.deploymentId ? `: deployment ${this.deploymentId}` : ""}${this.native && this.serviceDeploymentArn ? ` (${service.strategy} service deployment ${serviceDeploymentId(this.serviceDeploymentArn)})` : ""}`,
    );
  }

  /** Remember which deployment UpdateService started, and how the service deploys. */
  private adoptDeployment(service: LiveService, arn: string): void {
    this.deploymentId = deploymentFor(service, arn).id;
    this.serviceDeploymentArn = service.currentServiceDeployment;
    this.native = isNativeStrategy(service);
    this.hookStages = service.lifecycleHookStages ?? [];
    this.bakeMinutes = bakeMinutesOf(service);
    seedEvents(this.observe(), service);
  }

  /** Take over the wait (and, on failure, the rollback) of a deployment an earlier run started. */
  private async resumeWait(step: Extract<Step, { kind: "resume-wait" }>): Promise<void> {
    this.taskDefinitionArn = step.taskDefinitionArn;
    this.deploymentId = step.deploymentId;
    if (step.serviceDeploymentArn) this.serviceDeploymentArn = step.serviceDeploymentArn;
    if (step.previousTaskDefinitionArn) this.previousTaskDefinitionArn = step.previousTaskDefinitionArn;
    this.serviceUpdated = true;
    this.resumed = true;
    this.done(
      "resume-wait",
      `deployment ${step.deploymentId} of ${taskDefinitionName(step.taskDefinitionArn)} was started by an earlier run; waiting for it`,
    );
    return this.waitStable(step.timeoutSeconds);
  }

  private async waitStable(timeoutSeconds: number): Promise<void> {
    const arn = this.taskDefinitionArn;
    if (!arn || !this.serviceUpdated) {
      throw this.fail({
        code: "PLAN_INVALID",
        message: `the plan for ${this.name} waits for a deployment it did not start`,
        target: this.name,
        account: this.account,
        hint: "make the plan again",
      });
    }
    if (this.native && this.serviceDeploymentArn) return this.waitNative(arn, positive(timeoutSeconds));
    const seconds = positive(timeoutSeconds);
    const ref: DeploymentRef = { id: this.deploymentId, taskDefinitionArn: arn };
    this.step("wait-stable", `waiting for ${taskDefinitionName(arn)} to become stable (up to ${formatSeconds(seconds)})`);
    const end = await waitForDeployment(this.observe(), ref, this.deps.clock.now() + seconds * 1000);
    if (end.kind === "aborted") throw this.interrupted();
    if (end.kind === "unreadable") throw this.unknown(end.error);
    if (end.kind === "timeout") {
      const d = end.last?.deployments.find((x) => x.id === this.deploymentId);
      throw await this.failAndRollBack(
        {
          code: "TIMEOUT",
          message: `${taskDefinitionName(arn)} did not become stable on ${this.service} within ${formatSeconds(seconds)}${d ? ` (running ${d.runningCount}/${d.desiredCount}, pending ${d.pendingCount}${d.failedTasks ? `, ${d.failedTasks} failed tasks` : ""})` : ""}`,
          ...this.where("ecs:DescribeServices"),
          hint: "look at the service events and the stopped tasks' reasons; if the service is just slow to start, raise --timeout",
        },
        seconds,
      );
    }
    const s = end.value;
    switch (s.state) {
      case "completed":
        this.done(
          "wait-stable",
          `${taskDefinitionName(arn)} is stable (running ${s.deployment.runningCount}/${s.deployment.desiredCount})`,
        );
        return;
      case "service-gone":
        this.serviceUpdated = false;
        throw this.fail(this.serviceGone(s.status));
      case "failed": {
        const trigger = await this.triggerOf(s.trigger, end.service);
        const error = this.failedError(
          `deployment ${s.deployment.id} of ${taskDefinitionName(arn)} failed on ${this.service}${s.reason ? `: ${s.reason}` : ""}`,
          s.reason,
          trigger,
        );
        if (s.ecsRollback || s.ecsRollbackExpected) throw await this.failWithEcsRollback(error, s.deployment.id, seconds, trigger);
        throw await this.failAndRollBack(error, seconds);
      }
      case "replaced": {
        const primary = s.primary;
        const back = this.rollbackTo?.taskDefinitionArn ?? this.previousTaskDefinitionArn;
        if (s.ecsRollbackExpected && primary && primary.taskDefinition !== arn && primary.taskDefinition === back) {
          // ECS failed our deployment and its rollback already replaced it between two polls.
          const trigger = await this.triggerOf(failureTrigger(end.service, undefined), end.service);
          const error = this.failedError(
            `deployment ${this.deploymentId ? `${this.deploymentId} ` : ""}of ${taskDefinitionName(arn)} failed on ${this.service}: ECS rolled back to ${taskDefinitionName(primary.taskDefinition)}`,
            undefined,
            trigger,
          );
          throw await this.failWithEcsRollback(error, this.deploymentId, seconds, trigger);
        }
        this.serviceUpdated = false;
        throw this.fail(this.replacedError(primary ? `${primary.id}, ${taskDefinitionName(primary.taskDefinition)}` : undefined), {
          by: "none",
          ok: false,
        });
      }
    }
  }

  /** BLUE_GREEN / LINEAR / CANARY: follow the service deployment until it is SUCCESSFUL or rolled back. */
  private async waitNative(arn: string, seconds: number): Promise<void> {
    const sdArn = this.serviceDeploymentArn!;
    const ecs = this.deps.session.ecs;
    if (!ecs.describeServiceDeployments) {
      throw this.fail({
        code: "AWS_ERROR",
        message: `deployer cannot follow ${this.service}'s service deployment: this endpoint has no DescribeServiceDeployments`,
        ...this.where("ecs:DescribeServiceDeployments"),
      });
    }
    // Bake time is part of the deployment: the wait gets it on top of --timeout.
    const bakeMs = this.bakeMinutes * 60_000;
    this.step(
      "wait-stable",
      `waiting for service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} to be SUCCESSFUL (up to ${formatSeconds(seconds)}${bakeMs > 0 ? `, plus ${formatSeconds(this.bakeMinutes * 60)} of bake time once production traffic shifts` : ""})`,
    );
    const end = await waitForServiceDeployment(this.observe(), ecs, sdArn, this.deps.clock.now() + seconds * 1000, {
      hookStages: this.hookStages,
      endOnRollbackStart: false,
      bakeMs,
    });
    if (end.kind === "aborted") throw this.interrupted();
    if (end.kind === "unreadable") throw this.unknown(end.error, "ecs:DescribeServiceDeployments");
    if (end.kind === "timeout") {
      throw await this.failAndStop(
        {
          code: "TIMEOUT",
          message: `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} did not finish on ${this.service} within ${formatSeconds(seconds)}${bakeMs > 0 ? ` plus its bake time` : ""}${end.last ? ` (running ${primaryDeployment(end.last)?.runningCount ?? 0}/${end.last.desiredCount})` : ""}`,
          ...this.where("ecs:DescribeServiceDeployments", sdArn),
          hint: "look at the service events and the stopped tasks' reasons; if the service is just slow to start, raise --timeout",
        },
        seconds,
      );
    }
    const p = end.value;
    switch (p.state) {
      case "completed":
        this.done("wait-stable", `${taskDefinitionName(arn)} is live: service deployment ${serviceDeploymentId(sdArn)} SUCCESSFUL`);
        return;
      case "missing":
        this.serviceUpdated = false;
        throw this.fail(
          {
            code: "AWS_ERROR",
            message: `service deployment ${serviceDeploymentId(sdArn)} is no longer known to ECS`,
            ...this.where("ecs:DescribeServiceDeployments", sdArn),
            hint: `check \`deployer status --env ${this.name}\``,
          },
          { by: "none", ok: false },
        );
      case "rolling-back":
      case "rolled-back":
      case "rollback-failed": {
        const error = this.failedError(
          `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} failed on ${this.service}${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
          p.sd.statusReason,
          p.trigger,
        );
        this.serviceUpdated = false;
        const to = await this.rollbackRevisionOf(p.sd);
        if (p.state === "rolled-back") {
          this.done("rollback", `ECS rolled back (${describeTrigger(p.trigger)})${to ? ` to ${taskDefinitionName(to)}` : ""}`);
          throw new TargetEnded("failed", error, { by: "ecs", ok: true, trigger: p.trigger, ...(to ? { toTaskDefinitionArn: to } : {}) });
        }
        throw new TargetEnded("failed", error, {
          by: "ecs",
          ok: false,
          trigger: p.trigger,
          ...(to ? { toTaskDefinitionArn: to } : {}),
          error: this.info({
            code: "ROLLBACK_FAILED",
            message: `ECS's rollback of service deployment ${serviceDeploymentId(sdArn)} failed${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
            ...this.where("ecs:DescribeServiceDeployments", sdArn),
            hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\` and the service events`,
          }),
        });
      }
      case "stopped": {
        this.serviceUpdated = false;
        const current = end.service?.currentServiceDeployment;
        if (current && current !== sdArn)
          throw this.fail(this.replacedError(`service deployment ${serviceDeploymentId(current)}`), { by: "none", ok: false });
        const error = this.failedError(
          `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} was STOPPED on ${this.service}${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
          p.sd.statusReason,
          p.trigger,
        );
        throw new TargetEnded(
          "failed",
          {
            ...error,
            hint: `ECS stopped it without rolling back: check \`deployer status --env ${this.name}\`, then \`deployer rollback --env ${this.name}\` if the service needs the revision before`,
          },
          { by: "none", ok: false },
        );
      }
    }
  }

  // ---------- failures and rollbacks ----------

  /** ECS rolls back by itself (circuit breaker or alarms with rollback): wait for its rollback deployment to complete. */
  private async failWithEcsRollback(
    error: ErrorInfo,
    failedId: string | undefined,
    seconds: number,
    trigger: FailureTrigger,
  ): Promise<TargetEnded> {
    const to = this.rollbackTo?.taskDefinitionArn ?? this.previousTaskDefinitionArn;
    this.step("rollback", `waiting for ECS to roll back (${describeTrigger(trigger)})${to ? ` to ${taskDefinitionName(to)}` : ""}`);
    const obs = this.observe();
    obs.watch.restart();
    const now = this.deps.clock.now();
    const end = await waitForEcsRollback(obs, failedId, Math.min(now + ECS_ROLLBACK_GRACE_MS, now + seconds * 1000), now + seconds * 1000);
    if (end.kind === "aborted") {
      return new TargetEnded("failed", error, {
        by: "ecs",
        trigger,
        ...(to ? { toTaskDefinitionArn: to } : {}),
        ok: false,
        error: this.info({
          code: "INTERRUPTED",
          message: "interrupted while ECS was rolling back; the rollback continues in ECS",
          hint: `check it with \`deployer status --env ${this.name}\``,
        }),
      });
    }
    if (end.kind === "done" && end.value.state === "not-started") {
      this.emit({
        type: "warning",
        at: this.iso(),
        target: this.name,
        message: `ECS did not start a rollback within ${formatSeconds(ECS_ROLLBACK_GRACE_MS / 1000)}; deployer rolls back itself`,
      });
      return new TargetEnded("failed", error, await this.rollBack(seconds));
    }
    if (end.kind === "done" && end.value.state === "completed") {
      this.serviceUpdated = false;
      const back = end.value.deployment.taskDefinition;
      this.done("rollback", `ECS rolled back (${describeTrigger(trigger)}) to ${taskDefinitionName(back)}`);
      return new TargetEnded("failed", error, { by: "ecs", trigger, toTaskDefinitionArn: back, ok: true });
    }
    if (end.kind === "unreadable") {
      return new TargetEnded("failed", error, {
        by: "ecs",
        trigger,
        ...(to ? { toTaskDefinitionArn: to } : {}),
        ok: false,
        error: this.stateUnknownInfo(end.error, "while ECS rolled back"),
      });
    }
    const why =
      end.kind === "timeout"
        ? `ECS's rollback did not complete within ${formatSeconds(seconds)}`
        : end.value.state === "failed"
          ? `ECS's rollback deployment failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
          : "the service disappeared while ECS rolled back";
    return new TargetEnded("failed", error, {
      by: "ecs",
      trigger,
      ...(to ? { toTaskDefinitionArn: to } : {}),
      ok: false,
      error: this.info({
        code: "ROLLBACK_FAILED",
        message: why,
        action: "ecs:DescribeServices",
        resource: this.serviceResource,
        hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\` and the service events${this.rollbackTo ? `; \`deployer rollback --env ${this.name} --to ${this.rollbackTo.taskDefinitionArn}\` puts the known-good revision back` : ""}`,
      }),
    });
  }

  /** Deployer rolls back: update the service to the known-good revision, and wait. */
  private async failAndRollBack(error: ErrorInfo, seconds: number): Promise<TargetEnded> {
    this.emit({ type: "warning", at: this.iso(), target: this.name, message: error.message });
    const rollback = await this.rollBack(seconds);
    return new TargetEnded("failed", error, rollback);
  }

  /** BLUE_GREEN / LINEAR / CANARY: StopServiceDeployment (ROLLBACK) and wait for ECS to finish it. */
  private async failAndStop(error: ErrorInfo, seconds: number): Promise<TargetEnded> {
    this.emit({ type: "warning", at: this.iso(), target: this.name, message: error.message });
    const sdArn = this.serviceDeploymentArn!;
    const ecs = this.deps.session.ecs;
    if (!ecs.stopServiceDeployment) {
      return new TargetEnded("failed", error, {
        by: "none",
        ok: false,
        error: this.info({
          code: "ROLLBACK_FAILED",
          message: "this endpoint has no StopServiceDeployment, so deployer could not roll back",
          hint: `check \`deployer status --env ${this.name}\``,
        }),
      });
    }
    this.step("rollback", `stopping service deployment ${serviceDeploymentId(sdArn)} with a rollback (StopServiceDeployment ROLLBACK)`);
    try {
      await callAws(
        { action: "ecs:StopServiceDeployment", resource: sdArn, target: this.name, account: this.account },
        this.deps.signal,
        () => ecs.stopServiceDeployment!(sdArn),
      );
    } catch (e) {
      if (e instanceof CallAborted) {
        this.unansweredCall = "ecs:StopServiceDeployment";
        return new TargetEnded("failed", error, {
          by: "deployer",
          via: "stop-service-deployment",
          ok: false,
          error: this.info({
            code: "INTERRUPTED",
            message: "interrupted while asking ECS to roll back",
            hint: `check it with \`deployer status --env ${this.name}\``,
          }),
        });
      }
      const info = toErrorInfo(
        awsError(e, { action: "ecs:StopServiceDeployment", resource: sdArn, target: this.name, account: this.account }),
      );
      // ConflictException: it is no longer stoppable (it just finished): the wait below says how.
      if (info.awsCode !== "ConflictException") {
        return new TargetEnded("failed", error, {
          by: "deployer",
          via: "stop-service-deployment",
          ok: false,
          error: { ...info, code: "ROLLBACK_FAILED", message: `StopServiceDeployment failed: ${info.message}` },
        });
      }
    }
    const obs = this.observe();
    obs.watch.restart();
    const end = await waitForServiceDeployment(obs, ecs, sdArn, this.deps.clock.now() + seconds * 1000, { hookStages: this.hookStages });
    const stopResult = (ok: boolean, extra: Partial<RollbackResult> = {}): RollbackResult => ({
      by: "deployer",
      via: "stop-service-deployment",
      ok,
      ...extra,
    });
    if (end.kind === "aborted")
      return new TargetEnded(
        "failed",
        error,
        stopResult(false, {
          error: this.info({
            code: "INTERRUPTED",
            message: "interrupted while ECS rolled back; the rollback continues in ECS",
            hint: `check it with \`deployer status --env ${this.name}\``,
          }),
        }),
      );
    if (end.kind === "unreadable")
      return new TargetEnded("failed", error, stopResult(false, { error: this.stateUnknownInfo(end.error, "while ECS rolled back") }));
    if (end.kind === "timeout")
      return new TargetEnded(
        "failed",
        error,
        stopResult(false, {
          error: this.info({
            code: "ROLLBACK_FAILED",
            message: `the rollback did not finish within ${formatSeconds(seconds)}`,
            hint: `check \`deployer status --env ${this.name}\``,
          }),
        }),
      );
    const p = end.value;
    if (p.state === "rolled-back") {
      this.serviceUpdated = false;
      const to = await this.rollbackRevisionOf(p.sd);
      this.done(
        "rollback",
        `rolled back${to ? ` to ${taskDefinitionName(to)}` : ""} (service deployment ${serviceDeploymentId(sdArn)} ROLLBACK_SUCCESSFUL)`,
      );
      return new TargetEnded("failed", error, stopResult(true, to ? { toTaskDefinitionArn: to } : {}));
    }
    if (p.state === "completed") {
      // It finished between the timeout and the stop: nothing to roll back after all.
      this.done("wait-stable", `service deployment ${serviceDeploymentId(sdArn)} SUCCESSFUL after all`);
      throw new TargetEnded("deployed", undefined);
    }
    return new TargetEnded(
      "failed",
      error,
      stopResult(false, {
        error: this.info({
          code: "ROLLBACK_FAILED",
          message: `the rollback ended ${p.state === "missing" ? "unknown to ECS" : p.sd.status}`,
          hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\``,
        }),
      }),
    );
  }

  /**
   * Put the known-good revision back with UpdateService and wait. Refuses (by "none") when no
   * revision is known to have run healthy, when the service cannot be read, or when someone
   * else's deployment replaced ours since.
   */
  private async rollBack(seconds: number, reason?: string): Promise<RollbackResult> {
    const known = this.rollbackTo;
    if (!known) {
      return {
        by: "none",
        ok: false,
        error: this.info({
          code: "ROLLBACK_REFUSED",
          message: "no revision is known to have run healthy before this deployment, so deployer did not roll back",
          hint: `look at \`deployer status --env ${this.name}\`; put a revision you know is good back with \`deployer rollback --env ${this.name} --to FAMILY:REVISION\``,
        }),
      };
    }
    // Read the service again: never roll back blind, nor over someone else's deployment.
    let service: LiveService | undefined;
    try {
      service = await this.readService();
    } catch (e) {
      if (!(e instanceof TargetEnded)) throw e;
      const read = e.error;
      if (e.outcome !== "unknown" || !read) return { by: "none", ok: false, ...(read ? { error: read } : {}) };
      return {
        by: "none",
        ok: false,
        error: this.info({
          ...read,
          code: "STATE_UNKNOWN",
          message: `the service could not be read before rolling back, so deployer did not roll back: ${read.message}`,
          hint: `${read.hint ? `${read.hint.replace(/\.?$/, "")}; then ` : ""}look with \`deployer status --env ${this.name}\``,
        }),
      };
    }
    const primary = service ? primaryDeployment(service) : undefined;
    const ours = this.taskDefinitionArn;
    if (
      primary &&
      ours &&
      primary.taskDefinition !== ours &&
      primary.id !== this.deploymentId &&
      primary.taskDefinition !== known.taskDefinitionArn
    ) {
      return {
        by: "none",
        ok: false,
        error: this.info({
          ...this.replacedError(`${primary.id}, ${taskDefinitionName(primary.taskDefinition)}`),
          code: "DEPLOYMENT_IN_PROGRESS",
        }),
      };
    }

    let to = known.taskDefinitionArn;
    this.step("rollback", `rolling back to ${taskDefinitionName(to)}${reason ? ` (${reason})` : ""}: ${known.evidence}`);
    if (known.status === "INACTIVE") {
      const copy = await this.registerCopy(to);
      if ("error" in copy) return { by: "deployer", via: "update-service", toTaskDefinitionArn: to, ok: false, error: copy.error };
      to = copy.arn;
    }
    let updated: LiveService;
    try {
      updated = await this.call({ action: "ecs:UpdateService", resource: this.serviceResource }, () =>
        this.deps.session.ecs.updateService(this.cluster, this.service, to),
      );
    } catch (e) {
      if (e instanceof TargetEnded) {
        const cause = e.error;
        // Deregistered since the plan: ECS refuses INACTIVE revisions; deploy an identical copy.
        if (cause && /inactive/i.test(`${cause.awsMessage ?? ""} ${cause.message}`) && known.status !== "INACTIVE") {
          this.rollbackTo = { ...known, status: "INACTIVE" };
          return this.rollBack(seconds, reason);
        }
        const error: ErrorInfo | undefined =
          cause?.code === "INTERRUPTED"
            ? cause
            : cause && {
                ...cause,
                code: "ROLLBACK_FAILED",
                message: `rollback to ${taskDefinitionName(to)} failed: ${cause.message}`,
                hint: cause.hint ?? `check \`deployer status --env ${this.name}\`, then \`deployer rollback --env ${this.name}\``,
              };
        return { by: "deployer", via: "update-service", toTaskDefinitionArn: to, ok: false, ...(error ? { error } : {}) };
      }
      throw e;
    }
    const obs = this.observe();
    obs.watch.restart();
    const result = (ok: boolean, error?: ErrorInfo): RollbackResult => ({
      by: "deployer",
      via: "update-service",
      toTaskDefinitionArn: to,
      ok,
      ...(error ? { error } : {}),
    });
    if (isNativeStrategy(updated) && updated.currentServiceDeployment && this.deps.session.ecs.describeServiceDeployments) {
      const end = await waitForServiceDeployment(
        obs,
        this.deps.session.ecs,
        updated.currentServiceDeployment,
        this.deps.clock.now() + seconds * 1000,
        { hookStages: updated.lifecycleHookStages ?? [], bakeMs: bakeMinutesOf(updated) * 60_000 },
      );
      if (end.kind === "done" && end.value.state === "completed") {
        this.serviceUpdated = false;
        this.done("rollback", `rolled back to ${taskDefinitionName(to)}`);
        return result(true);
      }
      if (end.kind === "aborted")
        return result(
          false,
          this.info({
            code: "INTERRUPTED",
            message: `interrupted while rolling back to ${taskDefinitionName(to)}; the rollback deployment continues in ECS`,
            hint: `check it with \`deployer status --env ${this.name}\``,
          }),
        );
      if (end.kind === "unreadable") return result(false, this.stateUnknownInfo(end.error, "during the rollback"));
      return result(
        false,
        this.info({
          code: "ROLLBACK_FAILED",
          message:
            end.kind === "timeout"
              ? `the rollback to ${taskDefinitionName(to)} did not finish within ${formatSeconds(seconds)}`
              : `the rollback deployment to ${taskDefinitionName(to)} ended ${end.value.state === "missing" ? "unknown to ECS" : end.value.sd.status}`,
          hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\``,
        }),
      );
    }
    const ref: DeploymentRef = { id: deploymentFor(updated, to).id, taskDefinitionArn: to };
    const end = await waitForDeployment(obs, ref, this.deps.clock.now() + seconds * 1000);
    if (end.kind === "done" && end.value.state === "completed") {
      this.serviceUpdated = false;
      this.done("rollback", `rolled back to ${taskDefinitionName(to)}`);
      return result(true);
    }
    if (end.kind === "aborted") {
      this.serviceUpdated = false;
      return result(
        false,
        this.info({
          code: "INTERRUPTED",
          message: `interrupted while rolling back to ${taskDefinitionName(to)}; the rollback deployment continues in ECS`,
          hint: `check it with \`deployer status --env ${this.name}\``,
        }),
      );
    }
    if (end.kind === "unreadable") return result(false, this.stateUnknownInfo(end.error, "during the rollback"));
    const why =
      end.kind === "timeout"
        ? `the rollback to ${taskDefinitionName(to)} did not become stable within ${formatSeconds(seconds)}`
        : end.value.state === "failed"
          ? `the rollback deployment to ${taskDefinitionName(to)} failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
          : end.value.state === "replaced"
            ? "another deployment replaced the rollback deployment"
            : "the service disappeared during the rollback";
    return result(
      false,
      this.info({
        code: "ROLLBACK_FAILED",
        message: why,
        action: "ecs:UpdateService",
        resource: this.serviceResource,
        hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\` and the service events`,
      }),
    );
  }

  /** ECS refuses UpdateService to an INACTIVE revision: register an identical copy of it (same definition, its deployer tags, `deployer:copy-of`). */
  private async registerCopy(arn: string): Promise<{ arn: string } | { error: ErrorInfo }> {
    this.step("rollback", `${taskDefinitionName(arn)} is INACTIVE (deregistered): registering an identical copy to roll back to`);
    try {
      const original = await this.call({ action: "ecs:DescribeTaskDefinition", resource: arn }, () =>
        this.deps.session.ecs.describeTaskDefinition(arn),
      );
      if (!original)
        return {
          error: this.info({
            code: "ROLLBACK_FAILED",
            message: `${taskDefinitionName(arn)} no longer exists, so deployer could not roll back to it`,
            hint: `put a revision back with \`deployer rollback --env ${this.name} --to FAMILY:REVISION\``,
          }),
        };
      const copy = await this.call({ action: "ecs:RegisterTaskDefinition", resource: original.family }, () =>
        this.deps.session.ecs.registerTaskDefinition(registeredInput(original), copyTags(original)),
      );
      this.done("rollback", `registered ${taskDefinitionName(copy.arn)}, an identical copy of ${taskDefinitionName(arn)}`);
      return { arn: copy.arn };
    } catch (e) {
      if (!(e instanceof TargetEnded)) throw e;
      const cause = e.error;
      return {
        error: cause
          ? {
              ...cause,
              code: cause.code === "INTERRUPTED" ? "INTERRUPTED" : "ROLLBACK_FAILED",
              message: `could not register a copy of ${taskDefinitionName(arn)} to roll back to: ${cause.message}`,
            }
          : this.info({ code: "ROLLBACK_FAILED", message: `could not register a copy of ${taskDefinitionName(arn)}` }),
      };
    }
  }

  // ---------- reading the service ----------

  /**
   * DescribeServices now (batched through the poller with the other reads due now). A read that
   * still fails after GUARD_READ_ATTEMPTS tries ends the target as unknown.
   */
  private async readService(): Promise<LiveService | undefined> {
    const watch = this.observe().watch;
    let error: unknown;
    for (let attempt = 1; attempt <= GUARD_READ_ATTEMPTS; attempt++) {
      if (attempt > 1) await this.deps.clock.sleep(GUARD_READ_BACKOFF_MS * (attempt - 1), this.deps.signal);
      if (this.deps.signal?.aborted) throw this.interrupted();
      const outcome = await watch.now(this.deps.signal);
      if (outcome.type === "aborted") throw this.interrupted();
      if (outcome.type === "snapshot") return outcome.service;
      error = outcome.error;
      this.emit({
        type: "warning",
        at: this.iso(),
        target: this.name,
        message: `could not read the service (${attempt}/${GUARD_READ_ATTEMPTS}): ${errorMessage(error)}`,
      });
    }
    throw this.unknown(error);
  }

  /** The service's current service deployment, when the service needs it read (BLUE_GREEN / LINEAR / CANARY). */
  private async currentServiceDeployment(service: LiveService | undefined): Promise<ServiceDeploymentInfo | undefined> {
    const arn = service?.currentServiceDeployment;
    const ecs = this.deps.session.ecs;
    if (!arn || !isNativeStrategy(service) || !ecs.describeServiceDeployments) return undefined;
    return (await ecs.describeServiceDeployments([arn]))[0];
  }

  /**
   * Right before UpdateService: read the service again. If it moved since preflight (another
   * deployment started, finished or is in flight), someone else is deploying it: wait for them with
   * --wait-for-in-progress, else stop without writing.
   */
  private async guardBeforeDeploy(waitForInProgress: boolean): Promise<void> {
    const service = await this.readService();
    let current: ServiceDeploymentInfo | undefined;
    try {
      current = await this.currentServiceDeployment(service);
    } catch (e) {
      throw this.unknown(e, "ecs:DescribeServiceDeployments");
    }
    const state = serviceState(service, current);
    if (state.kind === "missing" || state.kind === "inactive")
      throw this.fail(this.serviceGone(state.kind === "inactive" ? state.status : undefined));
    const moved = this.movedSince(service!, state);
    if (!moved) return;
    if (waitForInProgress) {
      this.emit({
        type: "warning",
        at: this.iso(),
        target: this.name,
        message: `${this.service} moved since preflight: ${moved}; waiting for it (--wait-for-in-progress)`,
      });
      await this.waitForeignDeployment(this.timeoutOf("wait-stable"), "moved");
      return;
    }
    throw this.fail(
      {
        code: "DEPLOYMENT_IN_PROGRESS",
        message: `${this.service} moved since preflight: ${moved}; deployer did not update it (someone else is deploying this service)`,
        ...this.where("ecs:DescribeServices"),
        hint: `check \`deployer status --env ${this.name}\` and run the command again, or pass --wait-for-in-progress to wait for their deployment first`,
      },
      { by: "none", ok: false },
    );
  }

  /** How the service moved since the baseline, in words; undefined when it did not. */
  private movedSince(service: LiveService, state: ServiceState): string | undefined {
    const primary = primaryDeployment(service);
    if (state.kind === "in-progress" || state.kind === "rolling-back") return state.reason;
    if (this.baseline.primaryId && primary && primary.id !== this.baseline.primaryId) {
      return `deployment ${primary.id} (${taskDefinitionName(primary.taskDefinition)}) replaced ${this.baseline.primaryId}`;
    }
    if (
      this.baseline.serviceDeploymentArn &&
      service.currentServiceDeployment &&
      service.currentServiceDeployment !== this.baseline.serviceDeploymentArn
    ) {
      return `service deployment ${serviceDeploymentId(service.currentServiceDeployment)} started`;
    }
    return undefined;
  }

  /** What detected a failure, with the alarm names from the service deployment when ECS gives them. */
  private async triggerOf(seen: FailureTrigger, service: LiveService | undefined): Promise<FailureTrigger> {
    const arn = this.serviceDeploymentArn ?? service?.currentServiceDeployment;
    const ecs = this.deps.session.ecs;
    if (!arn || !ecs.describeServiceDeployments || (seen.by !== "unknown" && seen.by !== "alarm") || seen.alarms?.length) return seen;
    try {
      const sd = (await ecs.describeServiceDeployments([arn]))[0];
      const t = sd ? failureTrigger(service, undefined, sd) : seen;
      return t.by === "unknown" ? seen : t;
    } catch {
      return seen; // only for the report's words; the state is already known
    }
  }

  /** The task definition a service deployment rolled back to (best effort: for the report). */
  private async rollbackRevisionOf(sd: ServiceDeploymentInfo): Promise<string | undefined> {
    const rev = sd.rollback?.serviceRevisionArn ?? sd.sourceRevisionArns?.[0];
    const ecs = this.deps.session.ecs;
    if (!rev || !ecs.describeServiceRevisions) return this.previousTaskDefinitionArn;
    try {
      return (await ecs.describeServiceRevisions([rev]))[0]?.taskDefinition ?? this.previousTaskDefinitionArn;
    } catch {
      return this.previousTaskDefinitionArn;
    }
  }

  // ---------- helpers ----------

  private async call<T>(ctx: Omit<AwsCallContext, "target" | "account">, fn: () => Promise<T>): Promise<T> {
    try {
      return await callAws({ ...ctx, target: this.name, account: this.account }, this.deps.signal, fn);
    } catch (e) {
      if (e instanceof CallAborted) {
        this.unansweredCall = ctx.action;
        throw this.interrupted();
      }
      const err = e instanceof DeployerError ? e : awsError(e, { ...ctx, target: this.name, account: this.account });
      throw this.fail(toErrorInfo(err));
    }
  }

  private observe(): ServiceObserver {
    this.observer ??= {
      target: this.name,
      watch: this.deps.poller.watch(this.deps.session.ecs, this.cluster, this.service),
      clock: this.deps.clock,
      signal: this.deps.signal,
      emit: this.deps.emit,
      ...(this.deps.readPatienceMs !== undefined ? { readPatienceMs: this.deps.readPatienceMs } : {}),
    };
    return this.observer;
  }

  private fail(error: ErrorInfo, rollback?: RollbackResult): TargetEnded {
    return new TargetEnded("failed", error, rollback);
  }

  /**
   * The service could not be read: the target's state is unknown. Its error is the read's own
   * (code, message and hint: e.g. expired credentials and how to renew them); nothing more is
   * written to the service and nothing is rolled back.
   */
  private unknown(e: unknown, action = "ecs:DescribeServices"): TargetEnded {
    const error = this.readError(e, action);
    this.emit({
      type: "warning",
      at: this.iso(),
      target: this.name,
      message: `could not read ${this.service}: its state is unknown; deployer writes nothing more to it (look with \`deployer status --env ${this.name}\`)`,
    });
    return new TargetEnded("unknown", error);
  }

  private readError(e: unknown, action = "ecs:DescribeServices"): ErrorInfo {
    return toErrorInfo(awsError(e, { target: this.name, account: this.account, action, resource: this.serviceResource }));
  }

  /** A rollback whose outcome could not be read: STATE_UNKNOWN, carrying the read's error in words. */
  private stateUnknownInfo(e: unknown, when: string): ErrorInfo {
    const read = this.readError(e);
    return this.info({
      code: "STATE_UNKNOWN",
      message: `the service could not be read ${when}: ${read.message}`,
      action: read.action,
      resource: read.resource,
      ...(read.awsCode ? { awsCode: read.awsCode } : {}),
      ...(read.awsMessage ? { awsMessage: read.awsMessage } : {}),
      hint: `${read.hint ? `${read.hint.replace(/\.?$/, "")}; then ` : ""}look with \`deployer status --env ${this.name}\``,
    });
  }

  private failedError(message: string, reason: string | undefined, trigger: FailureTrigger): ErrorInfo {
    const hint =
      trigger.by === "alarm"
        ? `the CloudWatch deployment alarm${trigger.alarms && trigger.alarms.length === 1 ? "" : "s"}${trigger.alarms?.length ? ` ${trigger.alarms.join(", ")}` : ""} went into ALARM: look at the alarm's metric for the new revision`
        : trigger.by === "stopped"
          ? "the deployment was stopped: look at the service events"
          : "the deployment circuit breaker stopped it: look at the service events and the stopped tasks' reasons (container exit, failing health check, image pull)";
    return {
      code: "DEPLOYMENT_FAILED",
      message,
      ...this.where("ecs:UpdateService"),
      ...(reason ? { awsCode: "FAILED", awsMessage: reason } : {}),
      hint,
    };
  }

  private replacedError(what: string | undefined): ErrorInfo {
    return {
      code: "DEPLOYMENT_FAILED",
      message: `another deployment${what ? ` (${what})` : ""} replaced ours on ${this.service} before it finished`,
      ...this.where("ecs:DescribeServices"),
      hint: "someone else deployed this service during the run; deployer did not roll back over their deployment. Check `deployer status` and run again",
    };
  }

  private interrupted(): TargetEnded {
    return new TargetEnded(
      "interrupted",
      this.info({ code: "INTERRUPTED", message: `interrupted: ${this.howFar()}`, hint: this.interruptHint() }),
    );
  }

  /** How far the target got, in words: what is done and what may still be going on in AWS. */
  private howFar(): string {
    const parts: string[] = [];
    if (this.completed.includes("wait-foreign-deployment")) parts.push("earlier deployment finished");
    if (this.completed.includes("register-task-definition") && this.taskDefinitionArn)
      parts.push(`task definition ${taskDefinitionName(this.taskDefinitionArn)} registered`);
    if (this.completed.includes("reuse-task-definition") && this.taskDefinitionArn)
      parts.push(`task definition ${taskDefinitionName(this.taskDefinitionArn)} reused`);
    if (this.completed.includes("update-service")) parts.push("service updated");
    if (this.unansweredCall === "ecs:RegisterTaskDefinition")
      parts.push("RegisterTaskDefinition was sent but not answered (a revision may have been registered)");
    else if (this.unansweredCall === "ecs:UpdateService")
      parts.push("UpdateService was sent but not answered (the service may be deploying)");
    else if (this.unansweredCall === "ecs:StopServiceDeployment")
      parts.push("StopServiceDeployment was sent but not answered (ECS may be rolling back)");
    else if (this.serviceUpdated && !this.completed.includes("wait-stable"))
      parts.push(`deployment${this.deploymentId ? ` ${this.deploymentId}` : ""} still running in ECS`);
    if (parts.length === 0) parts.push("nothing was changed");
    return parts.join(", ");
  }

  private interruptHint(): string {
    if (this.serviceUpdated || this.unansweredCall) {
      return `check it with \`deployer status --env ${this.name}\`; running the same command again converges (an identical registered revision is reused)`;
    }
    if (this.completed.includes("register-task-definition")) return "running the same command again reuses the registered revision";
    return "nothing was changed for this target";
  }

  private finish(outcome: TargetOutcome, error: ErrorInfo | undefined, rollback: RollbackResult | undefined): TargetResult {
    const { plan, clock } = this.deps;
    const finishedAt = clock.now();
    const startedAt = this.startedAt ?? finishedAt;
    const result: TargetResult = {
      target: plan.target,
      outcome,
      imageRef: plan.imageRef,
      checks: plan.checks,
      startedAt: isoAt(startedAt),
      finishedAt: isoAt(finishedAt),
      durationMs: finishedAt - startedAt,
    };
    if (this.previousTaskDefinitionArn) result.previousTaskDefinitionArn = this.previousTaskDefinitionArn;
    if (this.taskDefinitionArn) result.taskDefinitionArn = this.taskDefinitionArn;
    if (this.reused) result.reusedTaskDefinition = true;
    if (this.resumed) result.resumedDeployment = true;
    if (this.deploymentId) result.deploymentId = this.deploymentId;
    const last = this.completed.filter((s) => s !== "rollback").at(-1);
    if (last) result.lastStep = last;
    if (error) result.error = error;
    if (rollback) result.rollback = rollback;
    this.result = result;
    this.emit({ type: "target-done", at: this.iso(), target: this.name, outcome, message: doneMessage(result) });
    return result;
  }

  private step(step: StepName, message: string): void {
    this.emit({ type: "step", at: this.iso(), target: this.name, step, message });
  }

  private done(step: StepName, message: string): void {
    this.completed.push(step);
    this.emit({ type: "step", at: this.iso(), target: this.name, step, message });
  }

  private emit(e: RunEvent): void {
    this.deps.emit(e);
  }

  private iso(): string {
    return isoAt(this.deps.clock);
  }

  private info(e: Omit<ErrorInfo, "target" | "account">): ErrorInfo {
    return { ...e, target: this.name, account: this.account };
  }

  private where(action: string, resource?: string): Pick<ErrorInfo, "target" | "account" | "action" | "resource"> {
    return { target: this.name, account: this.account, action, resource: resource ?? this.serviceResource };
  }

  private serviceGone(status: string | undefined): ErrorInfo {
    return {
      code: status ? "SERVICE_INACTIVE" : "SERVICE_NOT_FOUND",
      message: status
        ? `service ${this.service} became ${status} during the deployment`
        : `service ${this.service} disappeared during the deployment`,
      ...this.where("ecs:DescribeServices"),
      hint: "someone deleted or deactivated the service while deployer was running; nothing can be rolled back",
    };
  }

  private timeoutOf(kind: "wait-stable"): number {
    const step = this.deps.plan.steps.find((s) => s.kind === kind || s.kind === "resume-wait") as { timeoutSeconds?: number } | undefined;
    return positive(step?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  }
}

/** Minutes a native deployment spends baking (bake time, and linear/canary step bakes), from the service's configuration. */
export function bakeMinutesOf(service: LiveService): number {
  if (!isNativeStrategy(service)) return 0;
  let minutes = service.bakeTimeInMinutes ?? 0;
  if (service.strategy === "LINEAR") {
    const step = service.linear?.stepPercent ?? 10;
    minutes += (Math.ceil(100 / step) - 1) * (service.linear?.stepBakeTimeInMinutes ?? 6);
  }
  if (service.strategy === "CANARY") minutes += service.canary?.canaryBakeTimeInMinutes ?? 10;
  return minutes;
}

/** The deployment UpdateService started: the PRIMARY one carrying `arn`. */
function deploymentFor(service: LiveService, arn: string): { id?: string } {
  const d =
    service.deployments.find((x) => x.status === "PRIMARY" && x.taskDefinition === arn) ??
    service.deployments.find((x) => x.taskDefinition === arn);
  return { id: d?.id };
}

function doneMessage(r: TargetResult): string {
  const td = r.taskDefinitionArn ? taskDefinitionName(r.taskDefinitionArn) : undefined;
  switch (r.outcome) {
    case "deployed":
      return `deployed ${td ?? ""}`.trim();
    case "rolled-back":
      return `rolled back to ${r.rollback?.toTaskDefinitionArn ? taskDefinitionName(r.rollback.toTaskDefinitionArn) : "the previous revision"}`;
    case "failed": {
      const rb = r.rollback;
      const rollback = !rb
        ? ""
        : rb.by === "none"
          ? `; not rolled back${rb.error?.code === "ROLLBACK_REFUSED" ? " (no known-good revision)" : ""}`
          : `; ${rb.ok ? "rolled back" : "rollback FAILED"} by ${rb.by}${rb.by === "ecs" && rb.trigger ? ` (${describeTrigger(rb.trigger)})` : rb.via === "stop-service-deployment" ? " (StopServiceDeployment)" : ""}${rb.toTaskDefinitionArn ? ` to ${taskDefinitionName(rb.toTaskDefinitionArn)}` : ""}`;
      return `${(r.error?.message ?? "failed").replace(/\.$/, "")}${rollback}`;
    }
    case "unknown":
      return `state unknown: could not read ${r.target.service}${r.error ? ` (${r.error.message.replace(/\.$/, "")})` : ""}; nothing more was written to it — look with \`deployer status --env ${r.target.name}\``;
    case "interrupted":
      return r.error?.message ?? "interrupted";
    case "unchanged":
      return "unchanged";
    case "not-started":
      return r.error?.message ?? "not started";
  }
}

function internalError(e: unknown, target: string, account: string): ErrorInfo {
  return {
    code: "INTERNAL",
    message: errorMessage(e),
    target,
    account,
    hint: "This is a bug in deployer; please report it with the command you ran.",
  };
}

function positive(seconds: number | undefined): number {
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS;
}

export function formatSeconds(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds % 60 === 0) return `${seconds / 60}m`;
  if (seconds > 60) return `${Math.floor(seconds / 60)}m${Math.round(seconds % 60)}s`;
  return `${seconds}s`;
}
