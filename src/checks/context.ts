// What every preflight check of one target gets: the target, what deployer wants there, the
// reading session (the viewer role's, or the deploy role's without a viewRole), memoised reads, and
// the central registry's ECR port.
import type { DeployerError, ErrorInfo } from "../errors.js";
import { serviceOf, type DesiredTarget, type Project, type TaskConfig, type TaskDefinitionInput, type Target } from "../config/types.js";
import type { EcrPort, TargetSession } from "../aws/ports.js";
import type { TargetReads } from "./target-reads.js";
import type { CheckResult } from "./check-result.js";

/**
 * Validates a rendered task definition (the foundation's validator, wired in by the caller).
 * Returns the problems found; an empty list means valid.
 */
export type TaskDefinitionValidator = (def: TaskDefinitionInput, target: Target) => Array<DeployerError | ErrorInfo>;

export interface CheckContext {
  target: Target;
  desired: DesiredTarget;
  project: Project;
  /**
   * The session the checks read and simulate with: the target's viewer role (`viewRole`) when it has
   * one, else its deploy role (observe-target.ts). Never used to write; the deploy role's own
   * permissions are simulated from it with the deploy role as policy source.
   */
  session: TargetSession;
  /** Reads shared between checks (and the observer): each AWS call at most once. */
  reads: TargetReads;
  /** ECR acting for the central registry: base credentials, or `image.registryRole`. */
  centralEcr: EcrPort;
  /**
   * The same identity's ECR in another region of the central registry (a replica of the central
   * account in the target's region). Absent: such a replica's checks are unverified.
   */
  registryEcr?: (region: string) => Promise<EcrPort>;
  /** skipTasks: --skip-tasks, the plan runs none of the service's one-off tasks (plan/build.ts). */
  options: { waitForInProgress: boolean; skipTasks?: boolean };
  validateTaskDefinition?: TaskDefinitionValidator;
  /**
   * Read-only sessions in the other accounts of the fleet (the viewRole of a target there), for
   * checks that read another account: a destination role's trust, a namespace owner's RAM shares.
   * Absent: such reads are unverified.
   */
  fleet?: FleetReader;
}

/** A session in another account of the fleet, or why there is none. */
export type FleetSession =
  { ok: true; session: TargetSession; role: string; target: string } | { ok: false; reason: string; error?: DeployerError };

export interface FleetReader {
  /** The viewer-role session of a target in `account` (memoised for the whole run). */
  session(account: string): Promise<FleetSession>;
}

export type Check = (ctx: CheckContext) => Promise<CheckResult>;

/** The roles a task definition names, by their field in the environment file. */
export type RoleField = "taskRole" | "executionRole";
export const ROLE_FIELDS: readonly RoleField[] = ["taskRole", "executionRole"];

export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

/**
 * The one-off tasks (`tasks:` of the target's service) a rollout of this unit runs before updating
 * the service: none with --skip-tasks, as plan/build.ts plans them.
 */
export function plannedTasks(ctx: Pick<CheckContext, "project" | "target" | "options">): TaskConfig[] {
  return ctx.options.skipTasks ? [] : (serviceOf(ctx.project, ctx.target)?.tasks ?? []);
}
