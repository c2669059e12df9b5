// Rendering a target's task definition from the project's template: Handlebars (strict, JSON-safe;
// see template-engine.ts) -> JSON (positions kept) -> validation. Errors name the template file and
// line and the target.
import type { DesiredTarget, Project, ResolvedImage, Target, TaskDefinitionInput } from "../config/types.js";
import { imageUri } from "../config/types.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { JsonSyntaxError, scanJson, type JsonScan } from "./json-scan.js";
import { compileTemplate, taintDeep, TemplateFailure, TEMPLATE_HELPERS, templateLocation, type RenderedText } from "./template-engine.js";
import { validateTaskDefinition } from "./validate-task-definition.js";
import { attachSensitivity, type RenderedSensitivity } from "./sensitivity.js";

/** The repository a target pulls from: its replica when it has one, else the central repository. */
export function targetImageRepository(project: Project, target: Target): string {
  return target.imageRepository ?? project.config.image.repository;
}

/** Where a `sensitive:` path of an environment file is in the template context. */
const CONTEXT_PATH: Record<string, string[]> = {
  vars: ["vars"],
  taskRole: ["taskRole"],
  executionRole: ["executionRole"],
  stage: ["target", "stage"],
  account: ["target", "account"],
  region: ["target", "region"],
  cluster: ["target", "cluster"],
  service: ["target", "service"],
};

/**
 * What the template sees. Objects have no prototype, so nothing but the data can be reached; values
 * under the target's `sensitive:` paths are Sensitive boxes (taint tracking, see template-engine.ts).
 */
export function templateContext(project: Project, target: Target, image: string): Record<string, unknown> {
  const context = plainContext(project, target, image);
  for (const p of target.sensitive ?? []) {
    const [head, ...rest] = p.split(".");
    const base = CONTEXT_PATH[head!];
    if (!base) continue; // deployRole, externalId…: not in the template context
    const segments = [...base, ...rest];
    let parent: Record<string, unknown> | undefined = context;
    for (const seg of segments.slice(0, -1)) {
      const next: unknown = parent?.[seg];
      parent = next !== null && typeof next === "object" && !Array.isArray(next) ? (next as Record<string, unknown>) : undefined;
    }
    const last = segments[segments.length - 1]!;
    if (parent && Object.prototype.hasOwnProperty.call(parent, last)) parent[last] = taintDeep(parent[last]);
  }
  return context;
}

function plainContext(project: Project, target: Target, image: string): Record<string, unknown> {
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

  let scan: JsonScan;
  try {
    scan = scanJson(rendered.text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const pos = rendered.positionOf(e.offset);
    // The excerpt is the TEMPLATE's line, never the output's: the output may hold a secret, or the
    // content of a file that is not a template.
    const excerpt = templateLine(project.template.source, pos.line);
    const what = rendered.isTainted(e.offset) ? "where a sensitive value is written" : e.message;
    throw new DeployerError({
      code: "RENDER_INVALID",
      message: `rendered template is not valid JSON: ${what} (target "${target.name}"; template line ${pos.line}: ${excerpt})`,
      target: target.name,
      account: target.account,
      location: templateLocation(file, pos),
      hint: "Outside quotes, write values as JSON with {{json vars.x}}; inside quotes, {{vars.x}} is escaped for you.",
    });
  }

  const sensitivity = taintedFields(scan, rendered);
  const errors = validateTaskDefinition(scan.value, {
    templateFile: file,
    target,
    locate: (pointer) => {
      const offset = scan.offsets.get(pointer);
      return offset === undefined ? undefined : templateLocation(file, rendered.positionOf(offset));
    },
  });
  if (errors.length > 0) throw new DeployerErrors(errors.map((e) => scrubError(e, sensitivity.values)), `${target.name}: the rendered task definition is invalid`);
  attachSensitivity(scan.value as object, sensitivity);
  return scan.value as TaskDefinitionInput;
}

/** Line `n` (1-based) of the template, trimmed and cut to 160 characters. */
function templateLine(source: string, n: number): string {
  const line = (source.split(/\r?\n/)[n - 1] ?? "").trim();
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/**
 * The fields (values and keys) of the rendered definition whose text overlaps output written from
 * sensitive input, and the texts to redact: what sensitive expressions wrote and each such field's
 * whole value.
 */
function taintedFields(scan: JsonScan, rendered: RenderedText): RenderedSensitivity {
  if (rendered.tainted.length === 0) return { pointers: [], values: [] };
  const overlaps = (span: { start: number; end: number }) => rendered.tainted.some((r) => span.start < r.end && r.start < span.end);
  const pointers = new Set<string>();
  const values = new Set<string>(rendered.sensitiveTexts);
  const valueAt = (pointer: string): unknown => {
    let cur: unknown = scan.value;
    for (const seg of pointer.split("/").slice(1).map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"))) {
      cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
    return cur;
  };
  for (const [pointer, span] of scan.keySpans) {
    if (!overlaps(span)) continue;
    pointers.add(pointer);
    values.add(pointer.slice(pointer.lastIndexOf("/") + 1).replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  for (const [pointer, span] of scan.spans) {
    const v = valueAt(pointer);
    if (v !== null && typeof v === "object") continue; // containers: their leaves are looked at one by one
    if (!overlaps(span)) continue;
    pointers.add(pointer);
    if (v !== null && v !== undefined) values.add(String(v));
  }
  values.delete("");
  return { pointers: [...pointers], values: [...values].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)) };
}

/** An error about the rendered definition with every sensitive text replaced by "(sensitive)". */
function scrubError(e: DeployerError, values: readonly string[]): DeployerError {
  if (values.length === 0) return e;
  // Short texts (a lookup's "1") are not hunted in running text: messages do not quote values.
  const long = values.filter((v) => v.length >= 4);
  const scrub = (s: string | undefined) => {
    if (s === undefined) return undefined;
    let out = s;
    for (const v of long) out = out.split(v).join("(sensitive)");
    return out;
  };
  return new DeployerError({ ...e.toJSON(), message: scrub(e.message)!, field: scrub(e.field), hint: scrub(e.hint), cause: e });
}

/** A target's desired state for one resolved image: the task definition references the image by digest. */
export function renderDesired(project: Project, target: Target, image: ResolvedImage): DesiredTarget {
  const imageRef = imageUri(targetImageRepository(project, target), image.digest);
  return { target, image, imageRef, taskDefinition: renderTaskDefinition(project, target, imageRef) };
}
