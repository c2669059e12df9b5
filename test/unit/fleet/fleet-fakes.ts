// Fleet scenarios for the promotion, status and drift tests: the example deploy repo's targets
// (dev, staging, prod-eu, prod-us), each with a service snapshot and the task definition it runs,
// served by the one fake AWS (test/helpers/fake-aws.ts). By default a target runs what deployer would have registered for a
// digest (rendered from the real template, with deployer's tags), stable. Tests then bend one thing:
// a deployment in progress, a failed one, a hand-edited definition, a denied account.
import path from "node:path";
import type { LiveDeployment, LiveService, LiveTaskDefinition, ServiceEvent, SessionFactory } from "../../../src/aws/ports.js";
import { FakeWorld } from "../../helpers/fake-aws.js";
import { EXAMPLE, REPO } from "../../helpers/factories.js";
import type { Project, Target } from "../../../src/config/types.js";
import { loadProject } from "../../../src/config/load.js";
import { DeployerError } from "../../../src/errors.js";
import { renderDesired } from "../../../src/render/render.js";
import { registrationTags } from "../../../src/ecs/tags.js";
import { fingerprint } from "../../../src/plan/fingerprint.js";

export { EXAMPLE, REPO, ROOT, SENTRY_DSN } from "../../helpers/factories.js";
export const DIGEST_A = `sha256:${"a1".repeat(32)}`;
export const DIGEST_B = `sha256:${"b2".repeat(32)}`;

export function loadExample(): Promise<Project> {
  return loadProject({ config: path.join(EXAMPLE, "deployer.yaml") });
}

const T0 = Date.parse("2025-03-01T09:00:00.000Z");
const iso = (offsetMs: number) => new Date(T0 + offsetMs).toISOString();

export type Scenario =
  /** PRIMARY COMPLETED, the only deployment, running == desired. */
  | "stable"
  /** A second deployment IN_PROGRESS (someone else's, or ours). */
  | "in-progress"
  /** The new deployment FAILED; ECS is rolling back (both listed). */
  | "failed-rolling-back"
  /** ECS rolled back and settled: one COMPLETED deployment, the failure only in the events. */
  | "rolled-back"
  /** Settled, but 1 of 2 tasks running. */
  | "degraded"
  /** Settled with desiredCount 0: nothing runs. */
  | "scaled-to-zero";

export interface TargetState {
  service: LiveService;
  /** The definition the service runs (the stable one). */
  taskDefinition: LiveTaskDefinition;
  /** Other revisions DescribeTaskDefinition knows (the one a deployment in flight carries). */
  others: LiveTaskDefinition[];
}

/** What deployer registers for `target` and `digest`: rendered from the template, tagged. */
export function deployedDefinition(
  project: Project,
  target: Target,
  digest: string,
  revision = 3,
  imageTag = "9c1e4b7",
): LiveTaskDefinition {
  const desired = renderDesired(project, target, { repository: REPO, digest, tag: imageTag });
  const def = desired.taskDefinition;
  const arn = `arn:aws:ecs:${target.region}:${target.account}:task-definition/${def.family}:${revision}`;
  return {
    arn,
    family: def.family,
    revision,
    status: "ACTIVE",
    raw: {
      ...structuredClone(def),
      taskDefinitionArn: arn,
      revision,
      status: "ACTIVE",
      compatibilities: ["EC2", "FARGATE"],
      registeredAt: iso(-3_600_000),
      registeredBy: `arn:aws:sts::${target.account}:assumed-role/deployer/deployer-shop-api-r1`,
    },
    tags: registrationTags({
      imageDigest: digest,
      imageTag,
      gitSha: imageTag,
      runId: "r1",
      by: "github:octocat arn:aws:sts::111111111111:assumed-role/gha/x",
      fingerprint: fingerprint(def),
    }),
  };
}

function dep(o: Partial<LiveDeployment> & Pick<LiveDeployment, "id" | "status" | "taskDefinition">): LiveDeployment {
  return {
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    failedTasks: 0,
    rolloutState: "COMPLETED",
    createdAt: iso(-3_000_000),
    updatedAt: iso(-2_900_000),
    ...o,
  };
}

function ev(id: number, offsetMs: number, message: string): ServiceEvent {
  return { id: `e${id}`, createdAt: iso(offsetMs), message: `(service api) ${message}` };
}

export function serviceFor(target: Target, tdArn: string, scenario: Scenario = "stable"): LiveService {
  const base = {
    arn: `arn:aws:ecs:${target.region}:${target.account}:service/${target.cluster}/${target.service}`,
    name: target.service,
    clusterArn: `arn:aws:ecs:${target.region}:${target.account}:cluster/${target.cluster}`,
    status: "ACTIVE",
    taskDefinition: tdArn,
    desiredCount: 2,
    runningCount: 2,
    pendingCount: 0,
    deploymentController: "ECS",
    circuitBreaker: { enable: true, rollback: true },
  };
  const newer = tdArn.replace(/:(\d+)$/, (_m, r: string) => `:${Number(r) + 1}`);
  switch (scenario) {
    case "stable":
      return {
        ...base,
        deployments: [dep({ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: tdArn })],
        events: [ev(2, -2_900_000, "has reached a steady state."), ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed.")],
      };
    case "in-progress":
      return {
        ...base,
        runningCount: 3,
        pendingCount: 1,
        deployments: [
          dep({
            id: "ecs-svc/2",
            status: "PRIMARY",
            taskDefinition: newer,
            rolloutState: "IN_PROGRESS",
            runningCount: 1,
            pendingCount: 1,
            createdAt: iso(-60_000),
          }),
          dep({ id: "ecs-svc/1", status: "ACTIVE", taskDefinition: tdArn }),
        ],
        events: [ev(3, -60_000, "has started 2 tasks: (task a b)."), ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed.")],
      };
    case "failed-rolling-back":
      return {
        ...base,
        deployments: [
          dep({
            id: "ecs-svc/3",
            status: "PRIMARY",
            taskDefinition: tdArn,
            rolloutState: "IN_PROGRESS",
            rolloutStateReason: "ECS deployment circuit breaker: rolling back to deploymentId ecs-svc/1.",
            createdAt: iso(-30_000),
          }),
          dep({
            id: "ecs-svc/2",
            status: "ACTIVE",
            taskDefinition: newer,
            rolloutState: "FAILED",
            rolloutStateReason: "ECS deployment circuit breaker: tasks failed to start.",
            runningCount: 0,
          }),
        ],
        events: [
          ev(4, -30_000, "rolling back to deployment ecs-svc/1."),
          ev(3, -30_000, "(deployment ecs-svc/2) deployment failed: tasks failed to start."),
          ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed."),
        ],
      };
    case "rolled-back":
      return {
        ...base,
        deployments: [dep({ id: "ecs-svc/3", status: "PRIMARY", taskDefinition: tdArn, createdAt: iso(-30_000), updatedAt: iso(-20_000) })],
        events: [
          ev(6, -20_000, "has reached a steady state."),
          ev(5, -20_000, "(deployment ecs-svc/3) deployment completed."),
          ev(4, -30_000, "rolling back to deployment ecs-svc/1."),
          ev(3, -30_000, "(deployment ecs-svc/2) deployment failed: tasks failed to start."),
          ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed."),
        ],
      };
    case "degraded":
      return {
        ...base,
        runningCount: 1,
        deployments: [dep({ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: tdArn, runningCount: 1 })],
        events: [ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed.")],
      };
    case "scaled-to-zero":
      return {
        ...base,
        desiredCount: 0,
        runningCount: 0,
        deployments: [dep({ id: "ecs-svc/1", status: "PRIMARY", taskDefinition: tdArn, desiredCount: 0, runningCount: 0 })],
        events: [ev(1, -2_900_000, "(deployment ecs-svc/1) deployment completed.")],
      };
  }
}

/** The fleet: per target name, its state, served by the one fake AWS (a FakeWorld, one account per target). */
export class FakeFleet {
  readonly world = new FakeWorld({ cloneReads: true });
  readonly states = new Map<string, TargetState>();
  private readonly served = new Map<string, string[]>();

  constructor(readonly project: Project) {}

  target(name: string): Target {
    const t = this.project.targets.find((x) => x.name === name);
    if (!t) throw new Error(`fake fleet: no target ${name}`);
    return t;
  }

  /** `name` runs what deployer registered for `digest`, in `scenario`. */
  runs(name: string, digest: string, scenario: Scenario = "stable", revision = 3): TargetState {
    const t = this.target(name);
    const taskDefinition = deployedDefinition(this.project, t, digest, revision);
    // The revision a deployment in flight (or a failed one) carries: the next one, another digest.
    const next = deployedDefinition(this.project, t, digest === DIGEST_B ? DIGEST_A : DIGEST_B, revision + 1, "0000001");
    const state = { service: serviceFor(t, taskDefinition.arn, scenario), taskDefinition, others: [next] };
    this.states.set(name, state);
    this.serve(name);
    return state;
  }

  /** Replace the running definition's raw form (a hand edit), keeping or dropping deployer's tags. */
  edit(name: string, change: (raw: Record<string, unknown>) => void, keepTags = false): void {
    const s = this.states.get(name)!;
    const raw = structuredClone(s.taskDefinition.raw);
    change(raw);
    raw.registeredBy = `arn:aws:sts::${this.target(name).account}:assumed-role/admin/human`;
    s.taskDefinition = { ...s.taskDefinition, raw, tags: keepTags ? s.taskDefinition.tags : {} };
    this.serve(name);
  }

  /** The role that reads the target cannot be assumed: its viewer role (issue 18), else its deploy role. */
  deny(name: string): void {
    const t = this.target(name);
    const role = t.viewRole ?? t.deployRole;
    this.world.assumeFailures.set(
      role,
      new DeployerError({
        code: "ASSUME_ROLE_DENIED",
        message: `Cannot assume ${role}: access denied`,
        target: name,
        account: t.account,
        action: "sts:AssumeRole",
        resource: role,
        awsCode: "AccessDenied",
        awsMessage: "User is not authorized to perform: sts:AssumeRole",
        hint: "check the trust policy",
      }),
    );
  }

  /** Every call, as `AssumeRole dev`, `DescribeServices staging`…: for asserting that the fleet views never write. */
  get calls(): string[] {
    const byAccount = (account: string) => this.project.targets.find((t) => t.account === account)?.name ?? account;
    const byRole = (arn: string) => this.project.targets.find((t) => t.deployRole === arn)?.name ?? arn;
    return [
      ...this.world.assumed.map((a) => `AssumeRole ${byRole(a.roleArn)}`),
      ...this.world.calls.map((c) => `${c.method[0]!.toUpperCase()}${c.method.slice(1)} ${byAccount(c.account)}`),
    ];
  }

  sessions(): SessionFactory & { close(): Promise<void> } {
    return { ...this.world.sessions(), close: async () => {} };
  }

  /** A PreparedRun-like value for fleetStatus/detectDrift over `targets` (default: all). */
  run(targets: string[] = this.project.targets.map((t) => t.name)) {
    return { project: this.project, targets: targets.map((n) => this.target(n)), sessions: this.sessions(), runId: "t1" };
  }

  /** Puts `name`'s state into its account: the service snapshot and the task definitions it can describe. */
  private serve(name: string): void {
    const t = this.target(name);
    const s = this.states.get(name)!;
    const acct = this.world.account(t.account);
    acct.services.set(`${t.cluster}/${t.service}`, s.service);
    // Only this target's definitions are replaced: with several services (issue 17), one account
    // holds each service's definitions.
    for (const arn of this.served.get(name) ?? []) acct.taskDefinitions.delete(arn);
    if (!this.project.targets.some((x) => x.account === t.account && x.name !== name)) acct.taskDefinitions.clear();
    const tds = [s.taskDefinition, ...s.others];
    for (const td of tds) acct.taskDefinitions.set(td.arn, td);
    this.served.set(
      name,
      tds.map((td) => td.arn),
    );
  }
}

export const WORKER_REPO = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/worker";

/**
 * The example project as two services (issue 17), built by hand until the loader makes it: per
 * environment an `ENV/api` unit (the example's service) and an `ENV/worker` unit (service
 * `worker-ENV`, image repository shop/worker), in the fleet's order (environment, then service).
 */
export function twoServiceProject(project: Project): Project {
  const api = { key: "api", template: project.config.template, image: project.config.image };
  const worker = { key: "worker", template: project.config.template, image: { ...project.config.image, repository: WORKER_REPO } };
  const targets = project.targets.flatMap((t) => [
    { ...t, name: `${t.env}/api`, serviceKey: "api" },
    { ...t, name: `${t.env}/worker`, serviceKey: "worker", service: `worker-${t.env}` },
  ]);
  return { ...project, config: { ...project.config, service: "shop", services: [api, worker] }, targets };
}
