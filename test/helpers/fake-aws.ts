// The one fake AWS of the tests: an in-memory ECS behind the EcsPort interface (FakeEcs), and a world
// of accounts (FakeWorld, FakeAccount) whose ECS, ECR and IAM ports and session factory the checks,
// observation, fleet views and apply are tested against.
//
// FakeEcs serves two kinds of services: snapshots a test sets as they are (`snapshots`, with
// `clusterStatus` and `staticTaskDefinitions`: what a check or a fleet view reads), and services it
// simulates over a fake clock (`addService`), whose deployments evolve: healthy ones ramp up and
// COMPLETE, failing ones trip the circuit breaker (and, when configured, ECS rolls back on its own),
// stuck ones never stabilise. Every call is logged so tests can count them (DescribeServices
// batching) and faults can be injected per action.
import type { TaskDefinitionInput } from "../../src/config/types.js";
import { DeployerError } from "../../src/errors.js";
import type { Target } from "../../src/config/types.js";
import { CENTRAL, DIGEST, liveService, makeRevision, makeTarget } from "./factories.js";

import type {
  AssumeRoleRequest,
  CallerIdentity,
  EcrPort,
  EcsPort,
  IamPort,
  Ec2Port,
  ImageDetail,
  KeyMetadata,
  KmsPort,
  LogsPort,
  ParameterMetadata,
  PolicyDocument,
  SecretMetadata,
  SecretsManagerPort,
  SsmPort,
  RoleInfo,
  SessionFactory,
  SimulationResult,
  LiveDeployment,
  LiveService,
  LiveTaskDefinition,
  ServiceEvent,
  TargetSession,
} from "../../src/aws/ports.js";
import type { Clock } from "../../src/apply/clock.js";

// ---------------------------------------------------------------- clock

/**
 * A clock that only moves when everything else is idle: each `sleep` registers a timer, and once the
 * microtask queue has drained (setImmediate) the clock jumps to the earliest timer and fires it.
 * Deployments of minutes therefore run in milliseconds, deterministically.
 */
export class FakeClock implements Clock {
  private t: number;
  private seq = 0;
  private readonly timers: Array<{ at: number; seq: number; fire: () => void }> = [];
  private scheduled = false;

  constructor(start = Date.parse("2025-03-01T09:00:00.000Z")) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted) return resolve();
      const timer = {
        at: this.t + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal?.removeEventListener("abort", onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.timers.indexOf(timer);
        if (i >= 0) this.timers.splice(i, 1);
        resolve();
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.timers.push(timer);
      this.schedule();
    });
  }

  /** Timers waiting (for assertions that nothing is left behind). */
  get pendingTimers(): number {
    return this.timers.length;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      if (this.timers.length === 0) return;
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const at = this.timers[0]!.at;
      this.t = Math.max(this.t, at);
      const due = this.timers.filter((x) => x.at <= this.t);
      this.timers.splice(0, due.length);
      for (const d of due) d.fire();
      if (this.timers.length > 0) this.schedule();
    });
  }
}

// ---------------------------------------------------------------- deployments

export type DeploymentScript =
  /** Tasks start and the deployment COMPLETES after `afterMs` (default 60 s). */
  | { kind: "healthy"; afterMs?: number }
  /** Tasks keep failing; with the circuit breaker enabled the deployment FAILS after `failAfterMs` (default 90 s). */
  | { kind: "failing"; failAfterMs?: number; reason?: string }
  /** Never stabilises and never fails (tasks stay PENDING): only a timeout ends it. */
  | { kind: "stuck" };

interface FakeDeployment {
  id: string;
  taskDefinition: string;
  status: "PRIMARY" | "ACTIVE";
  rolloutState?: "IN_PROGRESS" | "COMPLETED" | "FAILED";
  rolloutStateReason?: string;
  desiredCount: number;
  createdAt: number;
  updatedAt: number;
  script: DeploymentScript;
  /** The deployment ECS started to roll this one back. */
  ecsRollback?: boolean;
}

interface FakeService {
  arn: string;
  name: string;
  cluster: string;
  clusterArn: string;
  status: string;
  desiredCount: number;
  deploymentController: string;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  /** false: a service whose deployments carry no rolloutState (older services). */
  rolloutStates: boolean;
  /** The last task definition that completed: what ECS rolls back to. */
  stableTaskDefinition: string;
  deployments: FakeDeployment[];
  /** Newest first. */
  events: ServiceEvent[];
}

export interface AddServiceOptions {
  cluster?: string;
  service: string;
  /** The task definition the service runs (registered as the family's next revision). */
  taskDefinition: TaskDefinitionInput;
  desiredCount?: number;
  circuitBreaker?: { enable: boolean; rollback: boolean };
  rolloutStates?: boolean;
  /** Service events already there (newest first). */
  events?: Array<{ id?: string; message: string }>;
}

export interface FakeCall {
  action: "DescribeServices" | "DescribeCluster" | "DescribeTaskDefinition" | "RegisterTaskDefinition" | "UpdateService";
  at: number;
  cluster?: string;
  services?: string[];
  taskDefinition?: string;
}

/** An error shaped like an SDK v3 service exception. */
export function awsException(name: string, message: string): Error {
  const e = new Error(message);
  e.name = name;
  return e;
}

export interface FakeEcsOptions {
  /** Default: a FakeClock of its own (enough for snapshots). */
  clock?: FakeClock;
  /** Writes (RegisterTaskDefinition, UpdateService) throw: for tests of code that must only read. */
  readOnly?: boolean;
  /** Called first by every port method (to record the call, or throw an injected failure). */
  onCall?: (method: string, args: unknown[]) => void;
  /** Reads return copies of the snapshots instead of the objects themselves. */
  cloneReads?: boolean;
  account?: string;
  region?: string;
  /** How each new deployment behaves, from its task definition (default: healthy after 60 s). */
  script?: (taskDefinitionArn: string, input: TaskDefinitionInput | undefined) => DeploymentScript;
  /** Simulated latency of every call, in fake milliseconds. */
  latencyMs?: number;
  /** Time a deployment ECS starts to roll back takes to complete (default 30 s). */
  ecsRollbackMs?: number;
  /** false: the circuit breaker fails deployments but ECS never starts its rollback (default true). */
  ecsRollsBack?: boolean;
}

export class FakeEcs implements EcsPort {
  readonly account: string;
  readonly region: string;
  readonly calls: FakeCall[] = [];
  /** Services as a test set them ("cluster/service" → what DescribeServices returns). */
  readonly snapshots = new Map<string, LiveService>();
  /** Clusters as a test set them (name → status). */
  readonly clusterStatus = new Map<string, string>();
  /** Task definitions as a test set them (ARN → what DescribeTaskDefinition returns). */
  readonly staticTaskDefinitions = new Map<string, LiveTaskDefinition>();
  private readonly clock: FakeClock;
  private readonly services = new Map<string, FakeService>();
  private readonly taskDefinitions = new Map<string, { live: LiveTaskDefinition; input: TaskDefinitionInput }>();
  private readonly faults: Array<{ action: FakeCall["action"]; error: Error | (() => Error); times: number }> = [];
  private readonly gates: Array<{ action: FakeCall["action"]; release: Promise<void> }> = [];
  private deploymentSeq = 0;
  private eventSeq = 0;

  constructor(private readonly options: FakeEcsOptions = {}) {
    this.clock = options.clock ?? new FakeClock();
    this.account = options.account ?? "111111111111";
    this.region = options.region ?? "eu-west-1";
  }

  // ---------- test set-up and inspection ----------

  addService(o: AddServiceOptions): void {
    const cluster = o.cluster ?? "main";
    const td = this.register(o.taskDefinition, {});
    const now = this.clock.now();
    const desired = o.desiredCount ?? 2;
    const rolloutStates = o.rolloutStates ?? true;
    const svc: FakeService = {
      arn: `arn:aws:ecs:${this.region}:${this.account}:service/${cluster}/${o.service}`,
      name: o.service,
      cluster,
      clusterArn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${cluster}`,
      status: "ACTIVE",
      desiredCount: desired,
      deploymentController: "ECS",
      circuitBreaker: o.circuitBreaker,
      rolloutStates,
      stableTaskDefinition: td.arn,
      deployments: [
        {
          id: this.nextDeploymentId(),
          taskDefinition: td.arn,
          status: "PRIMARY",
          rolloutState: rolloutStates ? "COMPLETED" : undefined,
          desiredCount: desired,
          createdAt: now - 86_400_000,
          updatedAt: now - 86_000_000,
          script: { kind: "healthy", afterMs: 0 },
        },
      ],
      events: (o.events ?? []).map((e) => ({
        id: e.id ?? this.nextEventId(),
        createdAt: new Date(now - 3_600_000).toISOString(),
        message: e.message,
      })),
    };
    this.services.set(key(cluster, o.service), svc);
  }

  /** Someone else updates the service (a deployment deployer did not start). Returns the new task definition ARN. */
  startForeignDeployment(service: string, input: TaskDefinitionInput, script: DeploymentScript, cluster = "main"): string {
    const td = this.register(input, { "deployed-by": "someone-else" });
    this.settle();
    this.startDeployment(this.service(cluster, service), td.arn, script);
    return td.arn;
  }

  /** The given action fails `times` times (the next calls), with this error. */
  failNext(action: FakeCall["action"], error: Error | (() => Error), times = 1): void {
    this.faults.push({ action, error, times });
  }

  /** Calls of `action` wait for `release` before being answered (to interrupt a call in flight). */
  holdCalls(action: FakeCall["action"], release: Promise<void>): void {
    this.gates.push({ action, release });
  }

  count(action: FakeCall["action"]): number {
    return this.calls.filter((c) => c.action === action).length;
  }

  /** The task definition the service's PRIMARY deployment runs, now. */
  primaryTaskDefinition(service: string, cluster = "main"): string {
    this.settle();
    return this.service(cluster, service).deployments.find((d) => d.status === "PRIMARY")!.taskDefinition;
  }

  registeredTaskDefinitions(): LiveTaskDefinition[] {
    return [...this.taskDefinitions.values()].map((x) => x.live);
  }

  /** A snapshot of the service now, as DescribeServices would return it (without logging a call). */
  snapshot(service: string, cluster = "main"): LiveService {
    this.settle();
    return this.toLive(this.service(cluster, service));
  }

  // ---------- EcsPort ----------

  async describeCluster(cluster: string): Promise<{ arn: string; status: string } | undefined> {
    this.options.onCall?.("describeCluster", [cluster]);
    await this.enter({ action: "DescribeCluster", at: this.clock.now(), cluster });
    const status = this.clusterStatus.get(cluster);
    if (status) return { arn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${cluster}`, status };
    const known = [...this.services.values()].some((s) => s.cluster === cluster);
    return known ? { arn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${cluster}`, status: "ACTIVE" } : undefined;
  }

  async describeServices(cluster: string, services: string[]): Promise<Map<string, LiveService | undefined>> {
    this.options.onCall?.("describeServices", [cluster, services]);
    await this.enter({ action: "DescribeServices", at: this.clock.now(), cluster, services: [...services] });
    if (services.length > 10) throw awsException("InvalidParameterException", "services can have at most 10 items.");
    this.settle();
    const out = new Map<string, LiveService | undefined>();
    for (const name of services) {
      const snapshot = this.snapshots.get(key(cluster, name));
      if (snapshot) {
        out.set(name, this.options.cloneReads ? structuredClone(snapshot) : snapshot);
        continue;
      }
      const svc = this.services.get(key(cluster, name));
      out.set(name, svc ? this.toLive(svc) : undefined);
    }
    return out;
  }

  async describeTaskDefinition(ref: string): Promise<LiveTaskDefinition | undefined> {
    this.options.onCall?.("describeTaskDefinition", [ref]);
    await this.enter({ action: "DescribeTaskDefinition", at: this.clock.now(), taskDefinition: ref });
    const set =
      this.staticTaskDefinitions.get(ref) ??
      [...this.staticTaskDefinitions.values()]
        .filter((t) => t.family === ref && t.status === "ACTIVE")
        .sort((a, b) => b.revision - a.revision)[0];
    if (set) return this.options.cloneReads ? structuredClone(set) : set;
    return this.findTaskDefinition(ref)?.live;
  }

  async registerTaskDefinition(input: TaskDefinitionInput, tags: Record<string, string>): Promise<LiveTaskDefinition> {
    this.options.onCall?.("registerTaskDefinition", [input]);
    if (this.options.readOnly) throw new Error("write API called during observation");
    await this.enter({ action: "RegisterTaskDefinition", at: this.clock.now(), taskDefinition: input.family });
    return this.register(input, tags);
  }

  async updateService(cluster: string, service: string, taskDefinitionArn: string): Promise<LiveService> {
    this.options.onCall?.("updateService", [cluster, service]);
    if (this.options.readOnly) throw new Error("write API called during observation");
    await this.enter({ action: "UpdateService", at: this.clock.now(), cluster, services: [service], taskDefinition: taskDefinitionArn });
    this.settle();
    const svc = this.services.get(key(cluster, service));
    if (!svc) throw awsException("ServiceNotFoundException", "Service not found.");
    if (svc.status !== "ACTIVE") throw awsException("ServiceNotActiveException", "Service was not ACTIVE.");
    const td = this.findTaskDefinition(taskDefinitionArn);
    if (!td) throw awsException("ClientException", "TaskDefinition not found.");
    this.startDeployment(svc, td.live.arn, this.options.script?.(td.live.arn, td.input) ?? { kind: "healthy" });
    return this.toLive(svc);
  }

  // ---------- simulation ----------

  private async enter(call: FakeCall): Promise<void> {
    this.calls.push(call);
    if (this.options.latencyMs) await this.clock.sleep(this.options.latencyMs);
    else await Promise.resolve();
    for (const g of this.gates.filter((x) => x.action === call.action)) await g.release;
    const fault = this.faults.find((f) => f.action === call.action && f.times > 0);
    if (fault) {
      fault.times -= 1;
      throw typeof fault.error === "function" ? fault.error() : fault.error;
    }
  }

  private register(input: TaskDefinitionInput, tags: Record<string, string>): LiveTaskDefinition {
    const revisions = [...this.taskDefinitions.values()].filter((t) => t.live.family === input.family).map((t) => t.live.revision);
    const revision = Math.max(0, ...revisions) + 1;
    const arn = `arn:aws:ecs:${this.region}:${this.account}:task-definition/${input.family}:${revision}`;
    const live: LiveTaskDefinition = {
      arn,
      family: input.family,
      revision,
      status: "ACTIVE",
      raw: { ...structuredClone(input), taskDefinitionArn: arn, revision, status: "ACTIVE" },
      tags: { ...tags },
    };
    this.taskDefinitions.set(arn, { live, input: structuredClone(input) });
    return live;
  }

  private findTaskDefinition(ref: string): { live: LiveTaskDefinition; input: TaskDefinitionInput } | undefined {
    const direct = this.taskDefinitions.get(ref);
    if (direct) return direct;
    const all = [...this.taskDefinitions.values()];
    const byName = all.find((t) => `${t.live.family}:${t.live.revision}` === ref);
    if (byName) return byName;
    return all.filter((t) => t.live.family === ref && t.live.status === "ACTIVE").sort((a, b) => b.live.revision - a.live.revision)[0];
  }

  private startDeployment(
    svc: FakeService,
    taskDefinition: string,
    script: DeploymentScript,
    ecsRollback = false,
    at = this.clock.now(),
  ): FakeDeployment {
    for (const d of svc.deployments) if (d.status === "PRIMARY") d.status = "ACTIVE";
    const dep: FakeDeployment = {
      id: this.nextDeploymentId(),
      taskDefinition,
      status: "PRIMARY",
      rolloutState: svc.rolloutStates ? "IN_PROGRESS" : undefined,
      desiredCount: svc.desiredCount,
      createdAt: at,
      updatedAt: at,
      script,
      ecsRollback,
    };
    svc.deployments.unshift(dep);
    this.event(svc, at, `(service ${svc.name}) has started ${svc.desiredCount} tasks: (deployment ${dep.id}).`);
    return dep;
  }

  /** Apply every transition due by now, in time order. */
  private settle(): void {
    const now = this.clock.now();
    for (const svc of this.services.values()) {
      for (let guard = 0; guard < 100; guard++) {
        const primary = svc.deployments.find((d) => d.status === "PRIMARY");
        if (!primary || primary.rolloutState === "COMPLETED" || primary.rolloutState === "FAILED") break;
        if (!svc.rolloutStates && svc.deployments.length === 1) break;
        const next = this.transitionAt(svc, primary);
        if (next === undefined || next > now) break;
        this.transition(svc, primary, next);
      }
    }
  }

  private transitionAt(svc: FakeService, d: FakeDeployment): number | undefined {
    switch (d.script.kind) {
      case "healthy":
        return d.createdAt + (d.script.afterMs ?? 60_000);
      case "failing":
        return svc.circuitBreaker?.enable && svc.rolloutStates ? d.createdAt + (d.script.failAfterMs ?? 90_000) : undefined;
      case "stuck":
        return undefined;
    }
  }

  private transition(svc: FakeService, d: FakeDeployment, at: number): void {
    d.updatedAt = at;
    if (d.script.kind === "healthy") {
      if (svc.rolloutStates) d.rolloutState = "COMPLETED";
      svc.deployments = [d];
      svc.stableTaskDefinition = d.taskDefinition;
      this.event(svc, at, `(service ${svc.name}) (deployment ${d.id}) deployment completed.`);
      this.event(svc, at, `(service ${svc.name}) has reached a steady state.`);
      return;
    }
    // failing, circuit breaker on
    d.rolloutState = "FAILED";
    d.rolloutStateReason =
      d.script.kind === "failing" && d.script.reason ? d.script.reason : "ECS deployment circuit breaker: tasks failed to start.";
    this.event(svc, at, `(service ${svc.name}) (deployment ${d.id}) deployment failed: tasks failed to start.`);
    if (svc.circuitBreaker?.rollback && this.options.ecsRollsBack !== false) {
      this.event(svc, at, `(service ${svc.name}) rolling back to deployment with task definition ${svc.stableTaskDefinition}.`);
      const rb = this.startDeployment(
        svc,
        svc.stableTaskDefinition,
        { kind: "healthy", afterMs: this.options.ecsRollbackMs ?? 30_000 },
        true,
        at,
      );
      rb.updatedAt = at;
    }
  }

  private toLive(svc: FakeService): LiveService {
    const now = this.clock.now();
    const deployments: LiveDeployment[] = svc.deployments.map((d) => {
      const counts = this.counts(svc, d, now);
      const out: LiveDeployment = {
        id: d.id,
        status: d.status,
        taskDefinition: d.taskDefinition,
        desiredCount: d.desiredCount,
        runningCount: counts.running,
        pendingCount: counts.pending,
        failedTasks: counts.failed,
        createdAt: new Date(d.createdAt).toISOString(),
        updatedAt: new Date(d.updatedAt).toISOString(),
      };
      if (d.rolloutState) out.rolloutState = d.rolloutState;
      if (d.rolloutStateReason) out.rolloutStateReason = d.rolloutStateReason;
      return out;
    });
    const primary = svc.deployments.find((d) => d.status === "PRIMARY")!;
    const live: LiveService = {
      arn: svc.arn,
      name: svc.name,
      clusterArn: svc.clusterArn,
      status: svc.status,
      taskDefinition: primary.taskDefinition,
      desiredCount: svc.desiredCount,
      runningCount: deployments.reduce((n, d) => n + d.runningCount, 0),
      pendingCount: deployments.reduce((n, d) => n + d.pendingCount, 0),
      deploymentController: svc.deploymentController,
      deployments,
      events: svc.events.slice(0, 100).map((e) => ({ ...e })),
    };
    if (svc.circuitBreaker) live.circuitBreaker = { ...svc.circuitBreaker };
    return live;
  }

  private counts(svc: FakeService, d: FakeDeployment, now: number): { running: number; pending: number; failed: number } {
    const desired = d.desiredCount;
    if (d.rolloutState === "COMPLETED" || (!svc.rolloutStates && svc.deployments.length === 1))
      return { running: desired, pending: 0, failed: 0 };
    if (d.rolloutState === "FAILED")
      return { running: 0, pending: 0, failed: Math.max(1, Math.floor((d.updatedAt - d.createdAt) / 10_000)) };
    if (d.status === "ACTIVE") {
      const primary = svc.deployments.find((x) => x.status === "PRIMARY");
      const taken = primary ? this.counts(svc, primary, now).running : 0;
      return { running: Math.max(0, desired - taken), pending: 0, failed: 0 };
    }
    switch (d.script.kind) {
      case "healthy": {
        const span = d.script.afterMs ?? 60_000;
        const running = span <= 0 ? desired : Math.min(desired, Math.floor((desired * (now - d.createdAt)) / span));
        return { running, pending: desired - running, failed: 0 };
      }
      case "failing":
        return { running: 0, pending: desired, failed: Math.floor((now - d.createdAt) / 10_000) };
      case "stuck":
        return { running: 0, pending: desired, failed: 0 };
    }
  }

  private event(svc: FakeService, at: number, message: string): void {
    svc.events.unshift({ id: this.nextEventId(), createdAt: new Date(at).toISOString(), message });
  }

  private service(cluster: string, name: string): FakeService {
    const svc = this.services.get(key(cluster, name));
    if (!svc) throw new Error(`fake ECS: no service ${cluster}/${name}`);
    return svc;
  }

  private nextDeploymentId(): string {
    return `ecs-svc/${String(++this.deploymentSeq).padStart(19, "0")}`;
  }

  private nextEventId(): string {
    return `evt-${this.account}-${++this.eventSeq}`;
  }
}

function key(cluster: string, service: string): string {
  return `${cluster}/${service}`;
}

// ---------------------------------------------------------------- sessions

const unused = (port: string) =>
  new Proxy({} as never, {
    get: (_t, prop) => () => Promise.reject(new Error(`fake session: ${port}.${String(prop)} is not faked`)),
  });

/** A TargetSession over a FakeEcs (ECR, IAM and the launch-time reads are not used by apply: calling them fails the test). */
export function fakeSession(ecs: FakeEcs): TargetSession {
  const identity: CallerIdentity = {
    account: ecs.account,
    arn: `arn:aws:sts::${ecs.account}:assumed-role/deployer/deployer-test`,
    userId: "AROAEXAMPLE:deployer-test",
  };
  return {
    ecs,
    ecr: unused("ecr"),
    iam: unused("iam"),
    ssm: unused("ssm"),
    secretsManager: unused("secretsManager"),
    logs: unused("logs"),
    kms: unused("kms"),
    identity,
  };
}

// ---------------------------------------------------------------- accounts and sessions

export function accessDenied(action: string, resource: string): DeployerError {
  return new DeployerError({
    code: "ACCESS_DENIED",
    message: `Access denied: ${action} on ${resource}`,
    action,
    resource,
    awsCode: "AccessDenied",
    awsMessage: "not authorized",
  });
}

export interface Call {
  account: string;
  method: string;
  args: unknown[];
}

export class FakeAccount {
  private readonly ecsFake: FakeEcs;
  /** cluster name -> status. */
  readonly clusters: Map<string, string>;
  /** "cluster/service" -> the service DescribeServices returns. */
  readonly services: Map<string, LiveService>;
  /** ARN -> the task definition DescribeTaskDefinition returns (a family name finds its newest ACTIVE revision). */
  readonly taskDefinitions: Map<string, LiveTaskDefinition>;
  roles = new Map<string, RoleInfo>();
  inline = new Map<string, Record<string, PolicyDocument>>();
  attached = new Map<string, Record<string, PolicyDocument>>();
  managed = new Map<string, PolicyDocument>();
  repositories = new Map<string, { images: ImageDetail[]; policy?: PolicyDocument }>();
  /**
   * Decisions iam:SimulatePrincipalPolicy returns: by "ACTION RESOURCE", else by resource ARN, else
   * `simulationDefault`. `simulationDetails` adds what IAM says besides the decision (by the same keys).
   */
  simulation = new Map<string, string>();
  simulationDefault = "implicitDeny";
  simulationDetails = new Map<string, Partial<SimulationResult>>();
  /** SSM parameters by region and name ("eu-west-1 /shop-api/database-url"): metadata only. */
  parameters = new Map<string, ParameterMetadata>();
  /** Secrets Manager secrets by region and ARN or name ("eu-west-1 arn:…"). */
  secrets = new Map<string, SecretMetadata>();
  /** Log groups by region and name ("eu-west-1 /ecs/shop-api/dev"). */
  logGroups = new Set<string>();
  /** EC2 subnet and security group ids of the account (the port's contract: found / missing, per id). */
  subnets = new Set<string>();
  securityGroups = new Set<string>();
  /** What the EC2 reads reject with (e.g. accessDenied("ec2:DescribeSubnets", "*")), by port method. */
  ec2Failures = new Map<"describeSubnets" | "describeSecurityGroups", DeployerError>();
  /** KMS keys by region and key reference (id, ARN or alias: "eu-west-1 alias/shop-api"). */
  kmsKeys = new Map<string, KeyMetadata>();
  /** method name -> error it throws. */
  failures = new Map<string, unknown>();
  /** Whether the IamPort offers getManagedPolicy. */
  canReadManagedPolicies = true;

  constructor(
    readonly id: string,
    readonly calls: Call[],
    cloneReads = false,
  ) {
    this.ecsFake = new FakeEcs({ account: id, readOnly: true, cloneReads, onCall: (method, args) => this.call(method, args) });
    this.clusters = this.ecsFake.clusterStatus;
    this.services = this.ecsFake.snapshots;
    this.taskDefinitions = this.ecsFake.staticTaskDefinitions;
  }

  private call(method: string, args: unknown[]): void {
    this.calls.push({ account: this.id, method, args });
    const f = this.failures.get(method);
    if (f !== undefined) throw f;
  }

  /** The account's ECS: its snapshots are `clusters`, `services` and `taskDefinitions`; it never writes. */
  ecs(): EcsPort {
    return this.ecsFake;
  }

  ecr(): EcrPort {
    return {
      findImage: async (repo, ref) => {
        this.call("findImage", [repo.uri, ref]);
        const r = this.repositories.get(repo.uri);
        if (!r) {
          throw new DeployerError({
            code: "IMAGE_NOT_FOUND",
            message: `Repository ${repo.name} does not exist`,
            action: "ecr:DescribeImages",
            resource: repo.uri,
            awsCode: "RepositoryNotFoundException",
          });
        }
        return r.images.find((i) => ("tag" in ref ? i.tags.includes(ref.tag) : i.digest === ref.digest));
      },
      getRepositoryPolicy: async (repo) => {
        this.call("getRepositoryPolicy", [repo.uri]);
        return this.repositories.get(repo.uri)?.policy;
      },
    };
  }

  /** SSM, Secrets Manager, Logs and KMS metadata reads. */
  launch(): FakeLaunchPorts {
    return launchPorts(this, (m, args) => this.call(m, args));
  }

  ec2(): Ec2Port {
    const lookup = (method: "describeSubnets" | "describeSecurityGroups", known: Set<string>) => async (ids: string[]) => {
      this.call(method, [ids]);
      const f = this.ec2Failures.get(method);
      if (f) throw f;
      return { found: ids.filter((id) => known.has(id)), missing: ids.filter((id) => !known.has(id)) };
    };
    return {
      describeSubnets: lookup("describeSubnets", this.subnets),
      describeSecurityGroups: lookup("describeSecurityGroups", this.securityGroups),
    };
  }

  iam(): IamPort {
    const port: IamPort = {
      getRole: async (name) => {
        this.call("getRole", [name]);
        return this.roles.get(name);
      },
      simulatePrincipalPolicy: async (source, actions, resources, context) => {
        this.call("simulatePrincipalPolicy", [source, actions, resources, context]);
        return actions.flatMap((action) =>
          (resources.length > 0 ? resources : ["*"]).map((resource): SimulationResult => {
            const k = `${action} ${resource}`;
            return {
              action,
              resource,
              decision: this.simulation.get(k) ?? this.simulation.get(resource) ?? this.simulationDefault,
              matchedStatements: [],
              missingContextValues: [],
              ...(this.simulationDetails.get(k) ?? this.simulationDetails.get(resource) ?? {}),
            };
          }),
        );
      },
      listInlinePolicies: async (name) => {
        this.call("listInlinePolicies", [name]);
        return this.inline.get(name) ?? {};
      },
      listAttachedPolicies: async (name) => {
        this.call("listAttachedPolicies", [name]);
        return this.attached.get(name) ?? {};
      },
    };
    if (this.canReadManagedPolicies) {
      port.getManagedPolicy = async (arn) => {
        this.call("getManagedPolicy", [arn]);
        return this.managed.get(arn);
      };
    }
    return port;
  }
}

export interface FakeLaunchPorts {
  ssm: SsmPort;
  secretsManager: SecretsManagerPort;
  logs: LogsPort;
  kms: KmsPort;
}

/** The account's SSM, Secrets Manager, Logs and KMS metadata reads (logged as calls; `failures` by method name). */
function launchPorts(a: FakeAccount, call: (method: string, args: unknown[]) => void): FakeLaunchPorts {
  return {
    ssm: {
      describeParameter: async (region, name) => {
        call("describeParameter", [region, name]);
        return a.parameters.get(`${region} ${name}`) ?? (name.startsWith("/") ? a.parameters.get(`${region} ${name.slice(1)}`) : undefined);
      },
    },
    secretsManager: {
      describeSecret: async (region, id) => {
        call("describeSecret", [region, id]);
        return a.secrets.get(`${region} ${id}`);
      },
    },
    logs: {
      describeLogGroup: async (region, name) => {
        call("describeLogGroup", [region, name]);
        return a.logGroups.has(`${region} ${name}`) ? { name, arn: `arn:aws:logs:${region}:${a.id}:log-group:${name}` } : undefined;
      },
    },
    kms: {
      describeKey: async (region, keyId) => {
        call("describeKey", [region, keyId]);
        return a.kmsKeys.get(`${region} ${keyId}`);
      },
    },
  };
}

export class FakeWorld {
  readonly calls: Call[] = [];
  readonly accounts = new Map<string, FakeAccount>();
  /** role ARN -> error thrown by assuming it. */
  assumeFailures = new Map<string, unknown>();
  assumed: AssumeRoleRequest[] = [];
  baseCalls = 0;

  /** @param options.cloneReads the accounts' ECS returns copies of its snapshots (a fleet view must not change them). */
  constructor(private readonly options: { cloneReads?: boolean } = {}) {}

  account(id: string): FakeAccount {
    let a = this.accounts.get(id);
    if (!a) {
      a = new FakeAccount(id, this.calls, this.options.cloneReads);
      this.accounts.set(id, a);
    }
    return a;
  }

  sessions(): SessionFactory {
    const identity = (arn: string): CallerIdentity => ({ account: arn.split(":")[4]!, arn, userId: "AROAFAKE:deployer" });
    return {
      base: async () => {
        this.baseCalls++;
        return { ecr: this.account("111111111111").ecr(), identity: identity("arn:aws:iam::111111111111:role/github-ci") };
      },
      registry: async (req) => {
        this.assumed.push(req);
        const f = this.assumeFailures.get(req.roleArn);
        if (f !== undefined) throw f;
        return { ecr: this.account(req.roleArn.split(":")[4]!).ecr(), identity: identity(req.roleArn) };
      },
      target: async (req): Promise<TargetSession> => {
        this.assumed.push(req);
        const f = this.assumeFailures.get(req.roleArn);
        if (f !== undefined) throw f;
        const acct = this.account(req.roleArn.split(":")[4]!);
        const name = req.roleArn.split("/").pop()!;
        return {
          ecs: acct.ecs(),
          ecr: acct.ecr(),
          iam: acct.iam(),
          ...acct.launch(),
          ec2: acct.ec2(),
          identity: identity(`arn:aws:sts::${acct.id}:assumed-role/${name}/${req.sessionName}`),
        };
      },
    };
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.method === "registerTaskDefinition" || c.method === "updateService");
  }
}

export const doc = (...Statement: PolicyDocument["Statement"][]): PolicyDocument => ({
  Version: "2012-10-17",
  Statement: Statement.flat(),
});

export function ecsTrustPolicy(account: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": account } },
  });
}

/**
 * A healthy target account: cluster + service running revision 1, both roles trusting ECS, the deploy
 * role allowed to pass both (by simulation), and the central repository granting the account.
 */
export function healthyWorld(target: Target = makeTarget(), world: FakeWorld = new FakeWorld()): FakeWorld {
  const acct = world.account(target.account);
  acct.clusters.set(target.cluster, "ACTIVE");
  const td = makeRevision(target.account, 1, {
    family: "shop-api",
    containerDefinitions: [{ name: "app", image: `${CENTRAL}@sha256:${"00".repeat(32)}` }],
  });
  acct.taskDefinitions.set(td.arn, td);
  acct.services.set(`${target.cluster}/${target.service}`, liveService(target.account, target.cluster, td.arn));
  for (const arn of [target.taskRole, target.executionRole]) {
    const name = arn.split("/").pop()!;
    acct.roles.set(name, { arn, name, trustPolicy: ecsTrustPolicy(target.account) });
  }
  // The deploy role may do everything a rollout does, the execution role everything a task start needs.
  acct.simulationDefault = "allowed";
  acct.roles.set("deployer", {
    arn: target.deployRole,
    name: "deployer",
    trustPolicy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole" }),
  });
  const central = world.account("111111111111");
  central.repositories.set(CENTRAL, {
    images: [{ digest: DIGEST, tags: ["3f2a9c1", "latest"] }],
    policy: doc({
      Sid: "PullFromTargets",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${target.account}:root` },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }),
  });
  return world;
}
