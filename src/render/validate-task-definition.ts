// Validates a rendered task definition: the JSON Schema of RegisterTaskDefinition's input
// (schemas/task-definition.schema.json), then the rules ECS enforces at registration or at task
// start that a schema cannot express (Fargate sizes and network mode, roles in the target's account,
// what needs an execution role). Errors name the template, the line and the JSON path.
import { parseRoleArn } from "../config/aws-names.js";
import { validateAgainstSchema } from "../config/schema-validation.js";
import type { Target, TaskDefinitionInput } from "../config/types.js";
import { DeployerError, type SourceLocation } from "../errors.js";
import { cpuUnits, fargateSizeProblem, memoryMiB } from "./fargate-sizes.js";

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
      const problem = cpu !== undefined && memory !== undefined ? fargateSizeProblem(cpu, memory) : undefined;
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
  if (essential === 0)
    err(
      "/containerDefinitions",
      "containerDefinitions",
      "no container is essential",
      'Mark the main container "essential": true (a task needs at least one essential container).',
    );
  return out;
}
