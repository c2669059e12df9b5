// `deployer rollback`: put back the task definition a service ran before (or a given one), with the
// same preflight checks and wait as a rollout. Planned like a rollout whose desired definition is
// an existing revision: the plan's step is reuse-task-definition, never a new registration.
import type { DesiredTarget, TaskDefinitionInput, Target } from "../config/types.js";
import type { LiveTaskDefinition, TargetSession } from "../aws/ports.js";
import type { PreparedRun } from "./prepare-run.js";
import { observeAndPlan, type PlanResult } from "./make-plan.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { deploySessionName } from "../checks/assume-role.js";
import type { BuildPlanOptions } from "../plan/build.js";
import { ECS_COMPUTED_FIELDS } from "../plan/normalise.js";
import { parseTaskDefinitionRef } from "../config/aws-names.js";

/** How far back to look for an ACTIVE revision when none is given. */
const MAX_REVISIONS_BACK = 25;

export interface RollbackRequest {
  run: PreparedRun;
  /** A task definition ARN or family:revision to roll back to (one target only); default: the previous ACTIVE revision. */
  to?: string;
  options: BuildPlanOptions;
  now?: () => Date;
}

interface RollbackTarget {
  target: Target;
  current: string;
  previous: LiveTaskDefinition;
}

async function findRollbackTarget(target: Target, session: TargetSession, to: string | undefined): Promise<RollbackTarget> {
  const where = { target: target.name, account: target.account };
  const services = await session.ecs.describeServices(target.cluster, [target.service]);
  const service = services.get(target.service);
  if (!service) {
    throw new DeployerError({ ...where, code: "SERVICE_NOT_FOUND", message: `service ${target.service} not found in cluster ${target.cluster}`, action: "ecs:DescribeServices", hint: `check cluster and service in ${target.file}` });
  }
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  const current = primary?.taskDefinition ?? service.taskDefinition;
  if (to) {
    const previous = await session.ecs.describeTaskDefinition(to);
    if (!previous) {
      throw new DeployerError({ ...where, code: "ROLLBACK_FAILED", message: `task definition ${to} does not exist in ${target.account} ${target.region}`, action: "ecs:DescribeTaskDefinition", resource: to, hint: "give a task definition ARN or family:revision of this target's account and region" });
    }
    return { target, current, previous };
  }
  const fr = parseTaskDefinitionRef(current);
  if (fr.revision !== undefined) {
    for (let rev = fr.revision - 1; rev >= Math.max(1, fr.revision - MAX_REVISIONS_BACK); rev--) {
      const candidate = await session.ecs.describeTaskDefinition(`${fr.family}:${rev}`);
      if (candidate && candidate.status === "ACTIVE") return { target, current, previous: candidate };
    }
  }
  throw new DeployerError({
    ...where,
    code: "ROLLBACK_FAILED",
    message: `no earlier ACTIVE revision of ${fr.family} to roll back to (service runs ${current})`,
    resource: current,
    hint: "name one with --to family:revision (deregistered revisions cannot be used)",
  });
}

/** The previous definition as RegisterTaskDefinition input (what ECS computes removed). */
function asInput(previous: LiveTaskDefinition): TaskDefinitionInput {
  const input: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(previous.raw)) if (!ECS_COMPUTED_FIELDS.includes(k)) input[k] = v;
  return input as TaskDefinitionInput;
}

function digestOf(image: string | undefined): string | undefined {
  return image ? /@(sha256:[a-f0-9]{64})$/.exec(image)?.[1] : undefined;
}

export async function planRollback(req: RollbackRequest): Promise<PlanResult> {
  const { run } = req;
  const { project, sessions } = run;
  if (req.to && run.targets.length !== 1) {
    throw new DeployerError({ code: "SELECTION_EMPTY", message: `--to names one task definition, but ${run.targets.length} targets are selected`, hint: "select one target with --env NAME, or leave out --to to roll each back to its previous revision" });
  }

  const sessionName = deploySessionName(project.config.service, run.runId);
  const errors: DeployerError[] = [];
  const found: RollbackTarget[] = [];
  await Promise.all(
    run.targets.map(async (target) => {
      try {
        const session = await sessions.target({ roleArn: target.deployRole, externalId: target.externalId, region: target.region, sessionName, target: target.name });
        found.push(await findRollbackTarget(target, session, req.to));
      } catch (e) {
        if (e instanceof DeployerError) errors.push(e);
        else throw e;
      }
    }),
  );
  if (errors.length > 0) throw new DeployerErrors(errors, "cannot plan the rollback");
  found.sort((a, b) => run.targets.indexOf(a.target) - run.targets.indexOf(b.target));

  const desired: DesiredTarget[] = found.map(({ target, previous }) => {
    const taskDefinition = asInput(previous);
    const imageRef = taskDefinition.containerDefinitions?.[0]?.image ?? "";
    const digest = digestOf(imageRef) ?? "unknown";
    return { target, imageRef, taskDefinition, image: { repository: project.config.image.repository, digest } };
  });

  return observeAndPlan({
    project,
    sessions,
    runId: run.runId,
    image: desired[0]?.image ?? { repository: project.config.image.repository, digest: "unknown" },
    desired,
    options: req.options,
    now: req.now,
    // A registered revision is not a rendered template: the template validator does not apply.
    validate: false,
    // The revision to go back to is already registered: planning reuses it (never registers a copy).
    adjust: (observed) =>
      observed.forEach((o, i) => {
        o.latestRevision = found[i]!.previous;
      }),
  });
}
