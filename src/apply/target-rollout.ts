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
import type { LiveService, ServiceDeploymentInfo } from "../aws/ports.js";
import type { ErrorInfo } from "../errors.js";
import type { Step } from "../plan/types.js";
import type { RollbackResult, TargetOutcome, TargetResult, TaskRunResult } from "./types.js";
import { runOneOffTask, skippedTaskResults } from "./one-off-task.js";
import { isoAt } from "./clock.js";
import {
  bakeMinutesOf,
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
import { seedEvents, waitForDeployment, waitForServiceDeployment, waitForSettled } from "./deployment-waiter.js";
import { regionalArn, taskDefinitionName } from "../config/aws-names.js";
import { deploymentFor, positive, RolloutContext, TargetEnded, type TargetRolloutDeps } from "./rollout-context.js";
import { failAndRollBack, failAndStop, failWithEcsRollback, rollBack, rollbackRevisionOf } from "./target-rollback.js";
import { doneMessage, failedError, formatSeconds, internalError, replacedError, serviceGone, where } from "./rollout-messages.js";

export {
  DEFAULT_TIMEOUT_SECONDS,
  ECS_ROLLBACK_GRACE_MS,
  GUARD_READ_ATTEMPTS,
  GUARD_READ_BACKOFF_MS,
  type TargetRolloutDeps,
} from "./rollout-context.js";
export { formatSeconds } from "./rollout-messages.js";

export class TargetRollout {
  private readonly ctx: RolloutContext;
  private result?: TargetResult;

  constructor(deps: TargetRolloutDeps) {
    this.ctx = new RolloutContext(deps);
  }

  /** True when the service runs (or is deploying) deployer's new task definition. */
  get updated(): boolean {
    return this.ctx.serviceUpdated;
  }

  /** Execute the target's steps. Never throws: every failure ends up in the result. */
  async run(): Promise<TargetResult> {
    return (await this.prepare()) ?? this.deploy();
  }

  /**
   * The steps before the service is touched: a foreign deployment waited for, the task definition
   * registered (or reused), the one-off tasks run. Undefined when they all succeeded (then `deploy()`);
   * else the target's result (failed, unknown, interrupted). Never throws.
   */
  async prepare(): Promise<TargetResult | undefined> {
    const { plan, clock } = this.ctx.deps;
    this.ctx.startedAt = clock.now();
    this.ctx.emit({ type: "target-start", at: this.ctx.iso(), target: this.ctx.name });
    this.next = plan.steps.findIndex((s) => s.kind === "update-service" || s.kind === "resume-wait");
    if (this.next < 0) this.next = plan.steps.length;
    return this.steps(plan.steps.slice(0, this.next), false);
  }

  /** The steps from UpdateService on (after `prepare()`); the target's result. Never throws. */
  async deploy(): Promise<TargetResult> {
    const { plan } = this.ctx.deps;
    return (await this.steps(plan.steps.slice(this.next ?? 0), true))!;
  }

  /**
   * A target whose environment stopped before its update (another service's task failed, or a
   * service it depends on failed): not started, with what `prepare()` did (its task definition is
   * registered, nothing points at it).
   */
  notStarted(message: string): TargetResult {
    return this.finish("not-started", undefined, undefined, `not started: ${message}`);
  }

  private next?: number;

  private async steps(steps: Step[], last: boolean): Promise<TargetResult | undefined> {
    let ended: TargetEnded;
    try {
      for (const step of steps) {
        if (this.ctx.deps.signal?.aborted) throw this.ctx.interrupted();
        await this.execute(step);
      }
      if (!last) return undefined;
      ended = new TargetEnded("deployed", undefined);
    } catch (e) {
      ended = e instanceof TargetEnded ? e : new TargetEnded("failed", internalError(e, this.ctx.name, this.ctx.account));
    }
    return this.finish(ended.outcome, ended.error, ended.rollback);
  }

  /** The one-off tasks run so far (and those the plan skips). */
  private readonly tasks: TaskRunResult[] = [];

  /**
   * Put the known-good revision back (for `rollbackStage`: a sibling failed) and wait. Only
   * meaningful after `run()` deployed.
   */
  async revert(reason: string): Promise<TargetResult> {
    const before = this.result;
    if (!before || !this.ctx.serviceUpdated) throw new Error(`revert(${this.ctx.name}): target was not updated`);
    this.ctx.emit({ type: "target-start", at: this.ctx.iso(), target: this.ctx.name });
    const timeoutSeconds = this.ctx.timeoutOf("wait-stable");
    let rollback: RollbackResult;
    try {
      rollback = await rollBack(this.ctx, timeoutSeconds, reason);
    } catch (e) {
      if (!(e instanceof TargetEnded)) throw e;
      rollback = { by: "deployer", ok: false, ...(e.error ? { error: e.error } : {}) };
    }
    const outcome: TargetOutcome = rollback.ok ? "rolled-back" : "failed";
    const error: ErrorInfo | undefined = rollback.ok
      ? undefined
      : (rollback.error ?? {
          code: "ROLLBACK_FAILED",
          message: `rollback of ${this.ctx.name} failed`,
          target: this.ctx.name,
          account: this.ctx.account,
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
      case "run-task":
        return runOneOffTask(this.ctx, step, (r) => this.tasks.push(r), this.ctx.deps.poller.pollInterval);
      case "wait-stable":
        return this.waitStable(step.timeoutSeconds);
      case "resume-wait":
        return this.resumeWait(step);
    }
  }

  /** Wait for a deployment someone else started to settle; it becomes the new baseline (and, when healthy, the rollback target). */
  private async waitForeignDeployment(timeoutSeconds: number, why: "planned" | "moved"): Promise<void> {
    const seconds = positive(timeoutSeconds);
    this.ctx.step(
      "wait-foreign-deployment",
      `waiting for the deployment ${why === "moved" ? "someone else started since preflight" : "already in progress"} on ${this.ctx.service} to finish (up to ${formatSeconds(seconds)})`,
    );
    const end = await waitForSettled(this.ctx.observe(), this.ctx.deps.clock.now() + seconds * 1000, (s) =>
      this.ctx.currentServiceDeployment(s),
    );
    if (end.kind === "aborted") throw this.ctx.interrupted();
    if (end.kind === "unreadable") throw this.ctx.unknown(end.error);
    if (end.kind === "timeout") {
      throw this.ctx.fail({
        code: "TIMEOUT",
        message: `the deployment already in progress on ${this.ctx.service} did not finish within ${formatSeconds(seconds)}; ${why === "planned" ? "deployer changed nothing" : "deployer did not update the service"}`,
        ...where(this.ctx, "ecs:DescribeServices"),
        hint: "wait for it (or stop it) and run the command again, or raise --timeout",
      });
    }
    const s = end.value;
    if (s.kind === "missing" || s.kind === "inactive")
      throw this.ctx.fail(serviceGone(this.ctx, s.kind === "inactive" ? s.status : undefined));
    if (s.kind === "failed") {
      throw this.ctx.fail(
        {
          code: "DEPLOYMENT_FAILED",
          message: `the deployment already in progress on ${this.ctx.service}${s.deployment ? ` (${taskDefinitionName(s.deployment.taskDefinition)})` : ""} failed; deployer did not deploy over it and changed nothing`,
          ...where(this.ctx, "ecs:DescribeServices"),
          awsCode: "FAILED",
          awsMessage: s.reason,
          hint: "find out why that deployment failed (service events, stopped tasks) and roll it back before deploying",
        },
        { by: "none", ok: false },
      );
    }
    if (!isSettled(s)) return;
    const service = end.service;
    this.ctx.baseline = { primaryId: s.primary?.id, serviceDeploymentArn: service?.currentServiceDeployment };
    const now = s.primary?.taskDefinition;
    if (now && (s.kind === "stable" || s.kind === "scaled-to-zero") && this.ctx.rollbackTo?.taskDefinitionArn !== now) {
      this.ctx.emit({
        type: "warning",
        at: this.ctx.iso(),
        target: this.ctx.name,
        message: `the finished deployment left ${taskDefinitionName(now)} running (the plan saw ${this.ctx.previousTaskDefinitionArn ? taskDefinitionName(this.ctx.previousTaskDefinitionArn) : "nothing"}); a rollback would restore ${taskDefinitionName(now)}`,
      });
      this.ctx.rollbackTo = {
        taskDefinitionArn: now,
        source: "steady-state",
        evidence: `${s.primary?.id ?? "its deployment"} COMPLETED before deployer's update`,
      };
    }
    if (now) this.ctx.previousTaskDefinitionArn = now;
    this.ctx.done(
      "wait-foreign-deployment",
      `the earlier deployment finished; ${now ? taskDefinitionName(now) : "the service"} is ${s.kind === "degraded" ? `degraded (${s.reason})` : "running"}`,
    );
  }

  private async register(tags: Record<string, string>): Promise<void> {
    const desired = this.ctx.deps.plan.desired;
    this.ctx.step("register-task-definition", `registering a new revision of ${desired.family}`);
    const live = await this.ctx.call(
      {
        action: "ecs:RegisterTaskDefinition",
        resource: regionalArn("ecs", this.ctx.deps.plan.target.region, this.ctx.account, `task-definition/${desired.family}`),
        hint: "check the task definition and that the deploy role may register it and pass its roles",
      },
      () => this.ctx.deps.session.ecs.registerTaskDefinition(desired, tags),
    );
    this.ctx.taskDefinitionArn = live.arn;
    this.ctx.done("register-task-definition", `registered ${taskDefinitionName(live.arn)}`);
  }

  private async reuse(arn: string): Promise<void> {
    this.ctx.taskDefinitionArn = arn;
    this.ctx.reused = true;
    this.ctx.done("reuse-task-definition", `reusing ${taskDefinitionName(arn)} (already registered)`);
  }

  private async updateService(step: Extract<Step, { kind: "update-service" }>): Promise<void> {
    const arn = this.ctx.taskDefinitionArn;
    if (!arn) {
      throw this.ctx.fail({
        code: "PLAN_INVALID",
        message: `the plan for ${this.ctx.name} updates the service before registering or choosing a task definition`,
        target: this.ctx.name,
        account: this.ctx.account,
        hint: "make the plan again",
      });
    }
    await this.guardBeforeDeploy(Boolean(step.waitForInProgress));
    this.ctx.step(
      "update-service",
      `updating ${this.ctx.service} to ${taskDefinitionName(arn)}${step.forceNewDeployment ? " (new deployment of the same revision)" : ""}`,
    );
    const service = await this.ctx.call({ action: "ecs:UpdateService", resource: this.ctx.serviceResource }, () =>
      this.ctx.deps.session.ecs.updateService(
        this.ctx.cluster,
        this.ctx.service,
        arn,
        step.forceNewDeployment ? { forceNewDeployment: true } : undefined,
      ),
    );
    this.ctx.serviceUpdated = true;
    this.adoptDeployment(service, arn);
    this.ctx.done(
      "update-service",
      `service updated${this.ctx.deploymentId ? `: deployment ${this.ctx.deploymentId}` : ""}${this.ctx.native && this.ctx.serviceDeploymentArn ? ` (${service.strategy} service deployment ${serviceDeploymentId(this.ctx.serviceDeploymentArn)})` : ""}`,
    );
  }

  /** Remember which deployment UpdateService started, and how the service deploys. */
  private adoptDeployment(service: LiveService, arn: string): void {
    this.ctx.deploymentId = deploymentFor(service, arn).id;
    this.ctx.serviceDeploymentArn = service.currentServiceDeployment;
    this.ctx.native = isNativeStrategy(service);
    this.ctx.hookStages = service.lifecycleHookStages ?? [];
    this.ctx.bakeMinutes = bakeMinutesOf(service);
    seedEvents(this.ctx.observe(), service);
  }

  /** Take over the wait (and, on failure, the rollback) of a deployment an earlier run started. */
  private async resumeWait(step: Extract<Step, { kind: "resume-wait" }>): Promise<void> {
    this.ctx.taskDefinitionArn = step.taskDefinitionArn;
    this.ctx.deploymentId = step.deploymentId;
    if (step.serviceDeploymentArn) this.ctx.serviceDeploymentArn = step.serviceDeploymentArn;
    if (step.previousTaskDefinitionArn) this.ctx.previousTaskDefinitionArn = step.previousTaskDefinitionArn;
    this.ctx.serviceUpdated = true;
    this.ctx.resumed = true;
    this.ctx.done(
      "resume-wait",
      `deployment ${step.deploymentId} of ${taskDefinitionName(step.taskDefinitionArn)} was started by an earlier run; waiting for it`,
    );
    return this.waitStable(step.timeoutSeconds);
  }

  private async waitStable(timeoutSeconds: number): Promise<void> {
    const arn = this.ctx.taskDefinitionArn;
    if (!arn || !this.ctx.serviceUpdated) {
      throw this.ctx.fail({
        code: "PLAN_INVALID",
        message: `the plan for ${this.ctx.name} waits for a deployment it did not start`,
        target: this.ctx.name,
        account: this.ctx.account,
        hint: "make the plan again",
      });
    }
    if (this.ctx.native && this.ctx.serviceDeploymentArn) return this.waitNative(arn, positive(timeoutSeconds));
    const seconds = positive(timeoutSeconds);
    const ref: DeploymentRef = { id: this.ctx.deploymentId, taskDefinitionArn: arn };
    this.ctx.step("wait-stable", `waiting for ${taskDefinitionName(arn)} to become stable (up to ${formatSeconds(seconds)})`);
    const end = await waitForDeployment(this.ctx.observe(), ref, this.ctx.deps.clock.now() + seconds * 1000);
    if (end.kind === "aborted") throw this.ctx.interrupted();
    if (end.kind === "unreadable") throw this.ctx.unknown(end.error);
    if (end.kind === "timeout") {
      const d = end.last?.deployments.find((x) => x.id === this.ctx.deploymentId);
      throw await failAndRollBack(
        this.ctx,
        {
          code: "TIMEOUT",
          message: `${taskDefinitionName(arn)} did not become stable on ${this.ctx.service} within ${formatSeconds(seconds)}${d ? ` (running ${d.runningCount}/${d.desiredCount}, pending ${d.pendingCount}${d.failedTasks ? `, ${d.failedTasks} failed tasks` : ""})` : ""}`,
          ...where(this.ctx, "ecs:DescribeServices"),
          hint: "look at the service events and the stopped tasks' reasons; if the service is just slow to start, raise --timeout",
        },
        seconds,
      );
    }
    const s = end.value;
    switch (s.state) {
      case "completed":
        this.ctx.done(
          "wait-stable",
          `${taskDefinitionName(arn)} is stable (running ${s.deployment.runningCount}/${s.deployment.desiredCount})`,
        );
        return;
      case "service-gone":
        this.ctx.serviceUpdated = false;
        throw this.ctx.fail(serviceGone(this.ctx, s.status));
      case "failed": {
        const trigger = await this.triggerOf(s.trigger, end.service);
        const error = failedError(
          this.ctx,
          `deployment ${s.deployment.id} of ${taskDefinitionName(arn)} failed on ${this.ctx.service}${s.reason ? `: ${s.reason}` : ""}`,
          s.reason,
          trigger,
        );
        if (s.ecsRollback || s.ecsRollbackExpected) throw await failWithEcsRollback(this.ctx, error, s.deployment.id, seconds, trigger);
        throw await failAndRollBack(this.ctx, error, seconds);
      }
      case "replaced": {
        const primary = s.primary;
        const back = this.ctx.rollbackTo?.taskDefinitionArn ?? this.ctx.previousTaskDefinitionArn;
        if (s.ecsRollbackExpected && primary && primary.taskDefinition !== arn && primary.taskDefinition === back) {
          // ECS failed our deployment and its rollback already replaced it between two polls.
          const trigger = await this.triggerOf(failureTrigger(end.service, undefined), end.service);
          const error = failedError(
            this.ctx,
            `deployment ${this.ctx.deploymentId ? `${this.ctx.deploymentId} ` : ""}of ${taskDefinitionName(arn)} failed on ${this.ctx.service}: ECS rolled back to ${taskDefinitionName(primary.taskDefinition)}`,
            undefined,
            trigger,
          );
          throw await failWithEcsRollback(this.ctx, error, this.ctx.deploymentId, seconds, trigger);
        }
        this.ctx.serviceUpdated = false;
        throw this.ctx.fail(replacedError(this.ctx, primary ? `${primary.id}, ${taskDefinitionName(primary.taskDefinition)}` : undefined), {
          by: "none",
          ok: false,
        });
      }
    }
  }

  /** BLUE_GREEN / LINEAR / CANARY: follow the service deployment until it is SUCCESSFUL or rolled back. */
  private async waitNative(arn: string, seconds: number): Promise<void> {
    const sdArn = this.ctx.serviceDeploymentArn!;
    const ecs = this.ctx.deps.session.ecs;
    if (!ecs.describeServiceDeployments) {
      throw this.ctx.fail({
        code: "AWS_ERROR",
        message: `deployer cannot follow ${this.ctx.service}'s service deployment: this endpoint has no DescribeServiceDeployments`,
        ...where(this.ctx, "ecs:DescribeServiceDeployments"),
      });
    }
    // Bake time is part of the deployment: the wait gets it on top of --timeout.
    const bakeMs = this.ctx.bakeMinutes * 60_000;
    this.ctx.step(
      "wait-stable",
      `waiting for service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} to be SUCCESSFUL (up to ${formatSeconds(seconds)}${bakeMs > 0 ? `, plus ${formatSeconds(this.ctx.bakeMinutes * 60)} of bake time once production traffic shifts` : ""})`,
    );
    const end = await waitForServiceDeployment(this.ctx.observe(), ecs, sdArn, this.ctx.deps.clock.now() + seconds * 1000, {
      hookStages: this.ctx.hookStages,
      endOnRollbackStart: false,
      bakeMs,
    });
    if (end.kind === "aborted") throw this.ctx.interrupted();
    if (end.kind === "unreadable") throw this.ctx.unknown(end.error, "ecs:DescribeServiceDeployments");
    if (end.kind === "timeout") {
      throw await failAndStop(
        this.ctx,
        {
          code: "TIMEOUT",
          message: `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} did not finish on ${this.ctx.service} within ${formatSeconds(seconds)}${bakeMs > 0 ? ` plus its bake time` : ""}${end.last ? ` (running ${primaryDeployment(end.last)?.runningCount ?? 0}/${end.last.desiredCount})` : ""}`,
          ...where(this.ctx, "ecs:DescribeServiceDeployments", sdArn),
          hint: "look at the service events and the stopped tasks' reasons; if the service is just slow to start, raise --timeout",
        },
        seconds,
      );
    }
    const p = end.value;
    switch (p.state) {
      case "completed":
        this.ctx.done("wait-stable", `${taskDefinitionName(arn)} is live: service deployment ${serviceDeploymentId(sdArn)} SUCCESSFUL`);
        return;
      case "missing":
        this.ctx.serviceUpdated = false;
        throw this.ctx.fail(
          {
            code: "AWS_ERROR",
            message: `service deployment ${serviceDeploymentId(sdArn)} is no longer known to ECS`,
            ...where(this.ctx, "ecs:DescribeServiceDeployments", sdArn),
            hint: `check \`deployer status --env ${this.ctx.name}\``,
          },
          { by: "none", ok: false },
        );
      case "rolling-back":
      case "rolled-back":
      case "rollback-failed": {
        const error = failedError(
          this.ctx,
          `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} failed on ${this.ctx.service}${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
          p.sd.statusReason,
          p.trigger,
        );
        this.ctx.serviceUpdated = false;
        const to = await rollbackRevisionOf(this.ctx, p.sd);
        if (p.state === "rolled-back") {
          this.ctx.done("rollback", `ECS rolled back (${describeTrigger(p.trigger)})${to ? ` to ${taskDefinitionName(to)}` : ""}`);
          throw new TargetEnded("failed", error, { by: "ecs", ok: true, trigger: p.trigger, ...(to ? { toTaskDefinitionArn: to } : {}) });
        }
        throw new TargetEnded("failed", error, {
          by: "ecs",
          ok: false,
          trigger: p.trigger,
          ...(to ? { toTaskDefinitionArn: to } : {}),
          error: this.ctx.info({
            code: "ROLLBACK_FAILED",
            message: `ECS's rollback of service deployment ${serviceDeploymentId(sdArn)} failed${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
            ...where(this.ctx, "ecs:DescribeServiceDeployments", sdArn),
            hint: `the service may be unhealthy: check \`deployer status --env ${this.ctx.name}\` and the service events`,
          }),
        });
      }
      case "stopped": {
        this.ctx.serviceUpdated = false;
        const current = end.service?.currentServiceDeployment;
        if (current && current !== sdArn)
          throw this.ctx.fail(replacedError(this.ctx, `service deployment ${serviceDeploymentId(current)}`), { by: "none", ok: false });
        const error = failedError(
          this.ctx,
          `service deployment ${serviceDeploymentId(sdArn)} of ${taskDefinitionName(arn)} was STOPPED on ${this.ctx.service}${p.sd.statusReason ? `: ${p.sd.statusReason}` : ""}`,
          p.sd.statusReason,
          p.trigger,
        );
        throw new TargetEnded(
          "failed",
          {
            ...error,
            hint: `ECS stopped it without rolling back: check \`deployer status --env ${this.ctx.name}\`, then \`deployer rollback --env ${this.ctx.name}\` if the service needs the revision before`,
          },
          { by: "none", ok: false },
        );
      }
    }
  }

  /**
   * Right before UpdateService: read the service again. If it moved since preflight (another
   * deployment started, finished or is in flight), someone else is deploying it: wait for them with
   * --wait-for-in-progress, else stop without writing.
   */
  private async guardBeforeDeploy(waitForInProgress: boolean): Promise<void> {
    const service = await this.ctx.readService();
    let current: ServiceDeploymentInfo | undefined;
    try {
      current = await this.ctx.currentServiceDeployment(service);
    } catch (e) {
      throw this.ctx.unknown(e, "ecs:DescribeServiceDeployments");
    }
    const state = serviceState(service, current);
    if (state.kind === "missing" || state.kind === "inactive")
      throw this.ctx.fail(serviceGone(this.ctx, state.kind === "inactive" ? state.status : undefined));
    const moved = this.movedSince(service!, state);
    if (!moved) return;
    if (waitForInProgress) {
      this.ctx.emit({
        type: "warning",
        at: this.ctx.iso(),
        target: this.ctx.name,
        message: `${this.ctx.service} moved since preflight: ${moved}; waiting for it (--wait-for-in-progress)`,
      });
      await this.waitForeignDeployment(this.ctx.timeoutOf("wait-stable"), "moved");
      return;
    }
    throw this.ctx.fail(
      {
        code: "DEPLOYMENT_IN_PROGRESS",
        message: `${this.ctx.service} moved since preflight: ${moved}; deployer did not update it (someone else is deploying this service)`,
        ...where(this.ctx, "ecs:DescribeServices"),
        hint: `check \`deployer status --env ${this.ctx.name}\` and run the command again, or pass --wait-for-in-progress to wait for their deployment first`,
      },
      { by: "none", ok: false },
    );
  }

  /** How the service moved since the baseline, in words; undefined when it did not. */
  private movedSince(service: LiveService, state: ServiceState): string | undefined {
    const primary = primaryDeployment(service);
    if (state.kind === "in-progress" || state.kind === "rolling-back") return state.reason;
    if (this.ctx.baseline.primaryId && primary && primary.id !== this.ctx.baseline.primaryId) {
      return `deployment ${primary.id} (${taskDefinitionName(primary.taskDefinition)}) replaced ${this.ctx.baseline.primaryId}`;
    }
    if (
      this.ctx.baseline.serviceDeploymentArn &&
      service.currentServiceDeployment &&
      service.currentServiceDeployment !== this.ctx.baseline.serviceDeploymentArn
    ) {
      return `service deployment ${serviceDeploymentId(service.currentServiceDeployment)} started`;
    }
    return undefined;
  }

  /** What detected a failure, with the alarm names from the service deployment when ECS gives them. */
  private async triggerOf(seen: FailureTrigger, service: LiveService | undefined): Promise<FailureTrigger> {
    const arn = this.ctx.serviceDeploymentArn ?? service?.currentServiceDeployment;
    const ecs = this.ctx.deps.session.ecs;
    if (!arn || !ecs.describeServiceDeployments || (seen.by !== "unknown" && seen.by !== "alarm") || seen.alarms?.length) return seen;
    try {
      const sd = (await ecs.describeServiceDeployments([arn]))[0];
      const t = sd ? failureTrigger(service, undefined, sd) : seen;
      return t.by === "unknown" ? seen : t;
    } catch {
      return seen; // only for the report's words; the state is already known
    }
  }

  private finish(
    outcome: TargetOutcome,
    error: ErrorInfo | undefined,
    rollback: RollbackResult | undefined,
    message?: string,
  ): TargetResult {
    const { plan, clock } = this.ctx.deps;
    const finishedAt = clock.now();
    const startedAt = this.ctx.startedAt ?? finishedAt;
    const result: TargetResult = {
      target: plan.target,
      outcome,
      imageRef: plan.imageRef,
      checks: plan.checks,
      startedAt: isoAt(startedAt),
      finishedAt: isoAt(finishedAt),
      durationMs: finishedAt - startedAt,
    };
    if (this.ctx.previousTaskDefinitionArn) result.previousTaskDefinitionArn = this.ctx.previousTaskDefinitionArn;
    if (this.ctx.taskDefinitionArn) result.taskDefinitionArn = this.ctx.taskDefinitionArn;
    if (this.ctx.reused) result.reusedTaskDefinition = true;
    if (this.ctx.resumed) result.resumedDeployment = true;
    if (this.ctx.deploymentId) result.deploymentId = this.ctx.deploymentId;
    const last = this.ctx.completed.filter((s) => s !== "rollback").at(-1);
    if (last) result.lastStep = last;
    if (error) result.error = error;
    if (rollback) result.rollback = rollback;
    const tasks = [...this.tasks, ...skippedTaskResults(plan)];
    if (tasks.length > 0) result.tasks = tasks;
    this.result = result;
    this.ctx.emit({ type: "target-done", at: this.ctx.iso(), target: this.ctx.name, outcome, message: message ?? doneMessage(result) });
    return result;
  }
}
