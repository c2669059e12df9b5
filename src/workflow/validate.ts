// `deployer validate` after loading: render every selected target's task definition with a
// placeholder image (no AWS call), collect each target's errors, group the same problem in several
// targets into one error, and find the vars warnings of the targets that rendered.
import type { Project, Target } from "../config/types.js";
import { DeployerError, DeployerErrors, toErrorInfo, type ErrorInfo } from "../errors.js";
import { renderTaskDefinition, targetImageRepository } from "../render/render.js";
import { PLACEHOLDER_DIGEST } from "../render/image-ref.js";
import { groupByTarget } from "../render/render-all.js";
import { varsWarnings, type ConfigWarning } from "../render/template-vars.js";

export interface ValidatedTarget {
  target: Target;
  /** The rendered family, when it rendered. */
  family?: string;
  containers: number;
  errors: ErrorInfo[];
}

export interface Validation {
  ok: boolean;
  /** deployer.yaml. */
  config: string;
  targets: ValidatedTarget[];
  /** Every error once: the same problem in several targets is one error listing them. */
  errors: ErrorInfo[];
  warnings: ConfigWarning[];
}

export function validateTargets(project: Project, targets: Target[]): Validation {
  const raw: DeployerError[] = [];
  const checked = targets.map((t): ValidatedTarget => {
    try {
      const def = renderTaskDefinition(project, t, `${targetImageRepository(project, t)}@${PLACEHOLDER_DIGEST}`);
      return { target: t, family: def.family, containers: def.containerDefinitions.length, errors: [] };
    } catch (e) {
      const errors = e instanceof DeployerErrors ? e.errors : e instanceof DeployerError ? [e] : undefined;
      if (!errors) throw e;
      raw.push(...errors);
      return { target: t, containers: 0, errors: errors.map(toErrorInfo) };
    }
  });
  const rendered = new Set(checked.filter((r) => r.errors.length === 0).map((r) => r.target.name));
  return {
    ok: checked.every((r) => r.errors.length === 0),
    config: project.config.file,
    targets: checked,
    errors: groupByTarget(raw).map(toErrorInfo),
    warnings: varsWarnings(project, targets, rendered),
  };
}
