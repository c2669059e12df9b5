// The fleet views as values: `deployer status` (what runs where) and `deployer drift` (what runs that
// should not). Both are JSON-safe and already redacted: formatters print them as they are.
import type { ErrorInfo } from "../errors.js";
import type { FieldChange, TargetSummary } from "../plan/types.js";
import type { HealthState } from "./deployed.js";
import type { Project, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";

/** What a fleet view reads: the project, the targets shown, the sessions to read them with, the run's id. */
export interface FleetRun {
  project: Project;
  targets: Target[];
  sessions: SessionFactory;
  runId: string;
}

// ---------- status ----------

export type PromotionReadiness =
  /** The first stage: nothing before it. */
  | { state: "first-stage" }
  /** Runs the digest the stage before runs, unanimous and stable. */
  | { state: "in-sync"; fromStage: string; digest: string }
  /** The stage before runs another digest, unanimous and stable: `deployer promote` would deploy it. */
  | { state: "promotable"; fromStage: string; digest: string }
  /** The stage before is not a sound source (split, mid-deployment, failed, unreadable). */
  | { state: "source-not-ready"; fromStage: string; reasons: string[] }
  /** This target could not be read. */
  | { state: "unknown"; fromStage?: string };

export interface StatusRow {
  target: TargetSummary;
  /** false: `error` says why this target could not be read (an error row, not a crash). */
  ok: boolean;
  error?: ErrorInfo;
  taskDefinition?: {
    arn: string;
    family: string;
    revision: number;
    /** ISO time of registration, when ECS says. */
    registeredAt?: string;
    registeredBy?: string;
  };
  image?: {
    ref?: string;
    digest?: string;
    /** `deployer:image-tag` */
    tag?: string;
    gitSha?: string;
    /** Image reference and deployer:image-digest tag disagree. */
    conflict?: boolean;
  };
  running?: number;
  desired?: number;
  pending?: number;
  /** Rollout state of the PRIMARY deployment (absent for services without one). */
  rolloutState?: string;
  health?: { state: HealthState; reason: string };
  /** When the running deployment started (else the registration time of its task definition). */
  lastDeployedAt?: string;
  /** `deployer:by`, else who registered the task definition. */
  lastDeployedBy?: string;
  /** `deployer:promoted-from` and `deployer:source-stage` when the running definition was promoted. */
  promotedFrom?: { target: string; stage?: string };
  promotion: PromotionReadiness;
}

export interface FleetStatus {
  service: string;
  createdAt: string;
  stages: string[];
  rows: StatusRow[];
  /** `scaledToZero`: settled with desiredCount 0 (never counted stable). */
  summary: { targets: number; stable: number; inProgress: number; failed: number; degraded: number; scaledToZero: number; errors: number };
}

// ---------- drift ----------

export interface TargetDrift {
  target: TargetSummary;
  /** in-sync: runs what the config renders for its digest; drifted: see `changes`; error: see `error`. */
  status: "in-sync" | "drifted" | "error";
  error?: ErrorInfo;
  running?: { taskDefinitionArn: string; digest?: string; imageTag?: string; registeredBy?: string };
  /**
   * Field by field, as in a plan: `before` = what runs, `after` = what the configuration renders for
   * the running digest (expected). Redacted: sensitive values read "(sensitive)".
   */
  changes: FieldChange[];
  /** Other findings: image not pinned by digest, digest tag disagreeing with the image, … */
  notes: string[];
}

export interface StageConsistency {
  stage: string;
  /** With several services (issue 17): the service compared (a stage is compared per service). */
  serviceKey?: string;
  /** Targets compared (readable ones). Fewer than two: nothing to compare. */
  compared: string[];
  /** The target the others are compared with: one of the largest group of identical targets. */
  reference?: string;
  /** Per target that differs from the reference, after environment-specific values are masked. */
  differences: Array<{ target: string; changes: FieldChange[] }>;
  /** What counted as environment-specific in this stage, as `{placeholder}` names. */
  maskedFields: string[];
}

export interface DriftReport {
  service: string;
  createdAt: string;
  targets: TargetDrift[];
  stages: StageConsistency[];
  summary: { targets: number; inSync: number; drifted: number; errors: number; inconsistentStages: number };
}
