// Read-only look at what one target runs: assume its viewer role (`viewRole`; else its deploy role),
// describe its service and the task definition of the service's PRIMARY deployment (with tags).
// Shared by promotion, status and drift: none of them writes with what it reads here.
// An unreachable account, a denied call or a missing service is a value (an error), never a throw:
// one bad account must not sink a fleet-wide view.
import type { LiveService, LiveTaskDefinition, ServiceDeploymentInfo, SessionFactory, TargetSession } from "../aws/ports.js";
import { isNativeStrategy } from "../ecs/deployment-state.js";
import type { Target } from "../config/types.js";
import { toDeployerError } from "../aws/aws-error.js";
import { primaryTaskDefinitionArn } from "../checks/live-task-definition.js";
import { DeployerError, isDeployerError, withErrorContext } from "../errors.js";
import { mapBounded } from "../concurrency.js";
import { deploySessionName, viewSessionName } from "../aws/session-name.js";

export type TargetRead =
  | {
      target: Target;
      ok: true;
      /** The read-only session (the viewer's when the target has a viewRole). */
      session: TargetSession;
      service: LiveService;
      taskDefinition: LiveTaskDefinition;
      /** BLUE_GREEN / LINEAR / CANARY: the current service deployment (their only source of progress), when it could be read. */
      serviceDeployment?: ServiceDeploymentInfo;
    }
  | { target: Target; ok: false; error: DeployerError; service?: LiveService };

export interface ReadTargetsOptions {
  /** Service name of the project (for the STS session name). */
  service: string;
  runId: string;
  /** Targets read at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
}

function failure(target: Target, e: unknown, action: string, resource: string): DeployerError {
  if (isDeployerError(e)) {
    if (e.target !== undefined) return e;
    return withErrorContext(e, { target: target.name, account: target.account, action, resource });
  }
  return toDeployerError(e, { action, resource, target: target.name, account: target.account });
}

/** The session names of a run: the viewer's and the deploy role's. */
export interface RunSessionNames {
  view: string;
  deploy: string;
}

export function runSessionNames(service: string, runId: string): RunSessionNames {
  return { view: viewSessionName(service, runId), deploy: deploySessionName(service, runId) };
}

/**
 * The read-only session of a target: its viewer role when it has one (issue 18), else its deploy
 * role (write-capable credentials, as before viewer roles). Rejects as SessionFactory.target does.
 */
export function readSession(target: Target, sessions: SessionFactory, names: RunSessionNames): Promise<TargetSession> {
  if (target.viewRole) {
    return sessions.target({
      roleArn: target.viewRole,
      region: target.region,
      sessionName: names.view,
      target: target.name,
      ...(target.viewExternalId !== undefined ? { externalId: target.viewExternalId } : {}),
    });
  }
  return sessions.target({
    roleArn: target.deployRole,
    region: target.region,
    sessionName: names.deploy,
    target: target.name,
    ...(target.externalId !== undefined ? { externalId: target.externalId } : {}),
  });
}

export async function readTarget(target: Target, sessions: SessionFactory, names: RunSessionNames): Promise<TargetRead> {
  let session: TargetSession;
  try {
    session = await readSession(target, sessions, names);
  } catch (e) {
    return { target, ok: false, error: failure(target, e, "sts:AssumeRole", target.viewRole ?? target.deployRole) };
  }

  const where = `${target.cluster}/${target.service}`;
  let service: LiveService | undefined;
  try {
    service = (await session.ecs.describeServices(target.cluster, [target.service])).get(target.service);
  } catch (e) {
    return { target, ok: false, error: failure(target, e, "ecs:DescribeServices", where) };
  }
  if (!service) {
    return {
      target,
      ok: false,
      error: new DeployerError({
        code: "SERVICE_NOT_FOUND",
        message: `service ${where} does not exist in account ${target.account} (${target.region})`,
        target: target.name,
        account: target.account,
        action: "ecs:DescribeServices",
        resource: where,
        location: target.locations?.service,
        field: "service",
        hint: `Check cluster and service in ${target.file}.`,
      }),
    };
  }

  const arn = primaryTaskDefinitionArn(service);
  let taskDefinition: LiveTaskDefinition | undefined;
  try {
    taskDefinition = await session.ecs.describeTaskDefinition(arn);
  } catch (e) {
    return { target, ok: false, service, error: failure(target, e, "ecs:DescribeTaskDefinition", arn) };
  }
  if (!taskDefinition) {
    return {
      target,
      ok: false,
      service,
      error: new DeployerError({
        code: "AWS_ERROR",
        message: `${where} runs ${arn}, which DescribeTaskDefinition does not find`,
        target: target.name,
        account: target.account,
        action: "ecs:DescribeTaskDefinition",
        resource: arn,
        hint: "The revision was deleted while the service still runs it.",
      }),
    };
  }
  const read: TargetRead = { target, ok: true, session, service, taskDefinition };
  if (isNativeStrategy(service) && service.currentServiceDeployment && session.ecs.describeServiceDeployments) {
    // Best effort: without it the deployments listed by DescribeServices still tell "in progress".
    const sd = await session.ecs.describeServiceDeployments([service.currentServiceDeployment]).then(
      (x) => x[0],
      () => undefined,
    );
    if (sd) read.serviceDeployment = sd;
  }
  return read;
}

/** Reads many targets, at most `concurrency` at once; results in input order. */
export function readTargets(targets: readonly Target[], sessions: SessionFactory, opts: ReadTargetsOptions): Promise<TargetRead[]> {
  const names = runSessionNames(opts.service, opts.runId);
  return mapBounded(targets, (t) => readTarget(t, sessions, names), { concurrency: opts.concurrency });
}
