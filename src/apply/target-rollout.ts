// One target's rollout: execute the plan's steps for it (wait for someone else's deployment,
// register or reuse the task definition, update the service, wait for this deployment), and when it
// fails, see to the rollback: ECS's own (circuit breaker) or deployer's (update back to what ran
// before, and wait). Ctrl-C stops the waits at once and reports how far the target got.
import type { LiveService, TargetSession } from "../aws/ports.js";
import { DeployerError, toErrorInfo, type ErrorInfo } from "../errors.js";
import type { Step, TargetPlan } from "../plan/types.js";
import type { RollbackResult, RunEvent, RunEventSink, TargetOutcome, TargetResult } from "./types.js";
import type { Clock } from "./clock.js";
import { awsError, callAws, CallAborted, type AwsCallContext } from "./aws-call.js";
import { type DeploymentRef } from "./deployment-state.js";
import { seedEvents, waitForDeployment, waitForEcsRollback, waitForSettled, type ServiceObserver } from "./deployment-waiter.js";
import type { ServicePoller } from "./service-poller.js";
import { taskDefinitionName } from "../config/aws-names.js";

export const DEFAULT_TIMEOUT_SECONDS = 15 * 60;

/** How long to wait for ECS's circuit breaker to start its rollback before deployer rolls back itself. */
export const ECS_ROLLBACK_GRACE_MS = 60_000;

export interface TargetRolloutDeps {
  plan: TargetPlan;
  session: TargetSession;
  clock: Clock;
  poller: ServicePoller;
  signal?: AbortSignal;
  emit: RunEventSink;
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
  private previousTaskDefinitionArn?: string;
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
    const clusterName = t.cluster.startsWith("arn:") ? t.cluster.slice(t.cluster.lastIndexOf("/") + 1) : t.cluster;
    this.serviceResource = `arn:aws:ecs:${t.region}:${t.account}:service/${clusterName}/${t.service}`;
    this.previousTaskDefinitionArn = deps.plan.live?.taskDefinitionArn;
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
   * Put the task definition that ran before back (for `rollbackStage`: a sibling failed) and wait.
   * Only meaningful after `run()` deployed.
   */
  async revert(reason: string): Promise<TargetResult> {
    const before = this.result;
    if (!before || !this.serviceUpdated) throw new Error(`revert(${this.name}): target was not updated`);
    this.emit({ type: "target-start", at: this.iso(), target: this.name });
    const timeoutSeconds = this.timeoutOf("wait-stable");
    const rollback = await this.rollBack(timeoutSeconds, reason);
    const outcome: TargetOutcome = rollback.ok ? "rolled-back" : "failed";
    const error: ErrorInfo | undefined = rollback.ok
      ? undefined
      : rollback.error ?? { code: "ROLLBACK_FAILED", message: `rollback of ${this.name} failed`, target: this.name, account: this.account };
    return this.finish(outcome, error, rollback);
  }

  private async execute(step: Step): Promise<void> {
    switch (step.kind) {
      case "wait-foreign-deployment":
        return this.waitForeignDeployment(step.timeoutSeconds);
      case "register-task-definition":
        return this.register(step.tags);
      case "reuse-task-definition":
        return this.reuse(step.taskDefinitionArn);
      case "update-service":
        return this.updateService();
      case "wait-stable":
        return this.waitStable(step.timeoutSeconds);
      case "resume-wait":
        return this.resumeWait(step);
    }
  }

  // ---------- steps ----------

  private async waitForeignDeployment(timeoutSeconds: number): Promise<void> {
    const seconds = positive(timeoutSeconds);
    this.step("wait-foreign-deployment", `waiting for the deployment already in progress on ${this.service} to finish (up to ${formatSeconds(seconds)})`);
    const end = await waitForSettled(this.observe(), this.deps.clock.now() + seconds * 1000);
    if (end.kind === "aborted") throw this.interrupted();
    if (end.kind === "error") throw this.fail(this.describeError(end.error));
    if (end.kind === "timeout") {
      throw this.fail({
        code: "TIMEOUT",
        message: `the deployment already in progress on ${this.service} did not finish within ${formatSeconds(seconds)}; deployer changed nothing`,
        ...this.where("ecs:DescribeServices"),
        hint: "wait for it (or stop it) and run the command again, or raise --timeout",
      });
    }
    const s = end.value;
    if (s.state === "service-gone") throw this.fail(this.serviceGone(s.status));
    if (s.state === "failed") {
      throw this.fail({
        code: "DEPLOYMENT_FAILED",
        message: `the deployment already in progress on ${this.service} (${taskDefinitionName(s.primary.taskDefinition)}) failed; deployer did not deploy over it and changed nothing`,
        ...this.where("ecs:DescribeServices"),
        awsCode: "FAILED",
        awsMessage: s.reason,
        hint: "find out why that deployment failed (service events, stopped tasks) and roll it back before deploying",
      });
    }
    // Roll back to what runs now, which is what the earlier deployment put there.
    if (this.previousTaskDefinitionArn !== s.primary.taskDefinition) {
      this.emit({
        type: "warning",
        at: this.iso(),
        target: this.name,
        message: `the finished deployment left ${taskDefinitionName(s.primary.taskDefinition)} running (the plan saw ${this.previousTaskDefinitionArn ? taskDefinitionName(this.previousTaskDefinitionArn) : "nothing"}); a rollback would restore ${taskDefinitionName(s.primary.taskDefinition)}`,
      });
      this.previousTaskDefinitionArn = s.primary.taskDefinition;
    }
    this.done("wait-foreign-deployment", `the earlier deployment finished; ${taskDefinitionName(s.primary.taskDefinition)} is running`);
  }

  private async register(tags: Record<string, string>): Promise<void> {
    const desired = this.deps.plan.desired;
    this.step("register-task-definition", `registering a new revision of ${desired.family}`);
    const live = await this.call(
      { action: "ecs:RegisterTaskDefinition", resource: `arn:aws:ecs:${this.deps.plan.target.region}:${this.account}:task-definition/${desired.family}`, hint: "check the task definition and that the deploy role may register it and pass its roles" },
      () => this.deps.session.ecs.registerTaskDefinition(desired, tags),
    );
    this.taskDefinitionArn = live.arn;
    this.done("register-task-definition", `registered ${taskDefinitionName(live.arn)}`);
  }

  private async reuse(arn: string): Promise<void> {
    this.taskDefinitionArn = arn;
    this.reused = true;
    this.done("reuse-task-definition", `reusing ${taskDefinitionName(arn)} (identical revision registered by an earlier run)`);
  }

  private async updateService(): Promise<void> {
    const arn = this.taskDefinitionArn;
    if (!arn) {
      throw this.fail({ code: "PLAN_INVALID", message: `the plan for ${this.name} updates the service before registering or choosing a task definition`, target: this.name, account: this.account, hint: "make the plan again" });
    }
    this.step("update-service", `updating ${this.service} to ${taskDefinitionName(arn)}`);
    const service = await this.call({ action: "ecs:UpdateService", resource: this.serviceResource }, () =>
      this.deps.session.ecs.updateService(this.cluster, this.service, arn),
    );
    this.serviceUpdated = true;
    this.deploymentId = deploymentFor(service, arn).id;
    seedEvents(this.observe(), service);
    this.done("update-service", `service updated${this.deploymentId ? `: deployment ${this.deploymentId}` : ""}`);
  }

  /** Take over the wait (and, on failure, the rollback) of a deployment an earlier run started. */
  private async resumeWait(step: Extract<Step, { kind: "resume-wait" }>): Promise<void> {
    this.taskDefinitionArn = step.taskDefinitionArn;
    this.deploymentId = step.deploymentId;
    this.previousTaskDefinitionArn = step.previousTaskDefinitionArn;
    this.serviceUpdated = true;
    this.resumed = true;
    this.done("resume-wait", `deployment ${step.deploymentId} of ${taskDefinitionName(step.taskDefinitionArn)} was started by an earlier run; waiting for it`);
    return this.waitStable(step.timeoutSeconds);
  }

  private async waitStable(timeoutSeconds: number): Promise<void> {
    const arn = this.taskDefinitionArn;
    if (!arn || !this.serviceUpdated) {
      throw this.fail({ code: "PLAN_INVALID", message: `the plan for ${this.name} waits for a deployment it did not start`, target: this.name, account: this.account, hint: "make the plan again" });
    }
    const seconds = positive(timeoutSeconds);
    const ref: DeploymentRef = { id: this.deploymentId, taskDefinitionArn: arn };
    this.step("wait-stable", `waiting for ${taskDefinitionName(arn)} to become stable (up to ${formatSeconds(seconds)})`);
    const end = await waitForDeployment(this.observe(), ref, this.deps.clock.now() + seconds * 1000);
    if (end.kind === "aborted") throw this.interrupted();
    if (end.kind === "error") {
      throw await this.failAndRollBack(this.describeError(end.error), seconds);
    }
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
        this.done("wait-stable", `${taskDefinitionName(arn)} is stable (running ${s.deployment.runningCount}/${s.deployment.desiredCount})`);
        return;
      case "service-gone":
        this.serviceUpdated = false;
        throw this.fail(this.serviceGone(s.status));
      case "failed": {
        const error: ErrorInfo = {
          code: "DEPLOYMENT_FAILED",
          message: `deployment ${s.deployment.id} of ${taskDefinitionName(arn)} failed on ${this.service}${s.reason ? `: ${s.reason}` : ""}`,
          ...this.where("ecs:UpdateService"),
          awsCode: "FAILED",
          awsMessage: s.reason,
          hint: "the deployment circuit breaker stopped it: look at the service events and the stopped tasks' reasons (container exit, failing health check, image pull)",
        };
        if (s.ecsRollback || s.ecsRollbackExpected) throw await this.failWithEcsRollback(error, s.deployment.id, seconds);
        throw await this.failAndRollBack(error, seconds);
      }
      case "replaced": {
        const primary = s.primary;
        if (s.ecsRollbackExpected && primary && primary.taskDefinition !== arn && primary.taskDefinition === this.previousTaskDefinitionArn) {
          // The breaker failed our deployment and ECS's rollback already replaced it between two polls.
          const error: ErrorInfo = {
            code: "DEPLOYMENT_FAILED",
            message: `deployment ${this.deploymentId ? `${this.deploymentId} ` : ""}of ${taskDefinitionName(arn)} failed on ${this.service}: ECS rolled back to ${taskDefinitionName(primary.taskDefinition)}`,
            ...this.where("ecs:UpdateService"),
            hint: "the deployment circuit breaker stopped it: look at the service events and the stopped tasks' reasons (container exit, failing health check, image pull)",
          };
          throw await this.failWithEcsRollback(error, this.deploymentId, seconds);
        }
        this.serviceUpdated = false;
        throw this.fail(
          {
            code: "DEPLOYMENT_FAILED",
            message: `another deployment${primary ? ` (${primary.id}, ${taskDefinitionName(primary.taskDefinition)})` : ""} replaced ours on ${this.service} before it finished`,
            ...this.where("ecs:DescribeServices"),
            hint: "someone else deployed this service during the run; deployer did not roll back over their deployment. Check `deployer status` and run again",
          },
          { by: "none", ok: false },
        );
      }
    }
  }

  // ---------- failures and rollbacks ----------

  /** ECS's circuit breaker rolls back: wait for its rollback deployment to complete. */
  private async failWithEcsRollback(error: ErrorInfo, failedId: string | undefined, seconds: number): Promise<TargetEnded> {
    this.step("rollback", `waiting for ECS's circuit breaker to roll back${this.previousTaskDefinitionArn ? ` to ${taskDefinitionName(this.previousTaskDefinitionArn)}` : ""}`);
    const obs = this.observe();
    obs.watch.restart();
    const now = this.deps.clock.now();
    const end = await waitForEcsRollback(obs, failedId, Math.min(now + ECS_ROLLBACK_GRACE_MS, now + seconds * 1000), now + seconds * 1000);
    if (end.kind === "aborted") {
      return new TargetEnded("failed", error, {
        by: "ecs",
        toTaskDefinitionArn: this.previousTaskDefinitionArn,
        ok: false,
        error: this.info({ code: "INTERRUPTED", message: "interrupted while ECS was rolling back; the rollback continues in ECS", hint: `check it with \`deployer status --env ${this.name}\`` }),
      });
    }
    if (end.kind === "done" && end.value.state === "not-started") {
      this.emit({ type: "warning", at: this.iso(), target: this.name, message: `ECS did not start a rollback within ${formatSeconds(ECS_ROLLBACK_GRACE_MS / 1000)}; deployer rolls back itself` });
      return new TargetEnded("failed", error, await this.rollBack(seconds));
    }
    if (end.kind === "done" && end.value.state === "completed") {
      this.serviceUpdated = false;
      const to = end.value.deployment.taskDefinition;
      this.done("rollback", `ECS rolled back to ${taskDefinitionName(to)}`);
      return new TargetEnded("failed", error, { by: "ecs", toTaskDefinitionArn: to, ok: true });
    }
    const why =
      end.kind === "timeout"
        ? `ECS's rollback did not complete within ${formatSeconds(seconds)}`
        : end.kind === "error"
          ? `the service could not be read while ECS rolled back: ${this.describeError(end.error).message}`
          : end.value.state === "failed"
            ? `ECS's rollback deployment failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
            : "the service disappeared while ECS rolled back";
    return new TargetEnded("failed", error, {
      by: "ecs",
      toTaskDefinitionArn: this.previousTaskDefinitionArn,
      ok: false,
      error: this.info({
        code: "ROLLBACK_FAILED",
        message: why,
        action: "ecs:DescribeServices",
        resource: this.serviceResource,
        hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\` and the service events${this.previousTaskDefinitionArn ? `; \`deployer rollback --env ${this.name} --to ${this.previousTaskDefinitionArn}\` puts the previous revision back` : ""}`,
      }),
    });
  }

  /** Deployer rolls back: update the service to what it ran before, and wait. */
  private async failAndRollBack(error: ErrorInfo, seconds: number): Promise<TargetEnded> {
    this.emit({ type: "warning", at: this.iso(), target: this.name, message: error.message });
    const rollback = await this.rollBack(seconds);
    return new TargetEnded("failed", error, rollback);
  }

  private async rollBack(seconds: number, reason?: string): Promise<RollbackResult> {
    const to = this.previousTaskDefinitionArn;
    if (!to) {
      return {
        by: "none",
        ok: false,
        error: this.info({ code: "ROLLBACK_FAILED", message: "no previous task definition is known, so deployer could not roll back", hint: "put a known-good revision back with `deployer rollback --env NAME --to ARN`" }),
      };
    }
    this.step("rollback", `rolling back to ${taskDefinitionName(to)}${reason ? ` (${reason})` : ""}`);
    let service: LiveService;
    try {
      service = await this.call({ action: "ecs:UpdateService", resource: this.serviceResource }, () => this.deps.session.ecs.updateService(this.cluster, this.service, to));
    } catch (e) {
      if (e instanceof TargetEnded) {
        const cause = e.error;
        const error: ErrorInfo | undefined =
          cause?.code === "INTERRUPTED"
            ? cause
            : cause && { ...cause, code: "ROLLBACK_FAILED", message: `rollback to ${taskDefinitionName(to)} failed: ${cause.message}`, hint: cause.hint ?? `retry with \`deployer rollback --env ${this.name} --to ${to}\`` };
        return { by: "deployer", toTaskDefinitionArn: to, ok: false, error };
      }
      throw e;
    }
    const ref: DeploymentRef = { id: deploymentFor(service, to).id, taskDefinitionArn: to };
    const obs = this.observe();
    obs.watch.restart();
    const end = await waitForDeployment(obs, ref, this.deps.clock.now() + seconds * 1000);
    if (end.kind === "done" && end.value.state === "completed") {
      this.serviceUpdated = false;
      this.done("rollback", `rolled back to ${taskDefinitionName(to)}`);
      return { by: "deployer", toTaskDefinitionArn: to, ok: true };
    }
    if (end.kind === "aborted") {
      this.serviceUpdated = false;
      return {
        by: "deployer",
        toTaskDefinitionArn: to,
        ok: false,
        error: this.info({ code: "INTERRUPTED", message: `interrupted while rolling back to ${taskDefinitionName(to)}; the rollback deployment continues in ECS`, hint: `check it with \`deployer status --env ${this.name}\`` }),
      };
    }
    const why =
      end.kind === "timeout"
        ? `the rollback to ${taskDefinitionName(to)} did not become stable within ${formatSeconds(seconds)}`
        : end.kind === "error"
          ? `the service could not be read during the rollback: ${this.describeError(end.error).message}`
          : end.value.state === "failed"
            ? `the rollback deployment to ${taskDefinitionName(to)} failed too${end.value.reason ? `: ${end.value.reason}` : ""}`
            : end.value.state === "replaced"
              ? "another deployment replaced the rollback deployment"
              : "the service disappeared during the rollback";
    return {
      by: "deployer",
      toTaskDefinitionArn: to,
      ok: false,
      error: this.info({ code: "ROLLBACK_FAILED", message: why, action: "ecs:UpdateService", resource: this.serviceResource, hint: `the service may be unhealthy: check \`deployer status --env ${this.name}\` and the service events` }),
    };
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
    };
    return this.observer;
  }

  private fail(error: ErrorInfo, rollback?: RollbackResult): TargetEnded {
    return new TargetEnded("failed", error, rollback);
  }

  private interrupted(): TargetEnded {
    return new TargetEnded("interrupted", this.info({ code: "INTERRUPTED", message: `interrupted: ${this.howFar()}`, hint: this.interruptHint() }));
  }

  /** How far the target got, in words: what is done and what may still be going on in AWS. */
  private howFar(): string {
    const parts: string[] = [];
    if (this.completed.includes("wait-foreign-deployment")) parts.push("earlier deployment finished");
    if (this.completed.includes("register-task-definition") && this.taskDefinitionArn) parts.push(`task definition ${taskDefinitionName(this.taskDefinitionArn)} registered`);
    if (this.completed.includes("reuse-task-definition") && this.taskDefinitionArn) parts.push(`task definition ${taskDefinitionName(this.taskDefinitionArn)} reused`);
    if (this.completed.includes("update-service")) parts.push("service updated");
    if (this.unansweredCall === "ecs:RegisterTaskDefinition") parts.push("RegisterTaskDefinition was sent but not answered (a revision may have been registered)");
    else if (this.unansweredCall === "ecs:UpdateService") parts.push("UpdateService was sent but not answered (the service may be deploying)");
    else if (this.serviceUpdated && !this.completed.includes("wait-stable")) parts.push(`deployment${this.deploymentId ? ` ${this.deploymentId}` : ""} still running in ECS`);
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
      startedAt: new Date(startedAt).toISOString(),
      finishedAt: new Date(finishedAt).toISOString(),
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
    return new Date(this.deps.clock.now()).toISOString();
  }

  private info(e: Omit<ErrorInfo, "target" | "account">): ErrorInfo {
    return { ...e, target: this.name, account: this.account };
  }

  private where(action: string): Pick<ErrorInfo, "target" | "account" | "action" | "resource"> {
    return { target: this.name, account: this.account, action, resource: this.serviceResource };
  }

  private describeError(e: unknown): ErrorInfo {
    return toErrorInfo(awsError(e, { target: this.name, account: this.account, action: "ecs:DescribeServices", resource: this.serviceResource }));
  }

  private serviceGone(status: string | undefined): ErrorInfo {
    return {
      code: status ? "SERVICE_INACTIVE" : "SERVICE_NOT_FOUND",
      message: status ? `service ${this.service} became ${status} during the deployment` : `service ${this.service} disappeared during the deployment`,
      ...this.where("ecs:DescribeServices"),
      hint: "someone deleted or deactivated the service while deployer was running; nothing can be rolled back",
    };
  }

  private timeoutOf(kind: "wait-stable"): number {
    const step = this.deps.plan.steps.find((s) => s.kind === kind) as { timeoutSeconds?: number } | undefined;
    return positive(step?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  }
}

/** The deployment UpdateService started: the PRIMARY one carrying `arn`. */
function deploymentFor(service: LiveService, arn: string): { id?: string } {
  const d = service.deployments.find((x) => x.status === "PRIMARY" && x.taskDefinition === arn) ?? service.deployments.find((x) => x.taskDefinition === arn);
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
          ? "; not rolled back"
          : `; ${rb.ok ? "rolled back" : "rollback FAILED"} by ${rb.by}${rb.toTaskDefinitionArn ? ` to ${taskDefinitionName(rb.toTaskDefinitionArn)}` : ""}`;
      return `${(r.error?.message ?? "failed").replace(/\.$/, "")}${rollback}`;
    }
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
    message: e instanceof Error ? e.message : String(e),
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
