// What applying a plan produces: a stream of events (for the listr2 UI, the plain CI log, the
// GitHub Action groups) and a final RunReport (text, JSON, Markdown).
import type { ErrorInfo } from "../errors.js";
import type { CheckResult, TargetSummary } from "../plan/types.js";

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
  | "rolled-back";

export interface RollbackResult {
  /** ecs: the circuit breaker rolled back; deployer: deployer updated the service back; none: not attempted. */
  by: "ecs" | "deployer" | "none";
  toTaskDefinitionArn?: string;
  ok: boolean;
  error?: ErrorInfo;
}

export interface TargetResult {
  target: TargetSummary;
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
  | { type: "progress"; at: string; target: string; message: string; running: number; pending: number; desired: number; rolloutState?: string }
  | { type: "service-event"; at: string; target: string; message: string }
  | { type: "target-done"; at: string; target: string; outcome: TargetOutcome; message: string }
  | { type: "warning"; at: string; target?: string; message: string }
  | { type: "stage-done"; at: string; stage: string; ok: boolean };

export type RunEventSink = (event: RunEvent) => void;
