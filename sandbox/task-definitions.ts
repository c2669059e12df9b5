// Task definition registration as ECS does it: next revision in the family, defaults filled in the
// way DescribeTaskDefinition returns them (cpu 0, empty lists, hostPort for awsvpc, ...), derived
// `compatibilities` and `requiresAttributes`, Fargate rules checked.
import { AwsError } from "./aws-error.js";
import type { RegionState, TaskDefinition } from "./world.js";

const PASSTHROUGH = [
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "volumes",
  "placementConstraints",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "pidMode",
  "ipcMode",
  "proxyConfiguration",
  "inferenceAccelerators",
  "ephemeralStorage",
  "runtimePlatform",
  "enableFaultInjection",
] as const;

const FAMILY_RE = /^[a-zA-Z0-9_-]{1,255}$/;

function clientError(message: string): AwsError {
  return new AwsError("ClientException", message);
}

export function validateTaskDefinitionInput(input: Record<string, unknown>): void {
  const family = input.family;
  if (typeof family !== "string" || family.length === 0) throw clientError("Family must be specified.");
  if (!FAMILY_RE.test(family)) {
    throw clientError(
      "Family contains invalid characters. Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores are allowed.",
    );
  }
  const containers = input.containerDefinitions;
  if (!Array.isArray(containers) || containers.length === 0) throw clientError("Container list cannot be empty.");
  const names = new Set<string>();
  for (const c of containers as Record<string, unknown>[]) {
    if (typeof c.name !== "string" || !c.name) throw clientError("Container.name should not be null or empty.");
    if (typeof c.image !== "string" || !c.image) throw clientError("Container.image should not be null or empty.");
    if (names.has(c.name)) throw clientError(`Duplicate container name: ${c.name}`);
    names.add(c.name);
  }
  const compat = (input.requiresCompatibilities as string[] | undefined) ?? [];
  if (compat.includes("FARGATE")) {
    if (input.networkMode !== "awsvpc") throw clientError("Fargate only supports network mode ‘awsvpc’.");
    if (input.cpu === undefined) throw clientError("Fargate requires that 'cpu' be defined at the task level.");
    if (input.memory === undefined) throw clientError("Fargate requires that 'memory' be defined at the task level.");
    for (const c of containers as Record<string, unknown>[]) {
      const log = c.logConfiguration as { logDriver?: string } | undefined;
      if (log?.logDriver === "awslogs" && !input.executionRoleArn) {
        throw clientError("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
      }
      if (/\.dkr\.ecr\./.test(String(c.image)) && !input.executionRoleArn) {
        throw clientError("Fargate requires task definition to have execution role ARN to support ECR images.");
      }
    }
  }
}

function normaliseContainer(c: Record<string, unknown>, networkMode: string | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = { ...c };
  out.cpu ??= 0;
  out.portMappings = ((c.portMappings as Record<string, unknown>[] | undefined) ?? []).map((pm) => {
    const m: Record<string, unknown> = { ...pm };
    if (networkMode === "awsvpc" || networkMode === "host") m.hostPort ??= m.containerPort;
    m.protocol ??= "tcp";
    return m;
  });
  out.essential ??= true;
  out.environment ??= [];
  out.mountPoints ??= [];
  out.volumesFrom ??= [];
  out.systemControls ??= [];
  return out;
}

function requiresAttributes(input: Record<string, unknown>): { name: string }[] {
  const attrs = new Set<string>();
  const containers = input.containerDefinitions as Record<string, unknown>[];
  attrs.add("com.amazonaws.ecs.capability.docker-remote-api.1.18");
  if (input.taskRoleArn) attrs.add("com.amazonaws.ecs.capability.task-iam-role");
  if (input.networkMode === "awsvpc") attrs.add("ecs.capability.task-eni");
  for (const c of containers) {
    const log = c.logConfiguration as { logDriver?: string } | undefined;
    if (log?.logDriver === "awslogs") {
      attrs.add("com.amazonaws.ecs.capability.logging-driver.awslogs");
      if (input.executionRoleArn) attrs.add("ecs.capability.execution-role-awslogs");
    }
    if (/\.dkr\.ecr\./.test(String(c.image))) {
      attrs.add("com.amazonaws.ecs.capability.ecr-auth");
      if (input.executionRoleArn) attrs.add("ecs.capability.execution-role-ecr-pull");
    }
    if (c.healthCheck) attrs.add("ecs.capability.container-health-check");
    if (Array.isArray(c.secrets) && c.secrets.length > 0) attrs.add("ecs.capability.secrets.ssm.environment-variables");
  }
  return [...attrs].sort().map((name) => ({ name }));
}

export function nextRevision(region: RegionState, family: string): number {
  return (region.taskDefinitions.get(family)?.length ?? 0) + 1;
}

export function taskDefinitionArn(region: string, account: string, family: string, revision: number): string {
  return `arn:aws:ecs:${region}:${account}:task-definition/${family}:${revision}`;
}

/** Registers a (validated) input as the next revision of its family. */
export function registerTaskDefinition(
  state: RegionState,
  regionName: string,
  account: string,
  input: Record<string, unknown>,
  registeredBy: string,
  now: number,
): TaskDefinition {
  const family = input.family as string;
  const revision = nextRevision(state, family);
  const arn = taskDefinitionArn(regionName, account, family, revision);
  const networkMode = (input.networkMode as string | undefined) ?? "bridge";
  const body: Record<string, unknown> = {
    taskDefinitionArn: arn,
    containerDefinitions: (input.containerDefinitions as Record<string, unknown>[]).map((c) =>
      normaliseContainer(structuredClone(c), networkMode),
    ),
    family,
  };
  for (const key of PASSTHROUGH) if (input[key] !== undefined) body[key] = structuredClone(input[key]);
  body.networkMode = networkMode;
  body.revision = revision;
  body.volumes ??= [];
  body.status = "ACTIVE";
  body.requiresAttributes = requiresAttributes(input);
  body.placementConstraints ??= [];
  body.compatibilities = networkMode === "awsvpc" ? ["EC2", "FARGATE"] : ["EC2"];
  const td: TaskDefinition = { arn, family, revision, status: "ACTIVE", body, registeredAt: now, registeredBy };
  const revisions = state.taskDefinitions.get(family) ?? [];
  revisions.push(td);
  state.taskDefinitions.set(family, revisions);
  return td;
}

/** By ARN, family:revision, or family (latest ACTIVE). */
export function resolveTaskDefinition(state: RegionState | undefined, ref: string): TaskDefinition | undefined {
  if (!state) return undefined;
  const m = /^(?:arn:aws:ecs:[^:]+:\d{12}:task-definition\/)?([a-zA-Z0-9_-]+)(?::(\d+))?$/.exec(ref);
  if (!m) return undefined;
  const revisions = state.taskDefinitions.get(m[1]!);
  if (!revisions) return undefined;
  if (m[2]) return revisions[Number(m[2]) - 1];
  return [...revisions].reverse().find((t) => t.status === "ACTIVE");
}

export function renderTaskDefinition(td: TaskDefinition): Record<string, unknown> {
  return {
    ...structuredClone(td.body),
    status: td.status,
    registeredAt: td.registeredAt / 1000,
    registeredBy: td.registeredBy,
    ...(td.deregisteredAt ? { deregisteredAt: td.deregisteredAt / 1000 } : {}),
  };
}
