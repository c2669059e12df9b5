// The services of a deploy repository (issue 17): `services:` in deployer.yaml (key -> template,
// image, tasks, dependsOn), or the one service of `service:` + `template:` (with top-level `tasks:`).
// Reads their values after the schema: keys, images (a service's own, else the top-level one), one-off
// tasks, and dependsOn (known keys, no cycle). Templates are read by the caller (load.ts).
import { DeployerError, type SourceLocation } from "../errors.js";
import { isPlainObject } from "./paths.js";
import { readImage } from "./parse.js";
import { closest } from "./suggest.js";
import { DEFAULT_TASK_TIMEOUT_SECONDS, type ImageConfig, type TaskConfig } from "./types.js";
import type { YamlSource } from "./yaml-source.js";

/** A service key: used in target names (`dev/worker`), `{{service}}` and the family. */
export const SERVICE_KEY = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const TASK_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** A service as deployer.yaml declares it, before its template is read. */
export interface DeclaredService {
  key: string;
  /** The template path as written (relative to deployer.yaml). */
  templatePath?: string;
  /** JSON pointer of its `template` value in deployer.yaml. */
  templatePointer: string;
  image?: ImageConfig;
  tasks: TaskConfig[];
  dependsOn: string[];
}

function pointer(...segments: string[]): string {
  return segments.map((s) => "/" + s.replace(/~/g, "~0").replace(/\//g, "~1")).join("");
}

/**
 * The declared services in order. Errors (both forms at once, a bad key, a service without an image,
 * an unknown or cyclic dependsOn) go to `errors`, each at its line.
 */
export function readServices(
  raw: Record<string, unknown>,
  src: YamlSource,
  topImage: ImageConfig | undefined,
  errors: DeployerError[],
): DeclaredService[] {
  const loc = (p: string): SourceLocation => src.nodes.get(p)?.loc ?? { file: src.file, line: 1, column: 1 };
  const keyLoc = (p: string): SourceLocation => src.nodes.get(p)?.keyLoc ?? loc(p);

  if (!isPlainObject(raw.services)) {
    // One service: `service:` + `template:`, top-level `tasks:`.
    const key = typeof raw.service === "string" ? raw.service : "";
    return [
      {
        key,
        ...(typeof raw.template === "string" ? { templatePath: raw.template } : {}),
        templatePointer: "/template",
        ...(topImage ? { image: topImage } : {}),
        tasks: readTasks(raw.tasks, "/tasks", src, errors),
        dependsOn: [],
      },
    ];
  }

  for (const field of ["service", "template", "tasks"] as const) {
    if (raw[field] === undefined) continue;
    errors.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `\`${field}:\` and \`services:\` cannot both be used: ${field === "tasks" ? "tasks belong to a service" : "a project has one service, or several under `services:`"}`,
        location: keyLoc(`/${field}`),
        field,
        hint:
          field === "service"
            ? "With `services:`, name the project with `name:` and give each service its key under `services:`."
            : field === "template"
              ? "With `services:`, each service has its own `template:` (services.KEY.template)."
              : "Move `tasks:` under the service that runs them (services.KEY.tasks).",
      }),
    );
  }

  const declared: DeclaredService[] = [];
  for (const [key, value] of Object.entries(raw.services)) {
    const at = pointer("services", key);
    if (!SERVICE_KEY.test(key)) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `service key ${JSON.stringify(key.slice(0, 80))} is not valid`,
          location: keyLoc(at),
          field: "services",
          hint: "Name services with letters, digits, '-' and '_' (up to 64 characters, starting with a letter or digit), e.g. api or worker: the key is in target names (dev/worker) and `{{service}}`.",
        }),
      );
      continue;
    }
    if (!isPlainObject(value)) continue; // the schema reports it
    const own = readImage(value, (field) => loc(`${at}/${field.split(".").join("/")}`), errors);
    const image = own ?? topImage;
    if (!image && value.image === undefined) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `service "${key}" has no image repository`,
          location: keyLoc(at),
          field: `services.${key}.image`,
          hint: "Give it `image: { repository: … }`, or set the top-level `image:` that every service without its own uses.",
        }),
      );
    }
    declared.push({
      key,
      ...(typeof value.template === "string" ? { templatePath: value.template } : {}),
      templatePointer: `${at}/template`,
      ...(image ? { image } : {}),
      tasks: readTasks(value.tasks, `${at}/tasks`, src, errors),
      dependsOn: Array.isArray(value.dependsOn) ? value.dependsOn.filter((d): d is string => typeof d === "string") : [],
    });
  }

  const keys = declared.map((s) => s.key);
  for (const s of declared) {
    s.dependsOn.forEach((dep, i) => {
      const where = loc(`${pointer("services", s.key)}/dependsOn/${i}`);
      if (dep === s.key) {
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `service "${s.key}" depends on itself`,
            location: where,
            field: `services.${s.key}.dependsOn[${i}]`,
            hint: "dependsOn lists the other services updated before this one.",
          }),
        );
      } else if (!keys.includes(dep)) {
        const guess = closest(dep, keys);
        errors.push(
          new DeployerError({
            code: "CONFIG_INVALID",
            message: `service "${s.key}" depends on "${dep}", which is not a service`,
            location: where,
            field: `services.${s.key}.dependsOn[${i}]`,
            hint: `${guess ? `Did you mean "${guess}"? ` : ""}Services: ${keys.join(", ")}.`,
          }),
        );
      }
    });
  }
  const cycle = dependencyCycle(declared);
  if (cycle) {
    const first = declared.find((s) => s.key === cycle[0])!;
    const i = first.dependsOn.indexOf(cycle[1]!);
    errors.push(
      new DeployerError({
        code: "CONFIG_INVALID",
        message: `dependsOn forms a cycle: ${cycle.join(" -> ")}`,
        location: loc(`${pointer("services", first.key)}/dependsOn/${i}`),
        field: `services.${first.key}.dependsOn[${i}]`,
        hint: "Services are updated in dependsOn order; a cycle has no order. Remove one of these dependencies.",
      }),
    );
  }
  return declared;
}

/** The first dependsOn cycle (keys, the first repeated at the end), if any; unknown keys are ignored. */
export function dependencyCycle(services: Array<{ key: string; dependsOn: string[] }>): string[] | undefined {
  const byKey = new Map(services.map((s) => [s.key, s]));
  const state = new Map<string, "visiting" | "done">();
  const stack: string[] = [];
  const visit = (key: string): string[] | undefined => {
    if (state.get(key) === "done") return undefined;
    if (state.get(key) === "visiting") return [...stack.slice(stack.indexOf(key)), key];
    state.set(key, "visiting");
    stack.push(key);
    for (const dep of byKey.get(key)?.dependsOn ?? []) {
      if (dep === key || !byKey.has(dep)) continue;
      const found = visit(dep);
      if (found) return found;
    }
    stack.pop();
    state.set(key, "done");
    return undefined;
  };
  for (const s of services) {
    const found = visit(s.key);
    if (found) return found;
  }
  return undefined;
}

function readTasks(raw: unknown, at: string, src: YamlSource, errors: DeployerError[]): TaskConfig[] {
  if (!isPlainObject(raw)) return [];
  const tasks: TaskConfig[] = [];
  for (const [name, value] of Object.entries(raw)) {
    const here = `${at}${pointer(name)}`;
    if (!TASK_NAME.test(name)) {
      errors.push(
        new DeployerError({
          code: "CONFIG_INVALID",
          message: `task name ${JSON.stringify(name.slice(0, 80))} is not valid`,
          location: src.nodes.get(here)?.keyLoc ?? src.nodes.get(here)?.loc ?? { file: src.file, line: 1, column: 1 },
          hint: "Name tasks with letters, digits, '-' and '_', e.g. migrate.",
        }),
      );
      continue;
    }
    if (!isPlainObject(value) || !Array.isArray(value.command) || typeof value.container !== "string") continue; // the schema reports it
    const location = src.nodes.get(`${here}/container`)?.loc;
    tasks.push({
      name,
      command: value.command.filter((c): c is string => typeof c === "string"),
      container: value.container,
      timeoutSeconds: typeof value.timeoutSeconds === "number" ? value.timeoutSeconds : DEFAULT_TASK_TIMEOUT_SECONDS,
      ...(location ? { location } : {}),
    });
  }
  return tasks;
}
