// `deployer rollback`: put back what ran, healthy, before the service's current deployment — never a
// revision whose deployment failed — with the same preflight checks and wait as a rollout. The
// revision to go back to, in order (one rule for rollout and rollback: src/ecs/deployment-history.ts):
//   1. a deployment that COMPLETED and still runs beside the current one (the current one failed
//      without rollback, or is still rolling out);
//   2. ECS's service deployment history: the newest deployment before the current one that ended
//      SUCCESSFUL (its revision) or ROLLBACK_SUCCESSFUL (the revision ECS went back to);
//   3. the `deployer:previous-task-definition` tag deployer wrote when it registered what runs;
//   else refuse (ROLLBACK_REFUSED), naming --to. With --to the named revision is used; one whose last
//   deployment failed is refused unless --force.
// The plan reuses the revision (never registers a new one), or — when it is INACTIVE (deregistered),
// which ECS refuses to deploy — registers an identical copy (a warning; a failure with --strict).
import type { DesiredTarget, Target } from "../config/types.js";
import type { LiveService, LiveTaskDefinition, TargetSession } from "../aws/ports.js";
import type { RevisionNote } from "../plan/types.js";
import type { PreparedRun } from "./prepare-run.js";
import { observeAndPlan, type PlanResult } from "./make-plan.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import type { BuildPlanOptions } from "../plan/build.js";
import { registeredInput } from "../ecs/registered-input.js";
import { COPY_OF_TAG } from "../ecs/tags.js";
import { firstImageDigest } from "../plan/build.js";
import { taskDefinitionName } from "../config/aws-names.js";
import {
  knownGoodFromHistory,
  knownGoodFromTag,
  lastOutcome,
  readDeploymentHistory,
  type DeploymentHistory,
} from "../ecs/deployment-history.js";
import { primaryDeployment, serviceState } from "../ecs/deployment-state.js";
import { currentOf } from "../checks/rollback-target.js";
import type { CheckResult } from "../checks/check-result.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";
import { readSession, runSessionNames } from "../fleet/read-target.js";

export interface RollbackRequest {
  run: PreparedRun;
  /** A task definition ARN or family:revision to roll back to (one target only); default: the known-good revision. */
  to?: string;
  /** Roll back with --to to a revision whose last deployment failed. */
  force?: boolean;
  options: BuildPlanOptions;
  now?: () => Date;
}

/** The `rollback-revision` check: which revision goes back, how deployer knows it ran healthy, its image and last outcome. */
export const ROLLBACK_REVISION_CHECK = { id: "rollback-revision", title: "the revision to roll back to ran healthy" } as const;

interface RollbackTarget {
  target: Target;
  current: string;
  previous: LiveTaskDefinition;
  chosen: KnownGoodRevision;
  note: RevisionNote;
  /** Its last deployment failed (only possible with --to). */
  lastFailed: boolean;
}

/** The known-good revision before what runs now, by the rules of the module comment; undefined when none. */
export function rollbackCandidate(
  service: LiveService,
  history: DeploymentHistory,
  live: LiveTaskDefinition | undefined,
): KnownGoodRevision | undefined {
  const current = currentOf(service, history);
  const state = serviceState(service, current);
  const primary = primaryDeployment(service);
  const exclude = [
    primary?.taskDefinition,
    service.taskDefinition,
    "deployment" in state && state.deployment ? state.deployment.taskDefinition : undefined,
  ].filter((x): x is string => Boolean(x));
  const completed = service.deployments.find(
    (d) => d.status === "ACTIVE" && d.rolloutState === "COMPLETED" && !exclude.includes(d.taskDefinition),
  );
  if (completed)
    return {
      taskDefinitionArn: completed.taskDefinition,
      source: "steady-state",
      evidence: `deployment ${completed.id} of it COMPLETED and still runs beside the current one`,
    };
  return (
    knownGoodFromHistory(history, { currentArn: service.currentServiceDeployment ?? current?.arn, exclude }) ??
    knownGoodFromTag(live, exclude)
  );
}

async function findRollbackTarget(target: Target, session: TargetSession, to: string | undefined): Promise<RollbackTarget> {
  const where = { target: target.name, account: target.account };
  const services = await session.ecs.describeServices(target.cluster, [target.service]);
  const service = services.get(target.service);
  if (!service) {
    throw new DeployerError({
      ...where,
      code: "SERVICE_NOT_FOUND",
      message: `service ${target.service} not found in cluster ${target.cluster}`,
      action: "ecs:DescribeServices",
      hint: `check cluster and service in ${target.file}`,
    });
  }
  const current = primaryDeployment(service)?.taskDefinition ?? service.taskDefinition;
  const [history, live] = await Promise.all([
    readDeploymentHistory(session.ecs, target.cluster, target.service),
    session.ecs.describeTaskDefinition(current),
  ]);

  let chosen: KnownGoodRevision | undefined;
  if (to) {
    chosen = { taskDefinitionArn: to, source: "explicit", evidence: "named with --to" };
  } else {
    chosen = rollbackCandidate(service, history, live);
    if (!chosen) {
      throw new DeployerError({
        ...where,
        code: "ROLLBACK_REFUSED",
        message: `no revision is known to have run healthy on ${target.cluster}/${target.service} before ${taskDefinitionName(current)}: ${
          history.unavailable
            ? `the service deployment history could not be read (${history.unavailable.message})`
            : "no earlier SUCCESSFUL service deployment"
        } and ${taskDefinitionName(current)} has no deployer:previous-task-definition tag`,
        resource: current,
        hint: `name the revision to put back: deployer rollback --env ${target.name} --to FAMILY:REVISION (deployer never rolls back to a revision it cannot show ran healthy)`,
      });
    }
  }
  const previous = await session.ecs.describeTaskDefinition(chosen.taskDefinitionArn);
  if (!previous) {
    throw new DeployerError({
      ...where,
      code: to ? "ROLLBACK_FAILED" : "ROLLBACK_REFUSED",
      message: `task definition ${chosen.taskDefinitionArn} does not exist in ${target.account} ${target.region}${to ? "" : ` (it is what ran healthy before: ${chosen.evidence})`}`,
      action: "ecs:DescribeTaskDefinition",
      resource: chosen.taskDefinitionArn,
      hint: `give a task definition ARN or family:revision of this target's account and region: deployer rollback --env ${target.name} --to FAMILY:REVISION`,
    });
  }
  chosen = { ...chosen, taskDefinitionArn: previous.arn, status: previous.status };
  const outcome = lastOutcome(history, previous.arn);
  const lastText = history.unavailable
    ? `known good by the ${chosen.evidence}; its last deployment is not known (no service deployment history)`
    : outcome.text;
  const note: RevisionNote = { taskDefinitionArn: previous.arn, lastOutcome: lastText, evidence: chosen.evidence };
  if (previous.tags["deployer:image-tag"]) note.imageTag = previous.tags["deployer:image-tag"];
  const digest = firstImageDigest(previous.raw) ?? previous.tags["deployer:image-digest"];
  if (digest) note.imageDigest = digest;
  if (previous.status !== "ACTIVE") note.status = previous.status;
  return { target, current, previous, chosen, note, lastFailed: outcome.healthy === false };
}

/** The `rollback-revision` check of one target (a warning, or a failure under --strict, for INACTIVE; --to a failed revision needs --force). */
function revisionCheck(r: RollbackTarget, strict: boolean, force: boolean): CheckResult {
  const head = { ...ROLLBACK_REVISION_CHECK, target: r.target.name };
  const name = taskDefinitionName(r.previous.arn);
  const image = [r.note.imageTag, r.note.imageDigest].filter(Boolean).join(" ");
  const base = `${name}${image ? ` (image ${image})` : ""}: ${r.chosen.evidence}; ${r.note.lastOutcome}`;
  const evidence = { ...r.note, source: r.chosen.source };
  if (r.lastFailed) {
    const failing = !force;
    return {
      ...head,
      verdict: failing ? "fail" : "warn",
      message: `${base} — its last deployment FAILED`,
      hint: failing
        ? `rolling back to a revision that failed would likely fail again; pass --force to deploy ${name} anyway`
        : `deployed anyway (--force)`,
      evidence,
      ...(failing
        ? {
            error: {
              code: "ROLLBACK_REFUSED" as const,
              message: `${name}'s last deployment failed`,
              target: r.target.name,
              account: r.target.account,
              resource: r.previous.arn,
            },
          }
        : {}),
    };
  }
  if (r.previous.status !== "ACTIVE") {
    return {
      ...head,
      verdict: strict ? "fail" : "warn",
      message: `${base} — it is ${r.previous.status} (deregistered): ECS cannot deploy it, so deployer registers an identical copy and deploys that`,
      hint: strict
        ? "--strict refuses to register a copy: re-register the revision yourself, or run without --strict"
        : "the copy has the same definition and a deployer:copy-of tag naming the original",
      evidence,
      ...(strict
        ? {
            error: {
              code: "ROLLBACK_REFUSED" as const,
              message: `${name} is ${r.previous.status}`,
              target: r.target.name,
              account: r.target.account,
              resource: r.previous.arn,
            },
          }
        : {}),
    };
  }
  return { ...head, verdict: "pass", message: base, evidence };
}

export async function planRollback(req: RollbackRequest): Promise<PlanResult> {
  const { run } = req;
  const { project, sessions } = run;
  if (req.to && run.targets.length !== 1) {
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `--to names one task definition, but ${run.targets.length} targets are selected`,
      hint: "select one target with --env NAME, or leave out --to to roll each back to the revision that ran healthy before",
    });
  }

  // Finding the revision to go back to only reads: as the viewer role when the target has one.
  const names = runSessionNames(project.config.service, run.runId);
  const errors: DeployerError[] = [];
  const found: RollbackTarget[] = [];
  await Promise.all(
    run.targets.map(async (target) => {
      try {
        const session = await readSession(target, sessions, names);
        found.push(await findRollbackTarget(target, session, req.to));
      } catch (e) {
        if (e instanceof DeployerError) errors.push(e);
        else throw e;
      }
    }),
  );
  if (errors.length > 0) throw new DeployerErrors(errors, "cannot plan the rollback");
  found.sort((a, b) => run.targets.indexOf(a.target) - run.targets.indexOf(b.target));

  const desired: DesiredTarget[] = found.map(({ target, previous, note }) => {
    const taskDefinition = registeredInput(previous);
    const imageRef = taskDefinition.containerDefinitions?.[0]?.image ?? "";
    const digest = note.imageDigest ?? "unknown";
    return {
      target,
      imageRef,
      taskDefinition,
      image: { repository: project.config.image.repository, digest, ...(note.imageTag ? { tag: note.imageTag } : {}) },
    };
  });

  const result = await observeAndPlan({
    project,
    sessions,
    runId: run.runId,
    access: "write",
    image: desired[0]?.image ?? { repository: project.config.image.repository, digest: "unknown" },
    desired,
    // A rollback puts back a revision that already ran: its one-off tasks (migrations) are not run
    // again, and a newer migration is never undone by running an older one.
    options: { ...req.options, skipTasks: true, skipTasksReason: "a rollback puts back a revision whose tasks already ran" },
    now: req.now,
    // A registered revision is not a rendered template: the template validator does not apply.
    validate: false,
    // The revision to go back to is already registered: planning reuses it, or — INACTIVE — registers a copy.
    adjust: (observed) =>
      observed.forEach((o, i) => {
        const r = found[i]!;
        o.latestRevision = r.previous;
        o.checks.push(revisionCheck(r, req.options.strict, Boolean(req.force)));
      }),
  });

  // Say in the steps which revision goes back, with its image tag and last outcome.
  result.plan.targets.forEach((t, i) => {
    const r = found[i]!;
    for (const step of t.steps) {
      if (step.kind === "reuse-task-definition" && step.taskDefinitionArn === r.previous.arn) step.revision = { ...r.note };
      if (step.kind === "register-task-definition") {
        step.copyOf = { ...r.note };
        step.tags[COPY_OF_TAG] = r.previous.arn;
      }
    }
  });
  return result;
}
