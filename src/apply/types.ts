// What applying a plan produces: a stream of events (for the listr2 UI, the plain CI log, the
// GitHub Action groups) and a final RunReport (text, JSON, Markdown).
import type { ErrorInfo } from "../errors.js";
import type { TargetSummary } from "../plan/types.js";
import type { FailureTrigger } from "../ecs/deployment-state.js";
import type { CheckResult } from "../checks/check-result.js";

export type TargetOutcome =
  /** Deployed and stable. */
  | "deployed"
  /** Nothing to do: already running the desired definition. */
  | "unchanged"
  /** Failed; see `rollback` for what was done about it. */
  | "failed"
  /** Not started because an earlier target of the run failed, or preflight failed. */
  | "not-started"
  /** Interrupted (Ctrl-C) while in flight: `lastStep` says how far it got. */
  | "interrupted"
  /** Deployed, then rolled back because another target of its stage failed (`rollbackStage`). */
  | "rolled-back"
  /**
   * deployer could not read the service (expired credentials, throttling past retries, network):
   * what it is doing is unknown. Nothing more was written to it and nothing was rolled back; `error`
   * is the read's own error (code, message, hint). Look with `deployer status`.
   */
  | "unknown";

export interface RollbackResult {
  /** ecs: ECS rolled back (circuit breaker or alarms); deployer: deployer rolled back; none: not attempted. */
  by: "ecs" | "deployer" | "none";
  /** How deployer rolled back: UpdateService to a known-good revision, or StopServiceDeployment (ROLLBACK). */
  via?: "update-service" | "stop-service-deployment";
  /** What detected the failure ECS rolled back (alarm names when ECS says them). */
  trigger?: FailureTrigger;
  toTaskDefinitionArn?: string;
  ok: boolean;
  error?: ErrorInfo;
}

/**
 * A one-off task (`tasks:` of a service, issue 17) run in a target before any service of that target
 * is updated: RunTask with the new task definition and a command override, waited until STOPPED.
 */
export interface TaskRunResult {
  /** The task's name (its key under `tasks:`). */
  name: string;
  /** The container whose exit code decides (`container:`). */
  container: string;
  /**
   * succeeded: STOPPED with exit code 0 of `container`; failed: another exit code, no exit code (it
   * never ran), or the wait timed out; skipped: `--skip-tasks`, or its service was unchanged;
   * unknown: deployer could not read the task (the target then ends "unknown").
   */
  outcome: "succeeded" | "failed" | "skipped" | "unknown";
  taskArn?: string;
  taskDefinitionArn?: string;
  exitCode?: number;
  /** DescribeTasks stopCode (EssentialContainerExited, TaskFailedToStart, …) and stoppedReason. */
  stopCode?: string;
  stoppedReason?: string;
  /** The container's own reason (CannotPullContainerError …), when ECS gives one. */
  containerReason?: string;
  /** awslogs group and stream of the container, when its log configuration is awslogs. */
  logGroup?: string;
  logStream?: string;
  /** Why it was skipped. */
  skippedBecause?: string;
  error?: ErrorInfo;
  durationMs?: number;
}

export interface TargetResult {
  target: TargetSummary;
  /** The target's one-off tasks (issue 17), in the order they ran; absent when its service has none. */
  tasks?: TaskRunResult[];
  outcome: TargetOutcome;
  imageRef: string;
  previousTaskDefinitionArn?: string;
  taskDefinitionArn?: string;
  /** True when an identical revision registered by an earlier (killed) run was reused. */
  reusedTaskDefinition?: boolean;
  /** True when the deployment was started by an earlier (killed) run and this run only waited for it. */
  resumedDeployment?: boolean;
  deploymentId?: string;
  /** The last step that completed (register-task-definition, update-service, wait-stable, …). */
  lastStep?: string;
  checks: CheckResult[];
  error?: ErrorInfo;
  rollback?: RollbackResult;
  startedAt?: string;
  finishedAt?: string;
  durationMs?: number;
}

export interface RunReport {
  runId: string;
  command: string;
  service: string;
  image: { repository: string; tag?: string; digest: string };
  /** Per logical service, when the project has several (issue 17). */
  images?: Record<string, { repository: string; tag?: string; digest: string }>;
  startedAt: string;
  finishedAt: string;
  ok: boolean;
  interrupted: boolean;
  targets: TargetResult[];
  error?: ErrorInfo;
}

export type RunEvent =
  | { type: "stage-start"; at: string; stage: string; targets: string[] }
  | { type: "target-start"; at: string; target: string }
  | { type: "step"; at: string; target: string; step: string; message: string }
  | {
      type: "progress";
      at: string;
      target: string;
      message: string;
      running: number;
      pending: number;
      desired: number;
      rolloutState?: string;
    }
  | { type: "service-event"; at: string; target: string; message: string }
  | { type: "target-done"; at: string; target: string; outcome: TargetOutcome; message: string }
  | { type: "warning"; at: string; target?: string; message: string }
  | { type: "stage-done"; at: string; stage: string; ok: boolean };

export type RunEventSink = (event: RunEvent) => void;
