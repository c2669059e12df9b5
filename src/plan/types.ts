// The Plan: a value (serialisable to JSON, see schemas/plan.schema.json) that says, per target, what
// deployer wants to run, how it differs from what runs, which checks passed, and the steps that apply
// it. Planning never writes; applying executes these steps and never re-decides.
import type { ResolvedImage, TaskDefinitionInput } from "../config/types.js";
import type { TaskLaunch } from "../aws/ports.js";
import type { CheckResult } from "../checks/check-result.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";

/** One field that differs, per container and field: `containers[app].image`, `cpu`, `containers[app].environment.LOG_LEVEL`. */
export interface FieldChange {
  path: string;
  kind: "added" | "removed" | "changed";
  /** Values as JSON; replaced by the string "(sensitive)" in every output when `sensitive`. */
  before?: unknown;
  after?: unknown;
  sensitive?: boolean;
}

export interface TargetSummary {
  /** Unique per deploy unit: the environment name, or `ENV/SERVICE` when the project has several services. */
  name: string;
  /** The environment file name (without extension). */
  env: string;
  /** The logical service (a key of `services:`, or `service:`). */
  serviceKey: string;
  stage: string;
  account: string;
  region: string;
  cluster: string;
  service: string;
  /** Environment file, relative to the deploy repo root. */
  file: string;
}

/** What ran when the plan was made, so `rollout --plan` can refuse a stale plan. */
export interface LiveSnapshot {
  /** The task definition the service ran (PRIMARY deployment's). */
  taskDefinitionArn: string;
  revision: number;
  /** Digest of the first container's image, when it is pinned by digest. */
  imageDigest?: string;
  /** Normalised-form hash of the live task definition. */
  fingerprint: string;
  desiredCount: number;
  runningCount: number;
  /** Rollout state of the PRIMARY deployment. */
  rolloutState?: string;
  tags: Record<string, string>;
  /** The PRIMARY deployment's id: if it differs right before UpdateService, the service moved since the plan. */
  primaryDeploymentId?: string;
  /** The service's current service deployment (Service.currentServiceDeployment), when ECS gives it. */
  serviceDeploymentArn?: string;
  /** ROLLING | BLUE_GREEN | LINEAR | CANARY (absent: ROLLING). */
  strategy?: string;
  /** The deployment state deployer read (see src/ecs/deployment-state.ts): stable, failed, in-progress, … */
  state?: string;
}

/** An existing revision a rollback puts back, as a reviewer should see it. */
export interface RevisionNote {
  taskDefinitionArn: string;
  /** `deployer:image-tag` of the revision, when it has one. */
  imageTag?: string;
  imageDigest?: string;
  /** Its last deployment's outcome, in words ("last deployment ejGv… SUCCESSFUL 2025-…", "its deployment FAILED …"). */
  lastOutcome: string;
  /** How deployer chose it (service deployment history, provenance tag, --to). */
  evidence?: string;
  status?: string;
}

export type Step =
  /**
   * Register the desired task definition with these tags. `copyOf`: a rollback to an INACTIVE
   * revision registers an identical copy of it (ECS refuses to deploy INACTIVE revisions).
   */
  | { kind: "register-task-definition"; tags: Record<string, string>; copyOf?: RevisionNote }
  /**
   * An identical revision is already registered (an earlier run died before updating; or a rollback
   * puts back an existing revision, described in `revision`): reuse it.
   */
  | { kind: "reuse-task-definition"; taskDefinitionArn: string; revision?: RevisionNote }
  /**
   * Point the service at the new (or reused) task definition. The service is read again right before:
   * if it moved since the plan (someone else deployed), deployer waits for that deployment when
   * `waitForInProgress`, else stops. `forceNewDeployment`: redeploy the revision the service already has.
   */
  | { kind: "update-service"; cluster: string; service: string; forceNewDeployment?: boolean; waitForInProgress?: boolean }
  /**
   * A one-off task of the service (`tasks:` in deployer.yaml, issue 17), after the task definition is
   * registered and before any service of the environment is updated: RunTask with the NEW task
   * definition, `command` as the override of `container`, launched like the service's tasks (`launch`:
   * read from the live service); wait until STOPPED (at most `timeoutSeconds`, then StopTask);
   * success is exit code 0 of `container`.
   */
  | {
      kind: "run-task";
      name: string;
      container: string;
      command: string[];
      cluster: string;
      launch: TaskLaunch;
      timeoutSeconds: number;
    }
  /** Wait until the deployment carrying the new task definition is COMPLETED. */
  | { kind: "wait-stable"; timeoutSeconds: number }
  /** Wait for a deployment someone else started, before ours (--wait-for-in-progress). */
  | { kind: "wait-foreign-deployment"; timeoutSeconds: number }
  /**
   * The service already runs the desired definition, but an earlier run's deployment of it is still
   * IN_PROGRESS (that run was killed while waiting): wait for it, and roll back to
   * `previousTaskDefinitionArn` if it fails, instead of reporting "unchanged" too early.
   */
  | {
      kind: "resume-wait";
      deploymentId: string;
      taskDefinitionArn: string;
      previousTaskDefinitionArn?: string;
      serviceDeploymentArn?: string;
      timeoutSeconds: number;
    };

export type TargetAction =
  /** Changes to apply. */
  | "update"
  /** What runs is already what the plan wants: nothing to do. */
  | "noop"
  /** A check failed: the run is refused for every target (preflight fails all together). */
  | "blocked";

export interface TargetPlan {
  target: TargetSummary;
  action: TargetAction;
  /** The image reference put in the task definition (replica or central, by digest). */
  imageRef: string;
  /** The rendered task definition (unredacted in memory; outputs redact via `sensitivePaths`). */
  desired: TaskDefinitionInput;
  /** Normalised-form hash of `desired`. */
  fingerprint: string;
  /** Undefined when the live state could not be read (then action is blocked). */
  live?: LiveSnapshot;
  diff: FieldChange[];
  checks: CheckResult[];
  steps: Step[];
  /** Paths into `desired` whose values must be redacted in every output (JSON pointers). */
  sensitivePaths: string[];
  /** Services (keys) of the same environment updated before this one (`dependsOn`). */
  dependsOn?: string[];
  /** The service's one-off tasks that this plan does not run, and why (unchanged, --skip-tasks, resumed). */
  skippedTasks?: Array<{ name: string; container: string; because: string }>;
  /**
   * Where a failed deployment of this target is rolled back to: a revision known to have run
   * healthy. Absent: deployer does not roll back (it never rolls back to an unproven revision).
   */
  rollbackTo?: KnownGoodRevision;
}

export interface Plan {
  /** Bumped when the JSON shape changes incompatibly. */
  formatVersion: 1;
  /** deployer version that made it. */
  deployerVersion: string;
  createdAt: string;
  /** Short id of the run that made the plan (also in the STS session name and tags). */
  runId: string;
  service: string;
  /** The image of the first (for a one-service project: the only) service. */
  image: ResolvedImage;
  /**
   * Per logical service, the image its targets run (issue 17). Present when the project has several
   * services; a one-service plan has only `image`.
   */
  images?: Record<string, ResolvedImage>;
  /** Stage names in rollout order for the targets in this plan. */
  stages: Array<{ name: string; maxParallel?: number }>;
  targets: TargetPlan[];
  summary: {
    targets: number;
    toChange: number;
    unchanged: number;
    blocked: number;
    failingChecks: number;
    warnings: number;
  };
  /**
   * Targets whose AWS state was read, and checks run, with their deploy role's write-capable
   * credentials: they have no `viewRole` (issue 18). Absent when every target was read as its viewer role.
   */
  writeCapableReads?: string[];
  /** Provenance recorded on registered task definitions by promotion. */
  promotion?: {
    fromStage: string;
    /** Destination target name -> the task definition ARN it is promoted from. */
    sourceTaskDefinitionArns: Record<string, string>;
    /** Destination target name -> the source environment it follows (tag `deployer:promoted-from`). */
    sourceTargets?: Record<string, string>;
  };
}
