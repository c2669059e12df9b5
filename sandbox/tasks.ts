// Standalone ECS tasks (RunTask) over time: one-off tasks such as database migrations. A task is
// planned when RunTask starts it and read lazily at each request's time (no timers), as rollouts are.
//
// Lifecycle (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle.html):
// PROVISIONING (the ENI is created) → PENDING → ACTIVATING → RUNNING → DEACTIVATING → STOPPING →
// DEPROVISIONING (the ENI is detached and deleted) → STOPPED. Real Fargate tasks start PROVISIONING
// with the ENI attachment PRECREATED (the AWS CLI's run-task example), ATTACHING then ATTACHED, and end
// with it DELETED (recorded DescribeTasks: cloud-custodian test_ecs_task_subnet, test_ecs_task_by_arn).
// A task that fails to start never runs: PENDING → STOPPING → DEPROVISIONING → STOPPED, its containers
// have a `reason` and no `exitCode` (recorded: test_ecs_task_by_arn). `version` counts the changes that
// emit an event: 1 at PROVISIONING, 2 at PENDING, 3 at RUNNING (recorded), one more when ECS sets the
// desired status to STOPPED, one more at STOPPED (the recorded failed task ends at 4).
//
// Time: one "task unit" U is the sandbox's deploymentSeconds (the deployment clock), so tests stay
// fast: PENDING at 0.1U, pull 0.15U–0.25U, ACTIVATING 0.3U, RUNNING 0.35U; the container runs 0.3U
// (or as an exit rule says), then DEACTIVATING, STOPPING +0.05U, DEPROVISIONING +0.1U, STOPPED +0.15U.
//
// How a container ends: "A task stops when an essential container stops" (ECS guide,
// stopped-task-errors): stopCode EssentialContainerExited, stoppedReason "Essential container in task
// exited" (the ECS guide's EventBridge pattern, ecs_cwet2; an event with exitCode 1:
// https://gist.github.com/KensoDev/9831acfa00acf11999b635be1e8ad97d) — also when it exited 0
// (https://github.com/mapbox/ecs-watchbot/issues/108): success is the container's exitCode, never the
// stop code. `essential` defaults to true (task definition parameters). The exit code is 0, unless an
// exit rule (admin API, or an image fixture's `taskExitCode`) matches the container, or its image is
// marked bad / it runs with SANDBOX_CRASH=1 (exit 1, as the service tasks of such images crash).
// Containers still running when the task stops are killed: 137 (SIGKILL; ECS guide docker-diags).
//
// StopTask "issues the equivalent of docker stop … a stop signal … and a default 30-second timeout,
// after which the SIGKILL value is sent" (botocore ecs StopTask). It returns at once with desiredStatus
// STOPPED, lastStatus still RUNNING, stoppingAt set and stoppedReason = the reason given (recorded:
// cloud-custodian test_ecs_task_delete); stopCode UserInitiated (botocore TaskStopCode). The sandbox's
// containers do not handle SIGTERM (a shell as PID 1 ignores it), so they exit 137 after the stop
// timeout, which the sandbox shortens to 0.1U. Without a reason, stoppedReason stays absent (no source
// shows the default text; stricter: the reader must cope with none).
//
// Stopped tasks stay describable "for at least one hour" (botocore ecs DescribeTasks); the sandbox
// drops them exactly 60 sandbox minutes (minuteSeconds each) after stoppedAt — the strictest reading.
import { randomBytes, randomUUID } from "node:crypto";

type Json = Record<string, unknown>;

/** How one-off task containers exit (admin API / fixture). All given conditions must match. */
export interface TaskExitRule {
  exitCode: number;
  /** The container's image digest (sha256:…), also when the image is named by tag. */
  digest?: string;
  /** A word the container's command (as overridden) contains: any argument including it matches. */
  commandContains?: string;
  /** Only tasks in this account. */
  account?: string;
  /** Only the container of this name. */
  container?: string;
  /** How long the container runs before it exits, in real seconds (default 0.3 task units); null: until stopped. */
  runSeconds?: number | null;
  /** Seeded from an image fixture's taskExitCode. */
  fromFixture?: boolean;
}

export type TaskStopCode = "TaskFailedToStart" | "EssentialContainerExited" | "UserInitiated";

export interface TaskContainer {
  name: string;
  arn: string;
  image: string;
  imageDigest?: string;
  essential: boolean;
  cpu: string;
  memory?: string;
  memoryReservation?: string;
  runtimeId: string;
  /** How long it runs once the task is RUNNING (undefined: until stopped) and its exit code then. */
  runMs?: number;
  exitCode: number;
}

export interface TaskStop {
  code: TaskStopCode;
  reason?: string;
  /** desiredStatus STOPPED from here; stopCode and stoppedReason shown from here. */
  desiredAt: number;
  /** The `stoppingAt` field. */
  stoppingAt: number;
  executionStoppedAt: number;
  /** lastStatus DEACTIVATING (only for a task that ran). */
  deactivatingAt?: number;
  /** lastStatus STOPPING. */
  statusStoppingAt: number;
  deprovisioningAt: number;
  stoppedAt: number;
  /** Exit codes of the containers that ran (absent for a task that never ran). */
  exitCodes: Record<string, number>;
}

export interface StandaloneTask {
  id: string;
  arn: string;
  account: string;
  region: string;
  clusterName: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  startedBy?: string;
  launchType: "FARGATE";
  capacityProviderName?: string;
  platformVersion: string;
  cpu: string;
  memory: string;
  cpuArchitecture: string;
  overrides: Json;
  tags: Record<string, string>;
  network: {
    attachmentId: string;
    subnetId: string;
    availabilityZone: string;
    eniId: string;
    macAddress: string;
    privateIp: string;
  };
  containers: TaskContainer[];
  /** The task unit (ms) when it started: deploymentSeconds * 1000. */
  unitMs: number;
  createdAt: number;
  pendingAt?: number;
  pullStartedAt?: number;
  pullStoppedAt?: number;
  activatingAt?: number;
  runningAt?: number;
  /** The launch-time failure (task-start.ts), if it fails to start. */
  launchFailure?: string;
  stop?: TaskStop;
}

export interface NewTaskInput {
  /** newTaskId() (known before the launch checks, which use it as the execution role's session name). */
  id: string;
  account: string;
  region: string;
  clusterName: string;
  clusterArn: string;
  taskDefinitionArn: string;
  group: string;
  startedBy?: string;
  capacityProviderName?: string;
  platformVersion: string;
  cpu: string;
  memory: string;
  cpuArchitecture: string;
  overrides: Json;
  tags: Record<string, string>;
  subnet: { id: string; availabilityZone: string; cidrBlock: string };
  containers: Omit<TaskContainer, "arn" | "runtimeId">[];
  unitMs: number;
  now: number;
  launchFailure?: string;
}

export const ESSENTIAL_EXITED = "Essential container in task exited";
/** Exit code of a container killed after the stop timeout (SIGKILL: 128 + 9). */
export const KILLED = 137;

export function newTaskId(): string {
  return randomBytes(16).toString("hex");
}

function privateIp(cidr: string): string {
  const base = cidr.split("/")[0]!.split(".").map(Number);
  const host = 4 + (randomBytes(1)[0]! % 240);
  return `${base[0]}.${base[1]}.${base[2]}.${host}`;
}

function mac(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfe) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, "0")).join(":");
}

/** The natural stop of a task that runs: when its first essential container exits. */
function naturalStop(t: StandaloneTask): TaskStop | undefined {
  const running = t.runningAt;
  if (running === undefined) return undefined;
  const U = t.unitMs;
  const exits = t.containers.filter((c) => c.essential && c.runMs !== undefined).map((c) => running + c.runMs!);
  if (exits.length === 0) return undefined;
  const at = Math.min(...exits);
  const exitCodes: Record<string, number> = {};
  for (const c of t.containers) exitCodes[c.name] = c.runMs !== undefined && running + c.runMs <= at ? c.exitCode : KILLED;
  return {
    code: "EssentialContainerExited",
    reason: ESSENTIAL_EXITED,
    desiredAt: at,
    stoppingAt: at,
    executionStoppedAt: at,
    deactivatingAt: at,
    statusStoppingAt: at + 0.05 * U,
    deprovisioningAt: at + 0.1 * U,
    stoppedAt: at + 0.15 * U,
    exitCodes,
  };
}

export function createTask(i: NewTaskInput): StandaloneTask {
  const id = i.id;
  const U = i.unitMs;
  const t0 = i.now;
  const arn = `arn:aws:ecs:${i.region}:${i.account}:task/${i.clusterName}/${id}`;
  const eni = `eni-0${randomBytes(8).toString("hex")}`;
  const task: StandaloneTask = {
    id,
    arn,
    account: i.account,
    region: i.region,
    clusterName: i.clusterName,
    clusterArn: i.clusterArn,
    taskDefinitionArn: i.taskDefinitionArn,
    group: i.group,
    ...(i.startedBy !== undefined ? { startedBy: i.startedBy } : {}),
    launchType: "FARGATE",
    ...(i.capacityProviderName ? { capacityProviderName: i.capacityProviderName } : {}),
    platformVersion: i.platformVersion,
    cpu: i.cpu,
    memory: i.memory,
    cpuArchitecture: i.cpuArchitecture,
    overrides: i.overrides,
    tags: i.tags,
    network: {
      attachmentId: randomUUID(),
      subnetId: i.subnet.id,
      availabilityZone: i.subnet.availabilityZone,
      eniId: eni,
      macAddress: mac(),
      privateIp: privateIp(i.subnet.cidrBlock),
    },
    containers: i.containers.map((c) => ({
      ...c,
      arn: `arn:aws:ecs:${i.region}:${i.account}:container/${i.clusterName}/${id}/${randomUUID()}`,
      runtimeId: `${id}-${String(1_000_000_000 + (randomBytes(4).readUInt32BE(0) % 3_000_000_000))}`,
    })),
    unitMs: U,
    createdAt: t0,
    pendingAt: t0 + 0.1 * U,
  };
  if (i.launchFailure !== undefined) {
    task.launchFailure = i.launchFailure;
    const failAt = t0 + 0.25 * U;
    // The recorded CannotPullContainerError task has pull times; secrets and registry auth fail before any pull.
    if (i.launchFailure.startsWith("CannotPullContainerError")) {
      task.pullStartedAt = t0 + 0.15 * U;
      task.pullStoppedAt = failAt;
    }
    task.stop = stoppedBeforeRunning("TaskFailedToStart", i.launchFailure, failAt, U);
    return task;
  }
  task.pullStartedAt = t0 + 0.15 * U;
  task.pullStoppedAt = t0 + 0.25 * U;
  task.activatingAt = t0 + 0.3 * U;
  task.runningAt = t0 + 0.35 * U;
  const stop = naturalStop(task);
  if (stop) task.stop = stop;
  return task;
}

/** The stop of a task that never ran (it failed to start, or was stopped first): no container exited. */
function stoppedBeforeRunning(code: TaskStopCode, reason: string | undefined, at: number, U: number): TaskStop {
  return {
    code,
    ...(reason !== undefined ? { reason } : {}),
    desiredAt: at,
    stoppingAt: at,
    executionStoppedAt: at,
    statusStoppingAt: at,
    deprovisioningAt: at + 0.05 * U,
    stoppedAt: at + 0.1 * U,
    exitCodes: {},
  };
}

export function desiredStatus(t: StandaloneTask, now: number): "RUNNING" | "STOPPED" {
  return t.stop && now >= t.stop.desiredAt ? "STOPPED" : "RUNNING";
}

export function lastStatus(t: StandaloneTask, now: number): string {
  const s = t.stop;
  if (s && now >= s.stoppedAt) return "STOPPED";
  if (s && now >= s.deprovisioningAt) return "DEPROVISIONING";
  if (s && now >= s.statusStoppingAt) return "STOPPING";
  if (s && s.deactivatingAt !== undefined && now >= s.deactivatingAt) return "DEACTIVATING";
  if (t.runningAt !== undefined && now >= t.runningAt) return "RUNNING";
  if (t.activatingAt !== undefined && now >= t.activatingAt) return "ACTIVATING";
  if (t.pendingAt !== undefined && now >= t.pendingAt) return "PENDING";
  return "PROVISIONING";
}

/**
 * StopTask at `now`: a task whose desired status is still RUNNING stops (UserInitiated); otherwise
 * nothing changes (it is already stopping, or stopped). Returns whether it changed.
 */
export function requestStop(t: StandaloneTask, now: number, reason: string | undefined): boolean {
  if (desiredStatus(t, now) === "STOPPED") return false;
  const U = t.unitMs;
  if (t.runningAt === undefined || now < t.runningAt) {
    // Not running yet: it never will. What had not happened yet does not happen.
    for (const k of ["pendingAt", "pullStartedAt", "pullStoppedAt", "activatingAt", "runningAt"] as const) {
      if (t[k] !== undefined && t[k] > now) delete t[k];
    }
    delete t.launchFailure;
    t.stop = stoppedBeforeRunning("UserInitiated", reason, now, U);
    return true;
  }
  const running = t.runningAt;
  const kill = now + 0.1 * U;
  const exitCodes: Record<string, number> = {};
  for (const c of t.containers) exitCodes[c.name] = c.runMs !== undefined && running + c.runMs <= kill ? c.exitCode : KILLED;
  t.stop = {
    code: "UserInitiated",
    ...(reason !== undefined ? { reason } : {}),
    desiredAt: now,
    stoppingAt: now,
    deactivatingAt: now + 0.05 * U,
    executionStoppedAt: kill,
    statusStoppingAt: kill,
    deprovisioningAt: kill + 0.05 * U,
    stoppedAt: kill + 0.1 * U,
    exitCodes,
  };
  return true;
}

/** Whether a stopped task has outlived the retention of DescribeTasks. */
export function expired(t: StandaloneTask, now: number, retentionMs: number): boolean {
  return t.stop !== undefined && now >= t.stop.stoppedAt + retentionMs;
}

const secs = (ms: number): number => ms / 1000;

/** When a container stops and with what exit code (undefined: not yet known to stop; code undefined: it never ran). */
function containerEnd(t: StandaloneTask, c: TaskContainer): { at: number; exitCode?: number } | undefined {
  const s = t.stop;
  if (t.runningAt === undefined) return s ? { at: s.executionStoppedAt } : undefined;
  const natural = c.runMs !== undefined ? t.runningAt + c.runMs : undefined;
  const kill = s?.executionStoppedAt;
  if (natural !== undefined && (kill === undefined || natural <= kill)) return { at: natural, exitCode: c.exitCode };
  if (kill !== undefined) return { at: kill, exitCode: s?.exitCodes[c.name] ?? KILLED };
  return undefined;
}

function renderContainer(t: StandaloneTask, c: TaskContainer, now: number): Json {
  const s = t.stop;
  const running = t.runningAt !== undefined && now >= t.runningAt;
  const end = containerEnd(t, c);
  const stopped = end !== undefined && now >= end.at;
  const out: Json = { containerArn: c.arn, taskArn: t.arn, name: c.name, image: c.image };
  if (c.imageDigest && t.runningAt !== undefined && t.pullStoppedAt !== undefined && now >= t.pullStoppedAt)
    out.imageDigest = c.imageDigest;
  if (running) out.runtimeId = c.runtimeId;
  out.lastStatus = stopped ? "STOPPED" : running ? "RUNNING" : "PENDING";
  if (stopped && end.exitCode !== undefined) out.exitCode = end.exitCode;
  // As recorded: the detail, with the agent's trailing newline, and no exitCode (cloud-custodian test_ecs_task_by_arn).
  if (stopped && s?.code === "TaskFailedToStart") out.reason = `${s.reason ?? ""}\n`;
  out.networkBindings = [];
  out.networkInterfaces =
    t.pendingAt !== undefined && now >= t.pendingAt
      ? [{ attachmentId: t.network.attachmentId, privateIpv4Address: t.network.privateIp }]
      : [];
  out.healthStatus = "UNKNOWN";
  out.cpu = c.cpu;
  if (c.memory !== undefined) out.memory = c.memory;
  if (c.memoryReservation !== undefined) out.memoryReservation = c.memoryReservation;
  return out;
}

function attachmentStatus(t: StandaloneTask, now: number, fresh: boolean): string {
  const st = lastStatus(t, now);
  if (st === "PROVISIONING") return fresh ? "PRECREATED" : "ATTACHING";
  if (st === "DEPROVISIONING") return "DETACHING";
  if (st === "STOPPED") return "DELETED";
  return "ATTACHED";
}

/** The Task shape (botocore ecs Task) at `now`. `fresh`: the RunTask response itself. */
export function renderTask(t: StandaloneTask, now: number, opts: { fresh?: boolean; tags?: boolean } = {}): Json {
  const s = t.stop;
  const reached = (at: number | undefined): at is number => at !== undefined && now >= at;
  const pending = reached(t.pendingAt);
  const details: { name: string; value: string }[] = [{ name: "subnetId", value: t.network.subnetId }];
  if (pending) {
    details.push(
      { name: "networkInterfaceId", value: t.network.eniId },
      { name: "macAddress", value: t.network.macAddress },
      { name: "privateDnsName", value: `ip-${t.network.privateIp.replaceAll(".", "-")}.${t.region}.compute.internal` },
      { name: "privateIPv4Address", value: t.network.privateIp },
    );
  }
  const version =
    1 + (pending ? 1 : 0) + (reached(t.runningAt) ? 1 : 0) + (s && now >= s.desiredAt ? 1 : 0) + (s && now >= s.stoppedAt ? 1 : 0);
  const out: Json = {
    attachments: [
      { id: t.network.attachmentId, type: "ElasticNetworkInterface", status: attachmentStatus(t, now, Boolean(opts.fresh)), details },
    ],
    attributes: [{ name: "ecs.cpu-architecture", value: t.cpuArchitecture }],
    availabilityZone: t.network.availabilityZone,
    ...(t.capacityProviderName ? { capacityProviderName: t.capacityProviderName } : {}),
    clusterArn: t.clusterArn,
  };
  if (pending) {
    out.connectivity = "CONNECTED";
    out.connectivityAt = secs(t.pendingAt!);
  }
  out.containers = t.containers.map((c) => renderContainer(t, c, now));
  out.cpu = t.cpu;
  out.createdAt = secs(t.createdAt);
  out.desiredStatus = desiredStatus(t, now);
  out.enableExecuteCommand = false;
  if (s && reached(s.executionStoppedAt)) out.executionStoppedAt = secs(s.executionStoppedAt);
  out.group = t.group;
  out.healthStatus = "UNKNOWN";
  out.lastStatus = lastStatus(t, now);
  out.launchType = t.launchType;
  out.memory = t.memory;
  out.overrides = t.overrides;
  out.platformVersion = t.platformVersion;
  out.platformFamily = "Linux";
  if (reached(t.pullStartedAt)) out.pullStartedAt = secs(t.pullStartedAt);
  if (reached(t.pullStoppedAt)) out.pullStoppedAt = secs(t.pullStoppedAt);
  if (reached(t.runningAt)) out.startedAt = secs(t.runningAt);
  if (t.startedBy !== undefined) out.startedBy = t.startedBy;
  if (s && now >= s.desiredAt) {
    out.stopCode = s.code;
    if (s.reason !== undefined) out.stoppedReason = s.reason;
    out.stoppingAt = secs(s.stoppingAt);
  }
  if (s && reached(s.stoppedAt)) out.stoppedAt = secs(s.stoppedAt);
  if (opts.tags) out.tags = Object.entries(t.tags).map(([key, value]) => ({ key, value }));
  out.taskArn = t.arn;
  out.taskDefinitionArn = t.taskDefinitionArn;
  out.version = version;
  out.ephemeralStorage = { sizeInGiB: 20 };
  out.fargateEphemeralStorage = { sizeInGiB: 20 };
  return out;
}
