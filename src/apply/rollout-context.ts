// What one target's rollout knows while it runs (its target, the task definition and deployment it
// started, where a failure rolls back to, how far it got), and the means its steps
// (target-rollout.ts) and its rollbacks (target-rollback.ts) share: calling AWS, reading the
// service, reporting events, ending the target.
import type { LiveService, ServiceDeploymentInfo, TargetSession } from "../aws/ports.js";
import { DeployerError, toErrorInfo, type ErrorInfo, errorMessage } from "../errors.js";
import type { Step, TargetPlan } from "../plan/types.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";
import type { RollbackResult, RunEvent, RunEventSink, TargetOutcome } from "./types.js";
import { isoAt, type Clock } from "./clock.js";
import { awsError, callAws, CallAborted, type AwsCallContext } from "./aws-call.js";
import { isNativeStrategy } from "../ecs/deployment-state.js";
import type { ServiceObserver } from "./deployment-waiter.js";
import type { ServicePoller } from "./service-poller.js";
import { ecsServiceArn } from "../config/aws-names.js";
import { howFar, interruptHint } from "./rollout-messages.js";

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

export type StepName = Step["kind"] | "rollback";

/** Thrown inside a rollout to end it: the target's outcome and error are decided. */
export class TargetEnded extends Error {
  constructor(
    readonly outcome: TargetOutcome,
    readonly error: ErrorInfo | undefined,
    readonly rollback?: RollbackResult,
  ) {
    super(error?.message ?? outcome);
  }
}

export class RolloutContext {
  readonly name: string;
  readonly account: string;
  readonly cluster: string;
  readonly service: string;
  readonly serviceResource: string;
  readonly completed: StepName[] = [];
  taskDefinitionArn?: string;
  reused = false;
  resumed = false;
  deploymentId?: string;
  /** The service deployment UpdateService started (every strategy; BLUE_GREEN / LINEAR / CANARY are followed through it). */
  serviceDeploymentArn?: string;
  previousTaskDefinitionArn?: string;
  /** Where a failure rolls back to: a revision known to have run healthy (never an unproven one). */
  rollbackTo?: KnownGoodRevision;
  /** What the service looked like when planned (or after the deployment deployer waited for). */
  baseline: { primaryId?: string; serviceDeploymentArn?: string };
  native: boolean;
  hookStages: string[] = [];
  bakeMinutes = 0;
  /** The service points at our task definition (UpdateService succeeded and nothing reverted it). */
  serviceUpdated = false;
  /** A write whose answer we stopped waiting for (Ctrl-C), e.g. `ecs:RegisterTaskDefinition`. */
  unansweredCall?: string;
  observer?: ServiceObserver;
  startedAt?: number;

  constructor(readonly deps: TargetRolloutDeps) {
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

  /**
   * DescribeServices now (batched through the poller with the other reads due now). A read that
   * still fails after GUARD_READ_ATTEMPTS tries ends the target as unknown.
   */
  async readService(): Promise<LiveService | undefined> {
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
  async currentServiceDeployment(service: LiveService | undefined): Promise<ServiceDeploymentInfo | undefined> {
    const arn = service?.currentServiceDeployment;
    const ecs = this.deps.session.ecs;
    if (!arn || !isNativeStrategy(service) || !ecs.describeServiceDeployments) return undefined;
    return (await ecs.describeServiceDeployments([arn]))[0];
  }

  async call<T>(ctx: Omit<AwsCallContext, "target" | "account">, fn: () => Promise<T>): Promise<T> {
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

  observe(): ServiceObserver {
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

  fail(error: ErrorInfo, rollback?: RollbackResult): TargetEnded {
    return new TargetEnded("failed", error, rollback);
  }

  /**
   * The service could not be read: the target's state is unknown. Its error is the read's own
   * (code, message and hint: e.g. expired credentials and how to renew them); nothing more is
   * written to the service and nothing is rolled back.
   */
  unknown(e: unknown, action = "ecs:DescribeServices"): TargetEnded {
    const error = this.readError(e, action);
    this.emit({
      type: "warning",
      at: this.iso(),
      target: this.name,
      message: `could not read ${this.service}: its state is unknown; deployer writes nothing more to it (look with \`deployer status --env ${this.name}\`)`,
    });
    return new TargetEnded("unknown", error);
  }

  readError(e: unknown, action = "ecs:DescribeServices"): ErrorInfo {
    return toErrorInfo(awsError(e, { target: this.name, account: this.account, action, resource: this.serviceResource }));
  }

  /** A rollback whose outcome could not be read: STATE_UNKNOWN, carrying the read's error in words. */
  stateUnknownInfo(e: unknown, when: string): ErrorInfo {
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

  interrupted(): TargetEnded {
    return new TargetEnded(
      "interrupted",
      this.info({ code: "INTERRUPTED", message: `interrupted: ${howFar(this)}`, hint: interruptHint(this) }),
    );
  }

  step(step: StepName, message: string): void {
    this.emit({ type: "step", at: this.iso(), target: this.name, step, message });
  }

  done(step: StepName, message: string): void {
    this.completed.push(step);
    this.emit({ type: "step", at: this.iso(), target: this.name, step, message });
  }

  emit(e: RunEvent): void {
    this.deps.emit(e);
  }

  iso(): string {
    return isoAt(this.deps.clock);
  }

  info(e: Omit<ErrorInfo, "target" | "account">): ErrorInfo {
    return { ...e, target: this.name, account: this.account };
  }

  timeoutOf(kind: "wait-stable"): number {
    const step = this.deps.plan.steps.find((s) => s.kind === kind || s.kind === "resume-wait") as { timeoutSeconds?: number } | undefined;
    return positive(step?.timeoutSeconds ?? DEFAULT_TIMEOUT_SECONDS);
  }
}

/** The deployment UpdateService started: the PRIMARY one carrying `arn`. */
export function deploymentFor(service: LiveService, arn: string): { id?: string } {
  const d =
    service.deployments.find((x) => x.status === "PRIMARY" && x.taskDefinition === arn) ??
    service.deployments.find((x) => x.taskDefinition === arn);
  return { id: d?.id };
}

export function positive(seconds: number | undefined): number {
  return typeof seconds === "number" && Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIMEOUT_SECONDS;
}
