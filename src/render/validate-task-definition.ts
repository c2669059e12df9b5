// Validates a rendered task definition: the JSON Schema of RegisterTaskDefinition's input
// (schemas/task-definition.schema.json), then the rules ECS enforces at registration or at task
// start that a schema cannot express (Fargate sizes and network mode, Windows sizes, host ports under
// awsvpc, container memory within the task's, the 64 KiB request, tags; roles in the target's
// account, what needs an execution role). Errors name the template, the line and the JSON path.
import { parseRoleArn } from "../config/aws-names.js";
import { validateAgainstSchema } from "../config/schema-validation.js";
import type { Target, TaskDefinitionInput } from "../config/types.js";
import { DeployerError, type SourceLocation } from "../errors.js";
import { cpuUnits, fargateSizeProblem, memoryMiB } from "./fargate-sizes.js";
import { DEPLOYER_TAG_KEYS, MAX_TAGS } from "../ecs/tags.js";

export interface TaskDefinitionCheckContext {
  /** The template the definition was rendered from (reported as the error's file). */
  templateFile: string;
  /** The target it was rendered for. */
  target?: Pick<Target, "name" | "account">;
  /** The template position of the value at a JSON pointer of the definition. */
  locate?: (pointer: string) => SourceLocation | undefined;
}

/** Every problem of a rendered task definition (empty when it is valid). */
export function validateTaskDefinition(def: unknown, ctx: TaskDefinitionCheckContext): DeployerError[] {
  const locate = (p: string): SourceLocation => ctx.locate?.(p) ?? ctx.locate?.("") ?? { file: ctx.templateFile, line: 1, column: 1 };
  const schemaErrors = validateAgainstSchema("task-definition", def, {
    code: "RENDER_INVALID",
    file: ctx.templateFile,
    target: ctx.target?.name,
    subject: "rendered task definition: ",
    locate: (p) => ({ loc: locate(p) }),
  });
  if (schemaErrors.length > 0) return byPosition(schemaErrors);
  return byPosition(ruleErrors(def as TaskDefinitionInput, ctx, locate));
}

function byPosition(errors: DeployerError[]): DeployerError[] {
  return errors
    .map((e, i) => ({ e, i }))
    .sort(
      (a, b) =>
        (a.e.location?.line ?? 0) - (b.e.location?.line ?? 0) || (a.e.location?.column ?? 0) - (b.e.location?.column ?? 0) || a.i - b.i,
    )
    .map(({ e }) => e);
}

function ruleErrors(def: TaskDefinitionInput, ctx: TaskDefinitionCheckContext, locate: (p: string) => SourceLocation): DeployerError[] {
  const out: DeployerError[] = [];
  const err = (pointer: string, field: string, message: string, hint: string) =>
    out.push(
      new DeployerError({
        code: "RENDER_INVALID",
        message: `rendered task definition: ${message}`,
        target: ctx.target?.name,
        account: ctx.target?.account,
        location: locate(pointer),
        field,
        hint,
      }),
    );

  const fargate = def.requiresCompatibilities?.includes("FARGATE") ?? false;
  if (fargate) {
    if (def.networkMode !== "awsvpc") {
      err(
        def.networkMode === undefined ? "" : "/networkMode",
        "networkMode",
        `Fargate requires networkMode "awsvpc", got ${def.networkMode === undefined ? "none" : "another mode"}`,
        'Set "networkMode": "awsvpc".',
      );
    }
    if (def.cpu === undefined || def.memory === undefined) {
      err(
        "",
        def.cpu === undefined ? "cpu" : "memory",
        "Fargate requires task-level cpu and memory",
        'Set both, e.g. "cpu": "{{vars.cpu}}", "memory": "{{vars.memory}}".',
      );
    } else {
      const cpu = cpuUnits(def.cpu);
      const memory = memoryMiB(def.memory);
      const os = def.runtimePlatform?.operatingSystemFamily;
      const problem = cpu !== undefined && memory !== undefined ? fargateSizeProblem(cpu, memory, os) : undefined;
      if (problem)
        err(
          "/memory",
          "memory",
          problem,
          "See the Fargate task size table: https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size",
        );
    }
  }

  if (ctx.target) {
    for (const field of ["taskRoleArn", "executionRoleArn"] as const) {
      const arn = def[field];
      const role = typeof arn === "string" ? parseRoleArn(arn) : undefined;
      if (role && role.account !== ctx.target.account) {
        err(
          `/${field}`,
          field,
          `${field} is in account ${role.account}, but target "${ctx.target.name}" is account ${ctx.target.account}`,
          "ECS only accepts task and execution roles from the task's own account; use {{taskRole}} / {{executionRole}} from the environment file.",
        );
      }
    }
  }

  const names = new Map<string, number>();
  let essential = 0;
  def.containerDefinitions.forEach((c, i) => {
    const first = names.get(c.name);
    if (first !== undefined)
      err(
        `/containerDefinitions/${i}/name`,
        `containerDefinitions[${i}].name`,
        `this container name is also used by containerDefinitions[${first}]`,
        "Container names must be unique within a task definition.",
      );
    else names.set(c.name, i);
    if (c.essential !== false) essential++;
    const needsExecutionRole =
      (Array.isArray(c.secrets) && c.secrets.length > 0) ||
      (c.logConfiguration as { logDriver?: string } | undefined)?.logDriver === "awslogs" ||
      (fargate && /^\d{12}\.dkr\.ecr\./.test(c.image));
    if (needsExecutionRole && def.executionRoleArn === undefined) {
      err(
        `/containerDefinitions/${i}`,
        `containerDefinitions[${i}]`,
        `containerDefinitions[${i}] uses secrets, awslogs or a private ECR image, which need an execution role, but executionRoleArn is not set`,
        'Add "executionRoleArn": "{{executionRole}}".',
      );
    }
    const log = c.logConfiguration as { logDriver?: string; options?: Record<string, string> } | undefined;
    if (log?.logDriver === "awslogs") {
      for (const option of ["awslogs-group", "awslogs-region"]) {
        if (!log.options?.[option]) {
          err(
            `/containerDefinitions/${i}/logConfiguration`,
            `containerDefinitions[${i}].logConfiguration.options`,
            `the awslogs driver needs the "${option}" option`,
            `Add "${option}" under logConfiguration.options (e.g. "awslogs-region": "{{target.region}}").`,
          );
        }
      }
    }
  });
  portMappingRules(def, err);
  memoryRules(def, err);
  tagRules(def, err);
  sizeRule(def, err);
  if (essential === 0)
    err(
      "/containerDefinitions",
      "containerDefinitions",
      "no container is essential",
      'Mark the main container "essential": true (a task needs at least one essential container).',
    );
  return out;
}

type Report = (pointer: string, field: string, message: string, hint: string) => void;

/**
 * awsvpc and host networking: "the hostPort can either be left blank or set to the same value as the
 * containerPort" (botocore ecs PortMapping.hostPort). ECS: "When networkMode=awsvpc, the host ports and
 * container ports in port mappings must match." (https://github.com/pulumi/pulumi-awsx/issues/935).
 */
function portMappingRules(def: TaskDefinitionInput, err: Report): void {
  const mode = def.networkMode ?? "bridge";
  if (mode !== "awsvpc" && mode !== "host") return;
  def.containerDefinitions.forEach((c, i) => {
    (c.portMappings ?? []).forEach((pm, j) => {
      if (pm.hostPort !== undefined && pm.containerPort !== undefined && pm.hostPort !== pm.containerPort) {
        err(
          `/containerDefinitions/${i}/portMappings/${j}/hostPort`,
          `containerDefinitions[${i}].portMappings[${j}].hostPort`,
          `hostPort ${pm.hostPort} differs from containerPort ${pm.containerPort}: with networkMode ${mode} ECS requires them to match`,
          "Leave hostPort out (ECS sets it to the containerPort) or make it equal.",
        );
      }
    });
  });
}

/**
 * Container memory against the task's, as ECS checks it at registration (and the sandbox models it):
 * a container's `memory` not above the task's ("The 'memory' setting for container 'worker' is
 * greater than for the task.", https://github.com/pulumi/pulumi-awsx/issues/1220), and the sum of
 * every container's memoryReservation (else memory) not above it ("The sum of all container
 * 'memoryReservation' values cannot be greater than the value of the task 'memory'.",
 * https://github.com/cloudnativedaysjp/dreamkast-infra/pull/4766). The documentation says "lower
 * than"; ECS's own errors (and working definitions) accept equal. Without task memory (EC2) each
 * container needs memory or memoryReservation.
 */
function memoryRules(def: TaskDefinitionInput, err: Report): void {
  const task = typeof def.memory === "string" ? memoryMiB(def.memory) : undefined;
  const num = (v: unknown) => (typeof v === "number" ? v : undefined);
  let sum = 0;
  def.containerDefinitions.forEach((c, i) => {
    const memory = num(c.memory);
    const reservation = num(c.memoryReservation);
    if (def.memory === undefined) {
      if (memory === undefined && reservation === undefined) {
        err(
          `/containerDefinitions/${i}`,
          `containerDefinitions[${i}]`,
          `container ${c.name} has neither memory nor memoryReservation, and the task sets no memory`,
          'Set task-level "memory", or the container\'s "memory" / "memoryReservation".',
        );
      }
      return;
    }
    if (task === undefined) return;
    if (memory !== undefined && memory > task) {
      err(
        `/containerDefinitions/${i}/memory`,
        `containerDefinitions[${i}].memory`,
        `container ${c.name}'s memory ${memory} MiB is more than the task's ${task} MiB`,
        "A container cannot have more memory than its task.",
      );
    }
    sum += reservation ?? memory ?? 0;
  });
  if (task !== undefined && sum > task) {
    err(
      "/containerDefinitions",
      "containerDefinitions",
      `the containers reserve ${sum} MiB (memoryReservation, else memory), more than the task's ${task} MiB`,
      "Lower the containers' memoryReservation / memory, or raise the task's memory.",
    );
  }
}

/** botocore ecs Tag: TagKey 1-128, TagValue 0-256 characters of this class. */
const TAG_CHARS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;

/**
 * The template's `tags`, as ECS takes them (botocore ecs Tags / Tag): keys 1-128 and values 0-256
 * characters of letters, spaces, digits and _ . : / = + - @; no "aws:" prefix (any case) on a key or
 * a value; at most 50 per resource — counting deployer's own (up to DEPLOYER_TAG_KEYS of them; a
 * template key deployer also writes counts once).
 */
function tagRules(def: TaskDefinitionInput, err: Report): void {
  const tags = Array.isArray(def.tags) ? (def.tags as Array<{ key?: unknown; value?: unknown }>) : [];
  const seen = new Map<string, number>();
  tags.forEach((t, i) => {
    const key = typeof t.key === "string" ? t.key : "";
    const value = typeof t.value === "string" ? t.value : "";
    const at = `/tags/${i}`;
    const field = `tags[${i}]`;
    if ([...key].length < 1 || [...key].length > 128)
      err(`${at}/key`, `${field}.key`, `tag key of ${[...key].length} characters (1 to 128)`, "Shorten the key.");
    if ([...value].length > 256)
      err(`${at}/value`, `${field}.value`, `tag value of ${[...value].length} characters (at most 256)`, "Shorten the value.");
    if (!TAG_CHARS.test(key) || !TAG_CHARS.test(value)) {
      err(
        at,
        field,
        "a tag key or value has a character ECS does not accept",
        "Tags take letters, digits, spaces and _ . : / = + - @ only.",
      );
    }
    if (/^aws:/i.test(key) || /^aws:/i.test(value)) {
      err(
        at,
        field,
        'a tag key or value starts with "aws:", which is reserved for AWS',
        "Rename it: AWS keeps the aws: prefix for itself.",
      );
    }
    const first = seen.get(key);
    if (first !== undefined) err(`${at}/key`, `${field}.key`, `tag key ${key} is also written by tags[${first}]`, "Each tag key once.");
    else seen.set(key, i);
  });
  const own = [...seen.keys()].filter((k) => !DEPLOYER_TAG_KEYS.includes(k)).length;
  const deployers = DEPLOYER_TAG_KEYS.length - 1; // every key but deployer:copy-of, written on copies only (without the template's tags)
  if (own + deployers > MAX_TAGS) {
    err(
      "/tags",
      "tags",
      `${own} template tags and up to ${deployers} of deployer's make more than the ${MAX_TAGS} tags ECS allows on a task definition`,
      `Keep at most ${MAX_TAGS - deployers} tags in the template.`,
    );
  }
}

/** ECS refuses a RegisterTaskDefinition request over 65536 bytes ("Actual length: '66420'. Max allowed length is '65536' bytes."). */
export const MAX_REGISTER_BYTES = 65536;
/** Room kept for deployer's own tags (at most ten keys and values of bounded length), in bytes. */
export const DEPLOYER_TAGS_BYTES = 2048;

/**
 * The 64 KiB limit (https://github.com/awsdocs/amazon-ecs-developer-guide/pull/149, a real
 * ClientException). What ECS measures is not documented; the stricter reading: the serialized
 * request, with room for deployer's tags.
 */
function sizeRule(def: TaskDefinitionInput, err: Report): void {
  const bytes = Buffer.byteLength(JSON.stringify(def), "utf8") + DEPLOYER_TAGS_BYTES;
  if (bytes > MAX_REGISTER_BYTES) {
    err(
      "",
      "containerDefinitions",
      `the registration request would be about ${bytes} bytes (with ${DEPLOYER_TAGS_BYTES} kept for deployer's tags): ECS refuses more than ${MAX_REGISTER_BYTES}`,
      "Shrink the definition: move long values (environment, commands) to SSM parameters or an environment file.",
    );
  }
}
