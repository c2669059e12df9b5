// Check `task-definition`: the rendered task definition is one ECS will accept and is the one the
// other checks were about. deployer's own consistency rules (it uses the resolved image, and the
// roles the target names) run here; the full validation is the foundation's validator, passed in
// the context (`validateTaskDefinition`). Without a validator the verdict is at best "unverified".
import { templateOf } from "../config/types.js";
import { isDeployerError, toErrorInfo, type ErrorInfo, errorMessage } from "../errors.js";
import type { CheckContext } from "./context.js";
import { targetError, verdict } from "./check-result.js";
import type { CheckResult } from "./check-result.js";
import { DEPLOYER_TAG_KEYS, tagCollisions, templateTags } from "../ecs/tags.js";

export const TASK_DEFINITION_CHECK = { id: "task-definition", title: "rendered task definition is valid" } as const;

export async function checkTaskDefinition(ctx: CheckContext): Promise<CheckResult> {
  const { target, desired } = ctx;
  const head = { ...TASK_DEFINITION_CHECK, target };
  const def = desired.taskDefinition;
  const problems: string[] = [];

  const containers = Array.isArray(def.containerDefinitions) ? def.containerDefinitions : [];
  if (!def.family) problems.push("it has no family");
  if (containers.length === 0) problems.push("it has no containerDefinitions");
  else if (!containers.some((c) => c.image === desired.imageRef)) {
    problems.push(
      `no container uses the resolved image ${desired.imageRef} (images: ${containers.map((c) => c.image).join(", ")}): use {{image}} in the template`,
    );
  }
  if (def.taskRoleArn !== undefined && def.taskRoleArn !== target.taskRole) {
    problems.push(`taskRoleArn is ${def.taskRoleArn} but the target's taskRole is ${target.taskRole}: use {{taskRole}} in the template`);
  }
  if (def.executionRoleArn !== undefined && def.executionRoleArn !== target.executionRole) {
    problems.push(
      `executionRoleArn is ${def.executionRoleArn} but the target's executionRole is ${target.executionRole}: use {{executionRole}} in the template`,
    );
  }

  let validatorErrors: ErrorInfo[] = [];
  let validatorFailure: string | undefined;
  if (ctx.validateTaskDefinition) {
    try {
      validatorErrors = ctx.validateTaskDefinition(def, target).map((e) => (isDeployerError(e) ? toErrorInfo(e) : e));
    } catch (e) {
      validatorFailure = errorMessage(e);
    }
  }
  const evidence = {
    family: def.family,
    image: desired.imageRef,
    validator: ctx.validateTaskDefinition ? "run" : "not supplied",
  };

  if (problems.length > 0 || validatorErrors.length > 0) {
    const all = [...problems, ...validatorErrors.map((e) => (e.field ? `${e.field}: ${e.message}` : e.message))];
    const first = validatorErrors[0];
    const error = targetError(target, {
      code: "RENDER_INVALID",
      message: `the rendered task definition for ${target.name} is invalid: ${all.join("; ")}`,
      resource: def.family,
      ...(first?.location
        ? { location: first.location }
        : { location: { file: templateOf(ctx.project, ctx.target).file, line: 1, column: 1 } }),
      ...(first?.field ? { field: first.field } : {}),
      hint:
        first?.hint ??
        `Fix the template ${templateOf(ctx.project, ctx.target).file} (deployer render --env ${target.name} shows the result).`,
    });
    return verdict(head, "fail", { message: error.message, error, evidence: { ...evidence, problems: all } });
  }
  if (validatorFailure !== undefined) {
    return verdict(head, "unverified", { message: `the task definition validator failed: ${validatorFailure}`, evidence });
  }
  if (!ctx.validateTaskDefinition) {
    return verdict(head, "unverified", {
      message: "uses the resolved image and the target's roles; full validation was not run (no validator supplied)",
      evidence,
    });
  }
  return verdict(head, "pass", { message: `${def.family}: valid, uses ${desired.imageRef}`, evidence });
}

export const TAGS_CHECK = { id: "task-definition-tags", title: "the template's tags are kept beside deployer's" } as const;

/**
 * Check `task-definition-tags`: the tags the template writes are registered with deployer's own
 * (https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_RegisterTaskDefinition.html `tags`);
 * where a template tag has a key deployer writes, deployer's value wins and this says so (a warning).
 */
export function checkTemplateTags(ctx: CheckContext): Promise<CheckResult> {
  const { target } = ctx;
  const head = { ...TAGS_CHECK, target };
  const tags = templateTags(ctx.desired.taskDefinition);
  const keys = Object.keys(tags);
  const collisions = tagCollisions(tags);
  if (collisions.length > 0) {
    return Promise.resolve(
      verdict(head, "warn", {
        message: `the template's tag${collisions.length === 1 ? "" : "s"} ${collisions.join(", ")} collide${collisions.length === 1 ? "s" : ""} with deployer's: deployer's value${collisions.length === 1 ? "" : "s"} will be registered`,
        hint: `Rename ${collisions.length === 1 ? "it" : "them"} in ${templateOf(ctx.project, ctx.target).file}: the deployer: prefix is deployer's (${DEPLOYER_TAG_KEYS.join(", ")}).`,
        evidence: { templateTags: keys, collisions },
      }),
    );
  }
  return Promise.resolve(
    verdict(head, "pass", {
      message:
        keys.length > 0
          ? `${keys.length} template tag${keys.length === 1 ? "" : "s"} kept (${keys.join(", ")})`
          : "the template writes no tags",
      evidence: { templateTags: keys },
    }),
  );
}
