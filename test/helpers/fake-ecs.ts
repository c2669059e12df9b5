// An in-memory ECS behind the EcsPort interface, with deployments that evolve over a fake clock:
// healthy ones ramp up and COMPLETE, failing ones trip the circuit breaker (and, when configured,
// ECS rolls back on its own), stuck ones never stabilise. Every call is logged so tests can count
// them (DescribeServices batching) and faults can be injected per action.
import type { TaskDefinitionInput } from "../../src/config/types.js";
import type {
  CallerIdentity,
  EcsPort,
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
  clock: FakeClock;
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
  private readonly clock: FakeClock;
  private readonly services = new Map<string, FakeService>();
  private readonly taskDefinitions = new Map<string, { live: LiveTaskDefinition; input: TaskDefinitionInput }>();
  private readonly faults: Array<{ action: FakeCall["action"]; error: Error | (() => Error); times: number }> = [];
  private readonly gates: Array<{ action: FakeCall["action"]; release: Promise<void> }> = [];
  private deploymentSeq = 0;
  private eventSeq = 0;

  constructor(private readonly options: FakeEcsOptions) {
    this.clock = options.clock;
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
    await this.enter({ action: "DescribeCluster", at: this.clock.now(), cluster });
    const known = [...this.services.values()].some((s) => s.cluster === cluster);
    return known ? { arn: `arn:aws:ecs:${this.region}:${this.account}:cluster/${cluster}`, status: "ACTIVE" } : undefined;
  }

  async describeServices(cluster: string, services: string[]): Promise<Map<string, LiveService | undefined>> {
    await this.enter({ action: "DescribeServices", at: this.clock.now(), cluster, services: [...services] });
    if (services.length > 10) throw awsException("InvalidParameterException", "services can have at most 10 items.");
    this.settle();
    const out = new Map<string, LiveService | undefined>();
    for (const name of services) {
      const svc = this.services.get(key(cluster, name));
      out.set(name, svc ? this.toLive(svc) : undefined);
    }
    return out;
  }

  async describeTaskDefinition(ref: string): Promise<LiveTaskDefinition | undefined> {
    await this.enter({ action: "DescribeTaskDefinition", at: this.clock.now(), taskDefinition: ref });
    return this.findTaskDefinition(ref)?.live;
  }

  async registerTaskDefinition(input: TaskDefinitionInput, tags: Record<string, string>): Promise<LiveTaskDefinition> {
    await this.enter({ action: "RegisterTaskDefinition", at: this.clock.now(), taskDefinition: input.family });
    return this.register(input, tags);
  }

  async updateService(cluster: string, service: string, taskDefinitionArn: string): Promise<LiveService> {
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

/** A TargetSession over a FakeEcs (ECR and IAM are not used by apply: calling them fails the test). */
export function fakeSession(ecs: FakeEcs): TargetSession {
  const identity: CallerIdentity = {
    account: ecs.account,
    arn: `arn:aws:sts::${ecs.account}:assumed-role/deployer/deployer-test`,
    userId: "AROAEXAMPLE:deployer-test",
  };
  return { ecs, ecr: unused("ecr"), iam: unused("iam"), identity };
}
