// Rendering a target's task definition from the project's template: Handlebars (strict, JSON-safe;
// see template-engine.ts) -> JSON (positions kept) -> validation. Errors name the template file and
// line and the target.
import type { DesiredTarget, Project, ResolvedImage, Target, TaskDefinitionInput } from "../config/types.js";
import path from "node:path";
import { imageUri, serviceOf, templateOf } from "../config/types.js";
import { partitionOf } from "../config/aws-names.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { JsonSyntaxError, scanJson, type JsonScan } from "./json-scan.js";
import { compileTemplate, taintDeep, TemplateFailure, TEMPLATE_HELPERS, templateLocation, type RenderedText } from "./template-engine.js";
import { validateTaskDefinition } from "./validate-task-definition.js";
import { attachSensitivity, type RenderedSensitivity } from "./sensitivity.js";
import { renderSizeError, templateShapeError } from "./template-bounds.js";

/** The repository a target pulls from: its replica when it has one, else the central repository. */
export function targetImageRepository(project: Project, target: Target): string {
  return target.imageRepository ?? serviceOf(project, target)?.image.repository ?? project.config.image.repository;
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
    // The target's logical service (one-service projects: `service:` of deployer.yaml).
    service: target.serviceKey,
    target: {
      // The environment name (with several services, Target.name is ENV/SERVICE: not a family name).
      name: target.env,
      stage: target.stage,
      account: target.account,
      region: target.region,
      cluster: target.cluster,
      service: target.service,
      // arn:aws, arn:aws-cn, arn:aws-us-gov: the target region's partition, for ARNs the template writes.
      partition: partitionOf(target.region),
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
 * Throws DeployerError (TEMPLATE_ERROR: template syntax, bad helper use; RENDER_INVALID: output is
 * not JSON) or DeployerErrors (TEMPLATE_ERROR: every missing value at once; RENDER_INVALID: every
 * schema/rule problem).
 */
export function renderTaskDefinition(project: Project, target: Target, image: string): TaskDefinitionInput {
  const template = templateOf(project, target);
  const file = template.file;
  const { rendered, errors: templateErrors } = renderText(project, target, image);
  if (!rendered) {
    if (templateErrors.length === 1) throw templateErrors[0]!;
    throw new DeployerErrors(templateErrors, `${target.name}: the template did not render`);
  }

  let scan: JsonScan;
  try {
    scan = scanJson(rendered.text);
  } catch (e) {
    if (!(e instanceof JsonSyntaxError)) throw e;
    const pos = rendered.positionOf(e.offset);
    // The excerpt is the TEMPLATE's line, never the output's: the output may hold a secret, or the
    // content of a file that is not a template.
    const excerpt = templateLine(template.source, pos.line);
    const what = rendered.isTainted(e.offset) ? "where a sensitive value is written" : e.message;
    throw new DeployerError({
      code: "RENDER_INVALID",
      message: `rendered template is not valid JSON: ${what} (target "${target.name}"; template line ${pos.line}: ${excerpt})`,
      target: target.name,
      account: target.account,
      location: templateLocation(file, pos),
      hint: jsonSyntaxHint(template.source, pos),
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
  if (errors.length > 0)
    throw new DeployerErrors(
      errors.map((e) => scrubError(e, sensitivity.values)),
      `${target.name}: the rendered task definition is invalid`,
    );
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
    for (const seg of pointer
      .split("/")
      .slice(1)
      .map((x) => x.replace(/~1/g, "/").replace(/~0/g, "~"))) {
      cur = cur !== null && typeof cur === "object" ? (cur as Record<string, unknown>)[seg] : undefined;
    }
    return cur;
  };
  for (const [pointer, span] of scan.keySpans) {
    if (!overlaps(span)) continue;
    pointers.add(pointer);
    values.add(
      pointer
        .slice(pointer.lastIndexOf("/") + 1)
        .replace(/~1/g, "/")
        .replace(/~0/g, "~"),
    );
  }
  for (const [pointer, span] of scan.spans) {
    const v = valueAt(pointer);
    if (v !== null && typeof v === "object") continue; // containers: their leaves are looked at one by one
    if (!overlaps(span)) continue;
    pointers.add(pointer);
    // eslint-disable-next-line @typescript-eslint/no-base-to-string -- objects were skipped above: a JSON scalar
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
  const taskDefinition = renderTaskDefinition(project, target, imageRef);
  const taskErrors = taskContainerErrors(project, target, taskDefinition);
  if (taskErrors.length > 0) throw new DeployerErrors(taskErrors, `${target.name}: a one-off task names a container the definition lacks`);
  return { target, image, imageRef, taskDefinition };
}

/**
 * A one-off task (`tasks:` of the service) runs in a container of the rendered definition: one it
 * lacks is an error at the task's `container:` line, found when rendering (before any AWS call).
 */
export function taskContainerErrors(project: Project, target: Target, def: TaskDefinitionInput): DeployerError[] {
  const names = (def.containerDefinitions ?? []).map((c) => c.name);
  return (serviceOf(project, target)?.tasks ?? [])
    .filter((task) => !names.includes(task.container))
    .map(
      (task) =>
        new DeployerError({
          code: "RENDER_INVALID",
          message: `task "${task.name}" runs in container "${task.container}", which the rendered task definition of target "${target.name}" does not have`,
          target: target.name,
          account: target.account,
          location: task.location ?? { file: project.config.file, line: 1, column: 1 },
          field: `tasks.${task.name}.container`,
          hint: `Containers of ${path.basename(templateOf(project, target).file)}: ${names.join(", ") || "(none)"}.`,
        }),
    );
}

/**
 * A value the template inserts can only break the JSON where it is inserted: when the template line
 * has no {{…}} before the error, the template's own JSON is broken (the usual case: a missing comma,
 * which the parser reports at the start of the next entry), and the {{json}} advice would mislead.
 */
function jsonSyntaxHint(source: string, pos: { line: number; column: number }): string {
  const line = source.split("\n")[pos.line - 1] ?? "";
  const mustache = line.indexOf("{{");
  if (mustache !== -1 && mustache < pos.column) {
    return "Outside quotes, write values as JSON with {{json vars.x}}; inside quotes, {{vars.x}} is escaped for you.";
  }
  return "The template's own JSON is broken here, not a value it inserts: look for a missing comma at the end of the entry before this line, or an unclosed bracket, brace or quote.";
}

/** Missing values reported per target and render; beyond this the template has bigger problems. */
const MAX_MISSING_VALUES = 50;
/** What stands in for a missing value so rendering can go on and find the next one (never output). */
const PLACEHOLDER = "x";

/**
 * Renders the template text. A missing value does not stop at the first one: it is recorded, a
 * placeholder is put where it was missing, and rendering starts again, so every missing value of
 * the target is reported in one run (each at its first use). Any other failure ends the search.
 */
function renderText(project: Project, target: Target, image: string): { rendered?: RenderedText; errors: DeployerError[] } {
  const { file, source } = templateOf(project, target);
  const errors: DeployerError[] = [];
  const context = templateContext(project, target, image);
  // Bounded before Handlebars compiles or runs anything (template-bounds.ts).
  const shape = templateShapeError(file, source);
  if (shape) return { errors: [new DeployerError({ ...shape.toJSON(), target: target.name, account: target.account })] };
  // Measured on the plain values: a sensitive value is an opaque box in `context`, but it is written out all the same.
  const size = renderSizeError(file, source, plainContext(project, target, image), target.name);
  if (size) return { errors: [new DeployerError({ ...size.toJSON(), account: target.account })] };
  const filled = new Set<string>();
  for (;;) {
    try {
      const rendered = compileTemplate(file, source).render(context);
      return errors.length > 0 ? { errors } : { rendered, errors };
    } catch (e) {
      if (!(e instanceof TemplateFailure)) throw e;
      const last = errors.at(-1)?.cause as TemplateFailure | undefined;
      if (last && last.message === e.message && last.line === e.line && last.column === e.column) return { errors };
      errors.push(
        new DeployerError({
          code: "TEMPLATE_ERROR",
          message: `${e.message} (rendering for target "${target.name}")`,
          target: target.name,
          account: target.account,
          location: templateLocation(file, e),
          hint: e.hint ?? `Helpers: ${TEMPLATE_HELPERS.join(", ")}.`,
          cause: e,
        }),
      );
      const missing = missingPath(e.message);
      // Only the root context's own paths: inside {{#with}}/{{#each}} a relative name is not one.
      const rootKey = missing?.split(".")[0];
      if (!missing || !(rootKey! in context) || filled.has(missing) || filled.size >= MAX_MISSING_VALUES || !fillIn(context, missing))
        return { errors };
      filled.add(missing);
    }
  }
}

/** The context path a "… is not defined" / "… is null" failure is about (`vars.a.b`), if it names one. */
export function missingPath(message: string): string | undefined {
  const m = /^(?:\{\{)?([@\w$./-]+?)(?:\}\})? is (?:not defined|null)$/.exec(message);
  if (!m) return undefined;
  const path = m[1]!.replace(/^(?:@root\.|this\.|\.\.\/)+/, "");
  return /^[A-Za-z_$][\w$-]*(?:\.[\w$-]+)*$/.test(path) ? path : undefined;
}

/** Puts the placeholder at `path` of the root context; false when the path runs through a non-map. */
function fillIn(context: Record<string, unknown>, path: string): boolean {
  const parts = path.split(".");
  let cur: Record<string, unknown> = context;
  for (const [i, part] of parts.entries()) {
    if (i === parts.length - 1) {
      cur[part] = PLACEHOLDER;
      return true;
    }
    const next = cur[part];
    if (next === undefined || next === null) cur[part] = Object.create(null) as Record<string, unknown>;
    else if (typeof next !== "object" || Array.isArray(next)) return false;
    cur = cur[part] as Record<string, unknown>;
  }
  return false;
}
