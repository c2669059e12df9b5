// `deployer init --from-service`, the pure half: a live task definition (DescribeTaskDefinition) turned
// into deployer's template and one target's environment file, such that the template rendered for
// that target is the same task definition again (init checks it: `plan` right after shows no change).
//
// What becomes a variable:
//  - the family: `{{service}}-{{target.name}}` when it is `<service>-<target>`, else `{{service}}`;
//  - the task and execution roles: `{{taskRole}}`, `{{executionRole}}`;
//  - the image of the application container (the one from an ECR repository, or --container):
//    `{{image}}` (deployer pins it by digest);
//  - task-level cpu and memory: `{{vars.cpu}}`, `{{vars.memory}}` (they differ per target most often);
//  - in every other string: the account id `{{target.account}}`, the region `{{target.region}}`, and
//    as whole words (between `/`, `-`, `.`, `:`, `_` or the ends) the service name `{{service}}`, the
//    cluster `{{target.cluster}}` and the target's name `{{target.name}}`; a string that is exactly the
//    ECS service's name, `{{target.service}}`.
// Text that holds `{{` or `}}` goes into the environment file's vars (a template cannot write it
// literally). What is never written: the value of an environment variable whose name looks secret (…KEY,
// …TOKEN, …PASSWORD, …SECRET, …DSN): it becomes `{{vars.NAME}}` with no value, and a warning says to
// move it to `secrets` (Secrets Manager or SSM) or set it, marked `sensitive`.
import type { LiveTaskDefinition } from "../aws/ports.js";
import { registeredInput } from "../ecs/registered-input.js";
import { isSecretName } from "../render/redact.js";
import { parseEcrRepository, pinnedDigest } from "../config/aws-names.js";
import { DeployerError } from "../errors.js";

export interface TemplateSource {
  td: LiveTaskDefinition;
  /** The target's name (the environment file's name). */
  env: string;
  account: string;
  region: string;
  cluster: string;
  /** The ECS service. */
  service: string;
  /** deployer's service name (deployer.yaml `service`); default: from the family. */
  name?: string;
  /** The application container (default: the one whose image is in an ECR repository). */
  container?: string;
}

export interface GeneratedTemplate {
  /** deployer.yaml `service`. */
  name: string;
  /** The template's text (JSON with Handlebars expressions), ending in a newline. */
  template: string;
  /** The environment file's `vars`. */
  vars: Record<string, unknown>;
  taskRole?: string;
  executionRole?: string;
  /** The application container's name. */
  container: string;
  /** Its image's repository (without tag or digest). */
  repository: string;
  /** Its image's digest, when the image is pinned by one. */
  digest?: string;
  /** Its image's tag, when it is referenced by one. */
  tag?: string;
  warnings: string[];
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Whole-word boundaries for names inside strings. */
const WORD = /[A-Za-z0-9]/;

export function templateFromTaskDefinition(src: TemplateSource): GeneratedTemplate {
  const def = ordered(prune(registeredInput(src.td) as unknown as Json) as { [key: string]: Json }, TASK_KEYS);
  if (Array.isArray(def.containerDefinitions)) {
    def.containerDefinitions = def.containerDefinitions.map((c) =>
      c && typeof c === "object" && !Array.isArray(c) ? ordered(c, CONTAINER_KEYS) : c,
    );
  }
  const warnings: string[] = [];
  const family = typeof def.family === "string" ? def.family : src.td.family;
  const name =
    src.name ?? (family.endsWith(`-${src.env}`) && family.length > src.env.length + 1 ? family.slice(0, -src.env.length - 1) : family);

  const containers = Array.isArray(def.containerDefinitions) ? (def.containerDefinitions as Array<{ [key: string]: Json }>) : [];
  const app = src.container
    ? containers.find((c) => c.name === src.container)
    : (containers.find((c) => typeof c.image === "string" && parseEcrRepository(stripRef(c.image)) !== undefined) ?? undefined);
  if (!app || typeof app.image !== "string") {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: src.container
        ? `the task definition ${src.td.arn} has no container named "${src.container}"`
        : `no container of ${src.td.arn} runs an image from an ECR repository (deployer deploys images of one central ECR repository)`,
      hint: `containers: ${containers.map((c) => nameOf(c)).join(", ") || "(none)"}; name the application container with --container NAME`,
    });
  }
  const appName = nameOf(app);
  const image = app.image;
  const repository = stripRef(image);
  if (!parseEcrRepository(repository)) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `container "${appName}" runs ${image}, which is not in an ECR repository`,
      hint: "deployer deploys images of one central ECR repository (ACCOUNT.dkr.ecr.REGION.amazonaws.com/NAME)",
    });
  }
  const digest = pinnedDigest(image);
  const tag = digest ? undefined : /:([A-Za-z0-9_][A-Za-z0-9_.-]{0,127})$/.exec(image.slice(repository.length))?.[1];
  if (!digest) {
    warnings.push(
      `container "${appName}" runs ${image} by tag: deployer pins images by digest, so the first plan shows the image changing to the same tag's digest`,
    );
  }

  const vars: Record<string, unknown> = {};
  const replace = substitutions(src, name);
  const secretVars: string[] = [];

  const render = (value: Json, path: string[]): string => {
    if (typeof value === "string") return `"${stringTemplate(value, path)}"`;
    if (value === null || typeof value !== "object") return JSON.stringify(value);
    return ""; // objects and arrays are laid out by `layout`
  };

  const stringTemplate = (s: string, path: string[]): string => {
    const key = path.join(".");
    if (key === "family") {
      if (s === `${name}-${src.env}`) return "{{service}}-{{target.name}}";
      if (s === name) return "{{service}}";
    }
    if (key === "taskRoleArn") return "{{taskRole}}";
    if (key === "executionRoleArn") return "{{executionRole}}";
    if (key === "cpu" || key === "memory") {
      vars[key] = /^\d+$/.test(s) ? Number(s) : s;
      return `{{vars.${key}}}`;
    }
    if (path[0] === "containerDefinitions" && path[2] === "image" && path[1] === String(containers.indexOf(app))) return "{{image}}";
    // Text with `{{` or `}}` cannot be written literally into a Handlebars template: it goes into
    // the environment file as a value (values are data, never parsed as template).
    if (s.includes("{{") || s.includes("}}")) {
      const v = `literal${Object.keys(vars).filter((k) => k.startsWith("literal")).length + 1}`;
      vars[v] = s;
      return `{{vars.${v}}}`;
    }
    return replace(s);
  };

  // Secret-looking environment values are never written: they become a variable to set.
  for (const c of containers) {
    const envList = Array.isArray(c.environment) ? (c.environment as Array<{ [key: string]: Json }>) : [];
    for (const e of envList) {
      if (typeof e.name === "string" && typeof e.value === "string" && e.value !== "" && isSecretName(e.name)) {
        const v = varName(e.name);
        e.value = { __expr: `{{vars.${v}}}` };
        secretVars.push(`${nameOf(c)}: ${e.name} -> vars.${v}`);
      }
    }
  }
  if (secretVars.length > 0) {
    warnings.push(
      `environment variables that look secret were not written (${secretVars.join("; ")}): move them to the container's "secrets" (Secrets Manager or SSM), or set the vars in the environment file and list them under "sensitive"`,
    );
  }

  const layout = (value: Json, path: string[], indent: string): string => {
    if (Array.isArray(value)) {
      if (value.length === 0) return "[]";
      if (value.every((v) => v === null || typeof v !== "object"))
        return `[${value.map((v, i) => render(v, [...path, String(i)])).join(", ")}]`;
      const inner = indent + "  ";
      return `[\n${value.map((v, i) => inner + layout(v, [...path, String(i)], inner)).join(",\n")}\n${indent}]`;
    }
    if (value !== null && typeof value === "object") {
      if ("__expr" in value && typeof value.__expr === "string") return `"${value.__expr}"`;
      const entries = Object.entries(value);
      if (entries.length === 0) return "{}";
      const inner = indent + "  ";
      return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${layout(v, [...path, k], inner)}`).join(",\n")}\n${indent}}`;
    }
    return render(value, path);
  };

  const out: GeneratedTemplate = {
    name,
    template: `${layout(def, [], "")}\n`,
    vars,
    container: appName,
    repository,
    warnings,
  };
  if (typeof src.td.raw.taskRoleArn === "string") out.taskRole = src.td.raw.taskRoleArn;
  if (typeof src.td.raw.executionRoleArn === "string") out.executionRole = src.td.raw.executionRoleArn;
  if (digest) out.digest = digest;
  if (tag) out.tag = tag;
  return out;
}

/** The order a person writes a task definition in (the rest follows in ECS's order). */
const TASK_KEYS = [
  "family",
  "taskRoleArn",
  "executionRoleArn",
  "networkMode",
  "requiresCompatibilities",
  "cpu",
  "memory",
  "runtimePlatform",
  "containerDefinitions",
];
const CONTAINER_KEYS = ["name", "image", "essential"];

function ordered(o: { [key: string]: Json }, first: string[]): { [key: string]: Json } {
  const out: { [key: string]: Json } = {};
  for (const k of first) if (k in o) out[k] = o[k]!;
  for (const [k, v] of Object.entries(o)) if (!(k in out)) out[k] = v;
  return out;
}

/** `REPO:tag` or `REPO@sha256:…` → `REPO`. */
export function stripRef(image: string): string {
  const at = image.indexOf("@");
  if (at >= 0) return image.slice(0, at);
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  return colon > slash ? image.slice(0, colon) : image;
}

function nameOf(c: { [key: string]: Json }): string {
  return typeof c.name === "string" ? c.name : "(unnamed)";
}

/** `DATABASE_PASSWORD` → `databasePassword`. */
function varName(env: string): string {
  const parts = env
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return parts.map((p, i) => (i === 0 ? p : p[0]!.toUpperCase() + p.slice(1))).join("") || "secret";
}

/** A string's literal text as it goes into the template: JSON-escaped (it holds no `{{`: see stringTemplate). */
function literal(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/** The per-target values inside a string, as template expressions; the rest literal. */
function substitutions(src: TemplateSource, name: string): (s: string) => string {
  type Rule = { value: string; expr: string; word: boolean };
  const rules: Rule[] = [
    { value: src.account, expr: "{{target.account}}", word: false },
    { value: src.region, expr: "{{target.region}}", word: false },
    { value: name, expr: "{{service}}", word: true },
    { value: src.cluster, expr: "{{target.cluster}}", word: true },
    { value: src.env, expr: "{{target.name}}", word: true },
  ]
    .filter((r) => r.value.length >= 2)
    .sort((a, b) => b.value.length - a.value.length);
  return (s: string) => {
    if (s === src.service && s !== name && s !== src.env && s !== src.cluster) return "{{target.service}}";
    let out = "";
    let i = 0;
    let lit = "";
    while (i < s.length) {
      const rule = rules.find(
        (r) => s.startsWith(r.value, i) && (!r.word || (!WORD.test(s[i - 1] ?? "") && !WORD.test(s[i + r.value.length] ?? ""))),
      );
      if (rule) {
        out += literal(lit) + rule.expr;
        lit = "";
        i += rule.value.length;
      } else {
        lit += s[i];
        i++;
      }
    }
    return out + literal(lit);
  };
}

/** Without nulls and empty lists or maps (ECS echoes many as []: the normal form treats absent and empty alike). */
function prune(v: Json): Json | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) {
    const items = v.map(prune).filter((x): x is Json => x !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof v === "object") {
    const o: { [key: string]: Json } = {};
    for (const [k, x] of Object.entries(v)) {
      const p = prune(x);
      if (p !== undefined) o[k] = p;
    }
    return Object.keys(o).length ? o : undefined;
  }
  return v;
}
