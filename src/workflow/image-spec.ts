// Which image each service deploys (issue 17): `--image TAG` for every service (a monorepo build tags
// every image with the same sha), `--image api=TAG` per service, or a default and overrides
// (`--image 3f2a9c1 --image worker=8d1e4b7`). Values are repeatable and comma- or newline-separated
// (the Action's `image` input takes the same text). A tag or digest never contains "=": `KEY=` marks a
// service. Each service's reference is resolved in its own repository (resolve-image.ts).
import { DeployerError } from "../errors.js";
import { closest } from "../config/suggest.js";
import type { Project, Target } from "../config/types.js";
import type { Plan } from "../plan/types.js";

export interface ImageSpec {
  /** The image of every service not named in `services`. */
  default?: string;
  /** Service key -> its image (a tag, a digest or a full reference). */
  services: Record<string, string>;
}

const USAGE =
  "--image TAG for every service, --image SERVICE=TAG for one (repeatable, or comma-separated: --image api=3f2a9c1,worker=8d1e4b7)";

/** Parses `--image` values (already split by commas or not); INVALID_ARGUMENT for a malformed one. */
export function parseImageSpec(values: string | readonly string[], flag = "--image"): ImageSpec {
  const items = (typeof values === "string" ? [values] : values)
    .flatMap((v) => v.split(/[,\n]/))
    .map((s) => s.trim())
    .filter(Boolean);
  const spec: ImageSpec = { services: {} };
  for (const item of items) {
    const eq = item.indexOf("=");
    if (eq < 0) {
      if (spec.default !== undefined && spec.default !== item)
        throw new DeployerError({
          code: "INVALID_ARGUMENT",
          message: `${flag} ${item} and ${flag} ${spec.default} both name the image of every service`,
          hint: `give one default image, and SERVICE=TAG for the services that differ: ${USAGE}`,
        });
      spec.default = item;
      continue;
    }
    const key = item.slice(0, eq).trim();
    const ref = item.slice(eq + 1).trim();
    if (!key || !ref)
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: `${flag} ${JSON.stringify(item)}: expected SERVICE=TAG`,
        hint: USAGE,
      });
    if (spec.services[key] !== undefined && spec.services[key] !== ref)
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: `${flag} names two images for service ${key} (${spec.services[key]} and ${ref})`,
        hint: USAGE,
      });
    spec.services[key] = ref;
  }
  if (spec.default === undefined && Object.keys(spec.services).length === 0)
    throw new DeployerError({ code: "INVALID_ARGUMENT", message: `${flag} is empty`, hint: USAGE });
  return spec;
}

/**
 * The image reference of each service the selected targets deploy (declared order). INVALID_ARGUMENT
 * for a service key that is not a service, and for a selected service without an image.
 */
export function imagesForServices(project: Project, targets: Target[], spec: ImageSpec, flag = "--image"): Map<string, string> {
  const keys = project.config.services.map((s) => s.key);
  for (const key of Object.keys(spec.services)) {
    if (keys.includes(key)) continue;
    const guess = closest(key, keys);
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `${flag} ${key}=…: "${key}" is not a service of ${project.config.service}`,
      hint: `${guess ? `Did you mean ${guess}? ` : ""}Services: ${keys.join(", ")}.`,
    });
  }
  const wanted = keys.filter((k) => targets.some((t) => t.serviceKey === k));
  const out = new Map<string, string>();
  const missing: string[] = [];
  for (const key of wanted) {
    const ref = spec.services[key] ?? spec.default;
    if (ref === undefined) missing.push(key);
    else out.set(key, ref);
  }
  if (missing.length > 0)
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `no image for service${missing.length === 1 ? "" : "s"} ${missing.join(", ")}`,
      hint: `give ${missing.map((k) => `${flag} ${k}=TAG`).join(" ")}, or ${flag} TAG for every service; or leave ${missing.length === 1 ? "it" : "them"} out with --service`,
    });
  return out;
}

/** The spec as one line, for messages ("3f2a9c1", "api=3f2a9c1, worker=8d1e4b7"). */
export function describeImageSpec(spec: ImageSpec | string): string {
  if (typeof spec === "string") return spec;
  return [...(spec.default !== undefined ? [spec.default] : []), ...Object.entries(spec.services).map(([k, v]) => `${k}=${v}`)].join(", ");
}

/** The tag a run records as its git sha: the default image, or the only one given. */
export function primaryImageRef(spec: ImageSpec | string): string | undefined {
  if (typeof spec === "string") return spec;
  if (spec.default !== undefined) return spec.default;
  const refs = [...new Set(Object.values(spec.services))];
  return refs.length === 1 ? refs[0] : undefined;
}

/** The spec as --image flags again, for "to run it: …" (`--image 3f2a9c1 --image worker=8d1e4b7`). */
export function imageArgs(spec: ImageSpec | string): string {
  if (typeof spec === "string") return `--image ${spec}`;
  return [...(spec.default !== undefined ? [spec.default] : []), ...Object.entries(spec.services).map(([k, v]) => `${k}=${v}`)]
    .map((v) => `--image ${v}`)
    .join(" ");
}

/** The images of a saved plan: per service (several services), or for every service (one). */
export function savedPlanImages(saved: Pick<Plan, "image" | "images">): ImageSpec {
  if (saved.images) return { services: Object.fromEntries(Object.entries(saved.images).map(([k, i]) => [k, i.tag ?? i.digest])) };
  return { default: saved.image.tag ?? saved.image.digest, services: {} };
}

/** The selection of a saved plan's targets: its environments (and services, with several). */
export function savedPlanSelection(saved: Pick<Plan, "images" | "targets">): { envs: string[]; services?: string[] } {
  return {
    envs: [...new Set(saved.targets.map((t) => t.target.env))],
    ...(saved.images ? { services: [...new Set(saved.targets.map((t) => t.target.serviceKey))] } : {}),
  };
}
