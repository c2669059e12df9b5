// Render every selected target at once, collecting every error (so a broken template or variable is
// reported for all targets together), and a dry render with a placeholder digest that commands run
// before their first AWS call: bad input never reaches AWS.
import type { DesiredTarget, Project, ResolvedImage, Target } from "../config/types.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { renderDesired } from "./render.js";
import { PLACEHOLDER_DIGEST } from "./image-ref.js";

export function renderAll(project: Project, targets: Target[], image: ResolvedImage): DesiredTarget[] {
  const desired: DesiredTarget[] = [];
  const errors: DeployerError[] = [];
  for (const target of targets) {
    try {
      desired.push(renderDesired(project, target, image));
    } catch (e) {
      if (e instanceof DeployerErrors) errors.push(...e.errors);
      else if (e instanceof DeployerError) errors.push(e);
      else throw e;
    }
  }
  if (errors.length > 0) throw new DeployerErrors(errors, "the task definition template did not render for every target");
  return desired;
}

/** Render with a placeholder image: throws DeployerErrors when any target's definition is invalid. */
export function checkRenders(project: Project, targets: Target[]): void {
  renderAll(project, targets, { repository: project.config.image.repository, digest: PLACEHOLDER_DIGEST });
}
