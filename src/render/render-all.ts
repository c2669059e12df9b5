// Render every selected target at once, collecting every error (so a broken template or variable is
// reported for all targets together), and a dry render with a placeholder digest that commands run
// before their first AWS call: bad input never reaches AWS.
import { serviceOf, type DesiredTarget, type Project, type ResolvedImage, type Target } from "../config/types.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { renderDesired } from "./render.js";
import { PLACEHOLDER_DIGEST } from "./image-ref.js";

/** `image`: every target's, or each target's (its service's image, issue 17). */
export function renderAll(
  project: Project,
  targets: Target[],
  image: ResolvedImage | ((target: Target) => ResolvedImage),
): DesiredTarget[] {
  const desired: DesiredTarget[] = [];
  const errors: DeployerError[] = [];
  for (const target of targets) {
    try {
      desired.push(renderDesired(project, target, typeof image === "function" ? image(target) : image));
    } catch (e) {
      if (e instanceof DeployerErrors) errors.push(...e.errors);
      else if (e instanceof DeployerError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw new DeployerErrors(groupByTarget(errors), "the task definition template did not render for every target");
  return desired;
}

/** Render with a placeholder image: throws DeployerErrors when any target's definition is invalid. */
export function checkRenders(project: Project, targets: Target[]): void {
  renderAll(project, targets, (t) => ({
    repository: serviceOf(project, t)?.image.repository ?? project.config.image.repository,
    digest: PLACEHOLDER_DIGEST,
  }));
}

/**
 * The same problem found for several targets (a variable missing from four environment files, a
 * template line that breaks for all) is one error listing the targets it applies to, in the order
 * first seen. Errors are the same when they differ only by the target they name.
 */
export function groupByTarget(errors: DeployerError[]): DeployerError[] {
  const groups = new Map<string, { first: DeployerError; targets: string[] }>();
  const order: string[] = [];
  let unnamed = 0;
  for (const e of errors) {
    const key = e.target === undefined ? `\0${unnamed++}` : groupKey(e);
    const g = groups.get(key);
    if (g) {
      if (!g.targets.includes(e.target!)) g.targets.push(e.target!);
      continue;
    }
    groups.set(key, { first: e, targets: e.target === undefined ? [] : [e.target] });
    order.push(key);
  }
  return order.map((key) => {
    const { first, targets } = groups.get(key)!;
    if (targets.length < 2) return first;
    const list = targets.map((t) => `"${t}"`).join(", ");
    const named = `target "${first.target}"`;
    const message = first.message.includes(named) ? first.message.replace(named, `targets ${list}`) : `${first.message} (targets ${list})`;
    const init = { ...first.toJSON(), message, cause: first };
    delete init.target;
    delete init.account;
    return new DeployerError(init);
  });
}

function groupKey(e: DeployerError): string {
  const l = e.location;
  return [e.code, l?.file, l?.line, l?.column, e.field, e.hint, e.action, e.resource, e.message.split(`"${e.target}"`).join("\0")].join(
    "|",
  );
}
