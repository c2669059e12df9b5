// Observe one target, read-only: assume the reading role, read the cluster and service, the task
// definition the PRIMARY deployment runs (with its tags), the latest ACTIVE revision of the desired
// family, and run every preflight check. Nothing here calls a write API.
//
// The reading role (issue 18): the target's viewer role when it has a `viewRole`, else its deploy
// role (today's behaviour, write-capable credentials). The deploy role's own permissions (PassRole,
// the writes) are simulated with the deploy role as policy source from whichever session reads. A
// run that writes (`access: "write"`: rollout, promote, rollback) also assumes the deploy role here,
// in preflight, so a denied AssumeRole blocks the plan before any target is written (a run that only
// reads evaluates the deploy role's trust for the caller instead, checks/deploy-trust.ts); its session is
// kept for the writes only. Its preflight reads still go through the viewer: one set of reads and
// verdicts for a pull request's plan and the rollout that follows it, and the deploy role's session
// does nothing but what a rollout must.
//
// Checks run in parallel where independent; their AWS reads are shared through TargetReads, and the
// result lists them in a stable order (CHECK_ORDER) whatever finished first.
import type { EcrPort, SessionFactory } from "../aws/ports.js";
import { templateOf, type DesiredTarget, type Project, type Target } from "../config/types.js";
import {
  ASSUME_ROLE_CHECK,
  ASSUME_VIEW_ROLE_CHECK,
  assumeDeployRole,
  assumeViewRole,
  type AssumeRoleOutcome,
} from "../checks/assume-role.js";
import { checkClusterAndService, SERVICE_CHECK } from "../checks/cluster-service.js";
import { ROLE_FIELDS, type CheckContext, type TaskDefinitionValidator } from "../checks/context.js";
import { checkImagePull, IMAGE_PULL_CHECK } from "../checks/image-pull.js";
import { checkPassRole, passRoleCheckId } from "../checks/pass-role.js";
import { checkRoleTrust, trustCheckId } from "../checks/role-trust.js";
import { checkTaskDefinition, checkTemplateTags, TAGS_CHECK, TASK_DEFINITION_CHECK } from "../checks/task-definition.js";
import { checkDeployRolePermissions, DEPLOY_ROLE_CHECK } from "../checks/deploy-role.js";
import { checkSecrets, SECRETS_CHECK } from "../checks/secrets.js";
import { checkLogs, LOGS_CHECK } from "../checks/logs.js";
import { checkLiveTaskDefinition, LIVE_TASK_DEFINITION_CHECK, readLiveState, type LiveState } from "../checks/live-task-definition.js";
import { verdict } from "../checks/check-result.js";
import { readRollbackState, type RollbackState } from "../checks/rollback-target.js";
import { TargetReads } from "../checks/target-reads.js";
import { DeployerError } from "../errors.js";
import { validateTaskDefinition } from "../render/validate-task-definition.js";
import type { ObservedTarget } from "./types.js";
import type { CheckResult } from "../checks/check-result.js";
import { deploySessionName, viewSessionName } from "../aws/session-name.js";
import { mapBounded } from "../concurrency.js";
import { checkTaskAssumes, TASK_ASSUMES_CHECK } from "../checks/task-assumes.js";
import { checkServiceConnect, SERVICE_CONNECT_CHECK } from "../checks/service-connect.js";
import { fleetReader } from "./fleet-reader.js";
import { checkDeployRoleTrust } from "../checks/deploy-trust.js";
import { checkTaskNetwork, TASK_NETWORK_CHECK } from "../checks/task-network.js";
import { plannedTasks } from "../checks/context.js";

export interface ObserveTargetInput {
  target: Target;
  desired: DesiredTarget;
  project: Project;
  sessions: SessionFactory;
  /** ECR for the central repository (base credentials, or image.registryRole): see centralRegistryEcr. */
  baseEcr: EcrPort;
  /** The same identity's ECR in another region of the central registry (its replicas): see registryEcrIn. */
  registryEcr?: (region: string) => Promise<EcrPort>;
  runId: string;
  /**
   * "read": plan, check (no deploy-role session when the target has a viewRole); "write": rollout,
   * promote, rollback (the deploy role is assumed too, for the writes). Default "write".
   */
  access?: RunAccess;
  options: { waitForInProgress: boolean; skipTasks?: boolean };
  /** Validates the rendered definition; default: the foundation's validateTaskDefinition (src/render/). */
  validateTaskDefinition?: TaskDefinitionValidator;
}

/**
 * Every check of a target, in the order they are reported: what the deploy role may do, the service,
 * the task definition, the task role, the execution role, the image, the secrets, the logs.
 */
export const CHECK_ORDER: ReadonlyArray<{ id: string; title: string }> = [
  ASSUME_VIEW_ROLE_CHECK,
  ASSUME_ROLE_CHECK,
  DEPLOY_ROLE_CHECK,
  SERVICE_CHECK,
  LIVE_TASK_DEFINITION_CHECK,
  SERVICE_CONNECT_CHECK,
  TASK_DEFINITION_CHECK,
  TAGS_CHECK,
  { id: passRoleCheckId("taskRole"), title: "deploy role can pass the task role to ecs-tasks.amazonaws.com" },
  { id: trustCheckId("taskRole"), title: "task role trusts ecs-tasks.amazonaws.com" },
  TASK_ASSUMES_CHECK,
  { id: passRoleCheckId("executionRole"), title: "deploy role can pass the execution role to ecs-tasks.amazonaws.com" },
  { id: trustCheckId("executionRole"), title: "execution role trusts ecs-tasks.amazonaws.com" },
  IMAGE_PULL_CHECK,
  SECRETS_CHECK,
  LOGS_CHECK,
  // Only for a unit that runs one-off tasks (`tasks:`, no --skip-tasks).
  TASK_NETWORK_CHECK,
];

function orderChecks(checks: CheckResult[]): CheckResult[] {
  const rank = new Map(CHECK_ORDER.map((c, i) => [c.id, i]));
  return [...checks].sort((a, b) => (rank.get(a.id) ?? CHECK_ORDER.length) - (rank.get(b.id) ?? CHECK_ORDER.length));
}

/** A check that did not run because something it needs failed first. */
function skipped(target: Target, check: { id: string; title: string }, because: string): CheckResult {
  return verdict({ ...check, target }, "skip", { message: `not run: ${because}` });
}

/** A check that threw (a bug: checks turn AWS errors into verdicts) fails with INTERNAL instead of sinking the run. */
async function guarded(target: Target, check: { id: string; title: string }, run: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await run();
  } catch (e) {
    const cause = e instanceof Error ? e : new Error(String(e));
    const error = new DeployerError({
      code: "INTERNAL",
      message: `check ${check.id} crashed: ${cause.message}`,
      target: target.name,
      account: target.account,
      hint: "This is a deployer bug: please report it with the output of this run.",
      cause,
    });
    return verdict({ ...check, target }, "fail", { message: error.message, error });
  }
}

/**
 * Never throws for AWS errors: they become failed (or unverified) checks. Throws only on bugs.
 */
export async function observeTarget(input: ObserveTargetInput): Promise<ObservedTarget> {
  const { target } = input;
  const access = input.access ?? "write";
  const service = input.project.config.service;
  const runsTasks = plannedTasks({ project: input.project, target, options: input.options }).length > 0;
  // Assumed at once: the viewer (reads) and, for a run that writes, the deploy role.
  const [viewed, deployed] = await Promise.all([
    target.viewRole ? assumeViewRole(target, input.sessions, viewSessionName(service, input.runId)) : undefined,
    !target.viewRole || access === "write" ? assumeDeployRole(target, input.sessions, deploySessionName(service, input.runId)) : undefined,
  ]);
  const assumedChecks = [viewed?.check, deployed?.check].filter((c) => c !== undefined);
  const reading: AssumeRoleOutcome = (viewed ?? deployed)!;
  const readsAs = viewed ? "view" : "deploy";
  if (!reading.session) {
    const because = `the ${readsAs === "view" ? "viewer" : "deploy"} role ${readsAs === "view" ? target.viewRole : target.deployRole} could not be assumed`;
    const ran = new Set(assumedChecks.map((c) => c.id));
    const notRun = CHECK_ORDER.filter(
      (c) =>
        !ran.has(c.id) &&
        (c.id !== ASSUME_ROLE_CHECK.id || deployed) &&
        c.id !== ASSUME_VIEW_ROLE_CHECK.id &&
        (c.id !== TASK_NETWORK_CHECK.id || runsTasks),
    );
    return { target, readsAs, checks: orderChecks([...assumedChecks, ...notRun.map((c) => skipped(target, c, because))]) };
  }

  const session = reading.session;
  const reads = new TargetReads(target, session);
  const ctx: CheckContext = {
    target,
    desired: input.desired,
    project: input.project,
    session,
    reads,
    centralEcr: input.baseEcr,
    ...(input.registryEcr ? { registryEcr: input.registryEcr } : {}),
    options: input.options,
    validateTaskDefinition:
      input.validateTaskDefinition ??
      ((def, t) => validateTaskDefinition(def, { templateFile: templateOf(input.project, t).file, target: t })),
    fleet: fleetReader(input.sessions, input.project, viewSessionName(service, input.runId)),
  };

  const guard = (check: { id: string; title: string }, run: () => Promise<CheckResult>) => guarded(target, check, run);
  const [live, ...checks] = await Promise.all([
    // A crash here is reported by the live-task-definition check, which reads the same state.
    readLiveState(ctx)
      .then(async (live): Promise<LiveState & Partial<RollbackState>> => ({
        ...live,
        ...(live.service ? await readRollbackState(ctx, live.service, live.liveTaskDefinition) : {}),
      }))
      .catch((): LiveState & Partial<RollbackState> => ({})),
    guard(DEPLOY_ROLE_CHECK, () => checkDeployRolePermissions(ctx)),
    guard(SERVICE_CHECK, () => checkClusterAndService(ctx)),
    guard(LIVE_TASK_DEFINITION_CHECK, () => checkLiveTaskDefinition(ctx)),
    guard(TASK_DEFINITION_CHECK, () => checkTaskDefinition(ctx)),
    guard(TAGS_CHECK, () => checkTemplateTags(ctx)),
    ...ROLE_FIELDS.map((role) => guard({ id: passRoleCheckId(role), title: `pass ${role}` }, () => checkPassRole(ctx, role))),
    ...ROLE_FIELDS.map((role) => guard({ id: trustCheckId(role), title: `${role} trust` }, () => checkRoleTrust(ctx, role))),
    guard(SERVICE_CONNECT_CHECK, () => checkServiceConnect(ctx)),
    guard(TASK_ASSUMES_CHECK, () => checkTaskAssumes(ctx)),
    guard(IMAGE_PULL_CHECK, () => checkImagePull(ctx)),
    guard(SECRETS_CHECK, () => checkSecrets(ctx)),
    guard(LOGS_CHECK, () => checkLogs(ctx)),
    ...(runsTasks ? [guard(TASK_NETWORK_CHECK, () => checkTaskNetwork(ctx))] : []),
    // A run that only reads does not assume the deploy role: its trust is evaluated for the caller instead.
    ...(deployed
      ? []
      : [guard(ASSUME_ROLE_CHECK, () => checkDeployRoleTrust(ctx, async () => (await input.sessions.base(target.region)).identity))]),
  ]);

  const observed: ObservedTarget = { target, readsAs, checks: orderChecks([...assumedChecks, ...checks]) };
  // The session applying writes: the deploy role's, when it was assumed (never the viewer's).
  if (deployed?.session) observed.session = deployed.session;
  if (live.service) observed.service = live.service;
  if (live.liveTaskDefinition) observed.liveTaskDefinition = live.liveTaskDefinition;
  if (live.latestRevision) observed.latestRevision = live.latestRevision;
  if (live.history) observed.history = live.history;
  if (live.state) observed.state = live.state;
  if (live.rollbackTo) observed.rollbackTo = live.rollbackTo;
  return observed;
}

/** Whether a run writes (rollout, promote, rollback) or only reads (plan, check). */
export type RunAccess = "read" | "write";

export interface ObserveTargetsOptions {
  /** Targets observed at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  /** Called as each target is done (in completion order), e.g. to show progress. */
  onObserved?: (observed: ObservedTarget, index: number) => void;
}

/** Observe many targets with at most `concurrency` in flight (mapBounded); results in input order. */
export function observeTargets(inputs: ObserveTargetInput[], options: ObserveTargetsOptions = {}): Promise<ObservedTarget[]> {
  return mapBounded(
    inputs,
    async (input, i) => {
      const observed = await observeTarget(input);
      options.onObserved?.(observed, i);
      return observed;
    },
    { concurrency: options.concurrency },
  );
}
