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

/** "0.25 vCPU" -> 256, "1 GB" -> 1024: "When the task definition is registered, a vCPU value is converted to an integer indicating the CPU units" (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task_definition_parameters.html#task_size). */
export function taskUnits(v: unknown, unit: "vcpu" | "gb"): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string") return undefined;
  const s = v.trim();
  if (/^\d+$/.test(s)) return Number(s);
  const m = (unit === "vcpu" ? /^(\d+(?:\.\d+)?)\s*vcpu$/i : /^(\d+(?:\.\d+)?)\s*gb$/i).exec(s);
  return m ? Math.round(Number(m[1]) * 1024) : undefined;
}

/**
 * Fargate task sizes (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size;
 * botocore ecs RegisterTaskDefinitionRequest.memory): CPU -> allowed memory (MiB), and whether Windows
 * may use it. "The CPU units cannot be less than 1 vCPU" on Windows; 8 and 16 vCPU are Linux only
 * (platform version 1.4.0 or later).
 */
function fargateMemoryAllowed(cpu: number, memory: number, windows: boolean): boolean {
  const gb = (n: number) => n * 1024;
  const range = (lo: number, hi: number, step: number) => memory >= gb(lo) && memory <= gb(hi) && (memory - gb(lo)) % gb(step) === 0;
  switch (cpu) {
    case 256:
      return !windows && [512, 1024, 2048].includes(memory);
    case 512:
      return !windows && range(1, 4, 1);
    case 1024:
      return range(2, 8, 1);
    case 2048:
      return range(4, 16, 1);
    case 4096:
      return range(8, 30, 1);
    case 8192:
      return !windows && range(16, 60, 4);
    case 16384:
      return !windows && range(32, 120, 8);
    default:
      return false;
  }
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
    // Real text: "No Fargate configuration exists for given values: 512 CPU, 512 memory. See the Amazon ECS
    // documentation for the valid values." (ClientException; https://github.com/towardsthecloud/aws-cdk-examples/issues/1,
    // older "No Fargate configuration exists for given values.": https://github.com/aws/amazon-ecs-cli/issues/463).
    // Windows with 8 or 16 vCPU gets the same error (strict assumption: no real text for that case found).
    const cpu = taskUnits(input.cpu, "vcpu");
    const memory = taskUnits(input.memory, "gb");
    const os = String((input.runtimePlatform as { operatingSystemFamily?: unknown } | undefined)?.operatingSystemFamily ?? "LINUX");
    if (cpu === undefined || memory === undefined || !fargateMemoryAllowed(cpu, memory, os.startsWith("WINDOWS"))) {
      throw clientError(
        `No Fargate configuration exists for given values: ${String(input.cpu)} CPU, ${String(input.memory)} memory. See the Amazon ECS documentation for the valid values.`,
      );
    }
  }
  validatePortMappings(input, containers as Record<string, unknown>[]);
  validateMemory(input, containers as Record<string, unknown>[]);
}

/**
 * awsvpc (and host) networking: "the hostPort can either be left blank or set to the same value as
 * the containerPort" (botocore ecs PortMapping.hostPort). Real errors: "When networkMode=awsvpc, the
 * host ports and container ports in port mappings must match." (https://github.com/pulumi/pulumi-awsx/issues/935)
 * and "Invalid 'containerPort' setting for container 'NAME'." (https://github.com/aws/aws-cdk/issues/8762).
 */
function validatePortMappings(input: Record<string, unknown>, containers: Record<string, unknown>[]): void {
  const mode = (input.networkMode as string | undefined) ?? "bridge";
  for (const c of containers) {
    for (const pm of (c.portMappings as Record<string, unknown>[] | undefined) ?? []) {
      if (pm.containerPort === undefined && pm.containerPortRange === undefined) {
        throw clientError(`Invalid 'containerPort' setting for container '${String(c.name)}'.`);
      }
      if ((mode === "awsvpc" || mode === "host") && pm.hostPort !== undefined && pm.hostPort !== null && pm.hostPort !== pm.containerPort) {
        throw clientError(`When networkMode=${mode}, the host ports and container ports in port mappings must match.`);
      }
    }
  }
}

/**
 * Container memory against the task's. The documentation says the total reserved memory "must be lower
 * than the task memory value" (botocore ecs ContainerDefinition.memory); ECS's own errors say "cannot be
 * greater than" — "The sum of all container 'memoryReservation' values cannot be greater than the value
 * of the task 'memory'." (https://github.com/cloudnativedaysjp/dreamkast-infra/pull/4766) and "The
 * 'memory' setting for container 'worker' is greater than for the task."
 * (https://github.com/pulumi/pulumi-awsx/issues/1220). Modelled: the observed rule (equal is accepted),
 * because the service's own error texts state it and a container using all of the task's memory is a
 * common, working layout; the stricter "<" of the docs would refuse definitions AWS registers.
 * A container counts its memoryReservation, else its memory (a strict assumption: the real text names
 * memoryReservation only). Without task memory each container needs one of them: "Invalid setting for
 * container 'NAME'. At least one of 'memory' or 'memoryReservation' must be specified."
 * (https://github.com/aws/aws-cli/issues/4453).
 */
function validateMemory(input: Record<string, unknown>, containers: Record<string, unknown>[]): void {
  const task = input.memory === undefined ? undefined : taskUnits(input.memory, "gb");
  const num = (v: unknown) => (typeof v === "number" ? v : typeof v === "string" && /^\d+$/.test(v) ? Number(v) : undefined);
  let sum = 0;
  for (const c of containers) {
    const memory = num(c.memory);
    const reservation = num(c.memoryReservation);
    if (task === undefined) {
      if (memory === undefined && reservation === undefined) {
        throw clientError(
          `Invalid setting for container '${String(c.name)}'. At least one of 'memory' or 'memoryReservation' must be specified.`,
        );
      }
      continue;
    }
    if (memory !== undefined && memory > task)
      throw clientError(`The 'memory' setting for container '${String(c.name)}' is greater than for the task.`);
    sum += reservation ?? memory ?? 0;
  }
  if (task !== undefined && sum > task) {
    throw clientError("The sum of all container 'memoryReservation' values cannot be greater than the value of the task 'memory'.");
  }
}

/**
 * The size limit: "Actual length: '66420'. Max allowed length is '65536' bytes." (ClientException,
 * https://github.com/awsdocs/amazon-ecs-developer-guide/pull/149, https://github.com/awsdocs/amazon-ecs-developer-guide/issues/43).
 * What ECS measures is not documented; the stricter reading: the serialized request body.
 */
export function validateRequestSize(input: Record<string, unknown>): void {
  const length = Buffer.byteLength(JSON.stringify(input), "utf8");
  if (length > 65536) throw clientError(`Actual length: '${length}'. Max allowed length is '65536' bytes.`);
}

const TAG_RE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * Tags as ECS takes them (botocore ecs Tags max 50, TagKey 1..128, TagValue 0..256, both
 * `([\p{L}\p{Z}\p{N}_.:/=+\-@]*)`; "Do not use aws:, AWS:, or any upper or lowercase combination of
 * such as a prefix for either keys or values": botocore ecs Tag). Code InvalidParameterException, as
 * ECS's real "Tag key must not start with aws:" (https://github.com/aws/amazon-ecs-agent/issues/1704);
 * the constraint texts follow the AWS validation wording ("1 validation error detected: Value … at
 * 'tags.1.member.key' failed to satisfy constraint: …"). botocore also says aws:-prefixed tags "do not
 * count against your tags per resource limit"; the stricter reading refuses them and counts every tag.
 */
export function validateTags(v: unknown): void {
  if (v === undefined) return;
  const tags = Array.isArray(v) ? (v as { key?: unknown; value?: unknown }[]) : [];
  const invalid = (m: string) => new AwsError("InvalidParameterException", m);
  if (tags.length > 50) {
    throw invalid(
      `1 validation error detected: Value at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50`,
    );
  }
  tags.forEach((t, i) => {
    const key = typeof t.key === "string" ? t.key : "";
    const value = typeof t.value === "string" ? t.value : "";
    const at = (f: string) =>
      `1 validation error detected: Value '${f === "key" ? key : value}' at 'tags.${i + 1}.member.${f}' failed to satisfy constraint:`;
    if (key.length < 1) throw invalid(`${at("key")} Member must have length greater than or equal to 1`);
    if ([...key].length > 128) throw invalid(`${at("key")} Member must have length less than or equal to 128`);
    if ([...value].length > 256) throw invalid(`${at("value")} Member must have length less than or equal to 256`);
    if (!TAG_RE.test(key))
      throw invalid(`${at("key")} Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`);
    if (!TAG_RE.test(value))
      throw invalid(`${at("value")} Member must satisfy regular expression pattern: ^([\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*)$`);
    if (/^aws:/i.test(key)) throw invalid("Tag key must not start with aws:");
    // Strict assumption (no real text for values): worded as the key's.
    if (/^aws:/i.test(value)) throw invalid("Tag value must not start with aws:");
  });
}

/**
 * The defaults ECS fills in on registration beyond the long-standing ones (cpu 0, empty lists,
 * portMappings protocol/hostPort, essential), each switchable off for one sandbox
 * (StartSandboxOptions.registrationDefaults) while deployer does not yet normalise it. Evidence levels as in
 * research ECS-DEFAULTS.md: P = request/response pair, R = recorded response, D = documented default,
 * T = a peer tool normalises it, S = uncitable sightings only.
 */
export const REGISTRATION_DEFAULTS = [
  /** healthCheck interval 30 / timeout 5 / retries 3 when a healthCheck omits them (D + T/maintainer: https://github.com/eagletmt/hako/pull/56). */
  "healthCheckDefaults",
  /** volumes[].configuredAtLaunch: false (T: https://github.com/hashicorp/terraform-provider-aws/issues/38153, PR 40853). */
  "volumeConfiguredAtLaunch",
  /** volumes[].host: {} for a volume with no other configuration (R: cloud-custodian test_ecs_task_def recording). */
  "volumeEmptyHost",
  /** efsVolumeConfiguration.rootDirectory "/" when omitted (D + T + S; strict assumption). */
  "efsRootDirectory",
  /** enableFaultInjection: false (maintainer: https://github.com/aws-actions/amazon-ecs-deploy-task-definition/pull/706; D). */
  "enableFaultInjection",
  /** logConfiguration.secretOptions: [] (P at service level: awsdocs create-service-connect.md; S in containers; strict assumption). */
  "logSecretOptions",
  /** environment entries without `value` are dropped (maintainer: https://github.com/aws-actions/amazon-ecs-deploy-task-definition/pull/224). */
  "dropValuelessEnvironment",
  /** task cpu/memory "1 vCPU" / "2 GB" stored as unit strings "1024" / "2048" (D: task_definition_parameters.html#task_size). */
  "taskSizeUnits",
] as const;
export type RegistrationDefault = (typeof REGISTRATION_DEFAULTS)[number];

function normaliseContainer(c: Record<string, unknown>, networkMode: string | undefined, on: (d: RegistrationDefault) => boolean) {
  const out: Record<string, unknown> = { ...c };
  // cpu 0: "the value of cpu ... returned from AWS API is filled with 0" (https://github.com/eagletmt/hako/pull/50; R).
  out.cpu ??= 0;
  out.portMappings = ((c.portMappings as Record<string, unknown>[] | undefined) ?? []).map((pm) => {
    const m: Record<string, unknown> = { ...pm };
    // "For containers in a task with the awsvpc network mode, the hostPort is set to the same value as the containerPort" (botocore PortMapping.hostPort).
    if (networkMode === "awsvpc" || networkMode === "host") m.hostPort ??= m.containerPort;
    // "The default is tcp" (PortMapping.protocol).
    m.protocol ??= "tcp";
    return m;
  });
  // "If this parameter is omitted, a container is assumed to be essential" (ContainerDefinition.essential).
  out.essential ??= true;
  // P: aws-cli register-task-definition.rst and botocore examples-1.json RegisterTaskDefinition pairs.
  out.environment ??= [];
  if (on("dropValuelessEnvironment") && Array.isArray(out.environment)) {
    out.environment = (out.environment as Record<string, unknown>[]).filter((e) => e.value !== undefined && e.value !== null);
  }
  out.mountPoints ??= [];
  out.volumesFrom ??= [];
  // T: https://github.com/hashicorp/terraform-provider-aws/pull/46132 (systemControls echoed as []).
  out.systemControls ??= [];
  if (on("healthCheckDefaults") && out.healthCheck && typeof out.healthCheck === "object") {
    out.healthCheck = { interval: 30, timeout: 5, retries: 3, ...(out.healthCheck as Record<string, unknown>) };
  }
  if (on("logSecretOptions") && out.logConfiguration && typeof out.logConfiguration === "object") {
    out.logConfiguration = { ...(out.logConfiguration as Record<string, unknown>) };
    (out.logConfiguration as Record<string, unknown>).secretOptions ??= [];
  }
  return out;
}

function normaliseVolume(v: Record<string, unknown>, on: (d: RegistrationDefault) => boolean): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  const typed = ["host", "dockerVolumeConfiguration", "efsVolumeConfiguration", "fsxWindowsFileServerVolumeConfiguration"].some(
    (k) => out[k] !== undefined,
  );
  if (on("volumeEmptyHost") && !typed && out.configuredAtLaunch !== true) out.host = {};
  if (on("efsRootDirectory") && out.efsVolumeConfiguration && typeof out.efsVolumeConfiguration === "object") {
    out.efsVolumeConfiguration = { rootDirectory: "/", ...(out.efsVolumeConfiguration as Record<string, unknown>) };
  }
  if (on("volumeConfiguredAtLaunch")) out.configuredAtLaunch ??= false;
  return out;
}

/** Derived from the features used (R: the cloud-custodian recordings' requiresAttributes). */
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
    const secrets = Array.isArray(c.secrets) ? (c.secrets as { valueFrom?: string }[]) : [];
    if (secrets.some((x) => !String(x.valueFrom).startsWith("arn:aws:secretsmanager:")))
      attrs.add("ecs.capability.secrets.ssm.environment-variables");
    if (secrets.some((x) => String(x.valueFrom).startsWith("arn:aws:secretsmanager:")))
      attrs.add("ecs.capability.secrets.asm.environment-variables");
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
  disabled: ReadonlySet<RegistrationDefault> = new Set(),
): TaskDefinition {
  const family = input.family as string;
  const revision = nextRevision(state, family);
  const arn = taskDefinitionArn(regionName, account, family, revision);
  const networkMode = (input.networkMode as string | undefined) ?? "bridge";
  const on = (d: RegistrationDefault) => !disabled.has(d);
  const body: Record<string, unknown> = {
    taskDefinitionArn: arn,
    containerDefinitions: (input.containerDefinitions as Record<string, unknown>[]).map((c) =>
      normaliseContainer(structuredClone(c), networkMode, on),
    ),
    family,
  };
  // An empty taskRoleArn is not echoed (P: botocore examples-1.json RegisterTaskDefinition sends "" and gets none back).
  for (const key of PASSTHROUGH) if (input[key] !== undefined && input[key] !== "") body[key] = structuredClone(input[key]);
  body.networkMode = networkMode;
  body.revision = revision;
  body.volumes = ((body.volumes as Record<string, unknown>[] | undefined) ?? []).map((v) => normaliseVolume(v, on));
  if (on("enableFaultInjection")) body.enableFaultInjection ??= false;
  if (on("taskSizeUnits")) {
    if (body.cpu !== undefined) body.cpu = String(taskUnits(body.cpu, "vcpu") ?? body.cpu);
    if (body.memory !== undefined) body.memory = String(taskUnits(body.memory, "gb") ?? body.memory);
  }
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
