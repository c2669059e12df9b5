// Rendering a target's task definition from the project's template: Handlebars (strict, JSON-safe;
// see template-engine.ts) -> JSON (positions kept) -> validation. Errors name the template file and
// line and the target.
import type { DesiredTarget, Project, ResolvedImage, Target, TaskDefinitionInput } from "../config/types.js";
import { imageUri } from "../config/types.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { JsonSyntaxError, scanJson } from "./json-scan.js";
import { compileTemplate, TemplateFailure, TEMPLATE_HELPERS, templateLocation, type RenderedText } from "./template-engine.js";
import { validateTaskDefinition } from "./validate-task-definition.js";

/** The repository a target pulls from: its replica when it has one, else the central repository. */
export function targetImageRepository(project: Project, target: Target): string {
  return target.imageRepository ?? project.config.image.repository;
}

/** What the template sees. Objects have no prototype, so nothing but the data can be reached. */
export function templateContext(project: Project, target: Target, image: string): Record<string, unknown> {
  return plainData({
    service: project.config.service,
    target: {
      name: target.name,
      stage: target.stage,
      account: target.account,
      region: target.region,
      cluster: target.cluster,
      service: target.service,
    },
    image,
    taskRole: target.taskRole,
    executionRole: target.executionRole,
    vars: target.vars,
  }) as Record<string, unknown>;
}

function plainData(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(plainData);
  if (v !== null && typeof v === "object") {
    const out = Object.create(null) as Record<string, unknown>;
    for (const [k, item] of Object.entries(v)) out[k] = plainData(item);
    return out;
  }
  return v;
}

/**
 * Renders and validates `target`'s task definition with `image` as the image reference.
 * Throws DeployerError (TEMPLATE_ERROR: template syntax, missing value, bad helper use;
 * RENDER_INVALID: output is not JSON) or DeployerErrors (RENDER_INVALID: every schema/rule problem).
 */
export function renderTaskDefinition(project: Project, target: Target, image: string): TaskDefinitionInput {
  const file = project.template.file;
  let rendered: RenderedText;
  try {
    rendered = compileTemplate(file, project.template.source).render(templateContext(project, target, image));
  } catch (e) {
    if (!(e instanceof TemplateFailure)) throw e;
    throw new DeployerError({
      code: "TEMPLATE_ERROR",
      message: `${e.message} (rendering for target "${target.name}")`,
      target: target.name,
      account: target.account,
      location: templateLocation(file, e),
      hint: e.hint ?? `Helpers: ${TEMPLATE_HELPERS.join(", ")}.`,
      cause: e,
    });
  }

  let scan: ReturnType<typeof scanJson>;
  try {
    scan = scanJson(rendered.text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const pos = rendered.positionOf(e.offset);
    const lineStart = rendered.text.lastIndexOf("\n", e.offset - 1) + 1;
    const lineEnd = rendered.text.indexOf("\n", e.offset);
    const excerpt = rendered.text.slice(lineStart, lineEnd === -1 ? undefined : lineEnd).trim();
    throw new DeployerError({
      code: "RENDER_INVALID",
      message: `rendered template is not valid JSON: ${e.message} (target "${target.name}"; rendered line: ${excerpt.length > 160 ? excerpt.slice(0, 157) + "..." : excerpt})`,
      target: target.name,
      account: target.account,
      location: templateLocation(file, pos),
      hint: "Outside quotes, write values as JSON with {{json vars.x}}; inside quotes, {{vars.x}} is escaped for you.",
    });
  }

  const errors = validateTaskDefinition(scan.value, {
    templateFile: file,
    target,
    locate: (pointer) => {
      const offset = scan.offsets.get(pointer);
      return offset === undefined ? undefined : templateLocation(file, rendered.positionOf(offset));
    },
  });
  if (errors.length > 0) throw new DeployerErrors(errors, `${target.name}: the rendered task definition is invalid`);
  return scan.value as TaskDefinitionInput;
}

/** A target's desired state for one resolved image: the task definition references the image by digest. */
export function renderDesired(project: Project, target: Target, image: ResolvedImage): DesiredTarget {
  const imageRef = imageUri(targetImageRepository(project, target), image.digest);
  return { target, image, imageRef, taskDefinition: renderTaskDefinition(project, target, imageRef) };
}
