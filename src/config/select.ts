// Choosing the targets a command acts on: by name (--env), by stage (--stage), or every stage up to
// and including one (--through). With no selection: the first stage (the safe default for
// commands that deploy).
import { DeployerError } from "../errors.js";
import { closest } from "./suggest.js";
import type { Project, Target } from "./types.js";

export interface TargetSelection {
  /** Environment names (Target.env). */
  envs?: string[];
  /** Service keys (Target.serviceKey): with several services, only these. */
  services?: string[];
  /** Stage names. */
  stages?: string[];
  /** Every stage from the first up to and including this one. */
  through?: string;
  /** Every stage (names still narrow it down). */
  all?: boolean;
}

/**
 * The selected targets, in project order (stage order, then name). Stages and `through` combine
 * (union of stages); names narrow that down when both are given. Throws SELECTION_EMPTY for an
 * unknown name or an empty result, with a hint listing the valid names.
 */
export function selectTargets(project: Project, sel: TargetSelection = {}): Target[] {
  const stageNames = project.config.stages.map((s) => s.name);
  const envNames = [...new Set(project.targets.map((t) => t.env))];
  const serviceKeys = project.config.services.map((s) => s.key);
  const envs = sel.envs?.filter(Boolean) ?? [];
  const services = sel.services?.filter(Boolean) ?? [];
  const stages = sel.stages?.filter(Boolean) ?? [];

  unknown("environment", envs, envNames, "--env");
  unknown("service", services, serviceKeys, "--service");
  unknown(
    "stage",
    [...stages, ...(sel.through ? [sel.through] : [])],
    stageNames,
    sel.through && !stages.includes(sel.through) ? "--through" : "--stage",
  );

  let stageSet: Set<string> | undefined;
  if (sel.all) {
    stageSet = new Set(stageNames);
  } else if (stages.length > 0 || sel.through) {
    stageSet = new Set(stages);
    if (sel.through) for (const s of stageNames.slice(0, stageNames.indexOf(sel.through) + 1)) stageSet.add(s);
  } else if (envs.length === 0) {
    stageSet = new Set(stageNames.slice(0, 1));
  }

  const selected = project.targets.filter(
    (t) =>
      (!stageSet || stageSet.has(t.stage)) &&
      (envs.length === 0 || envs.includes(t.env)) &&
      (services.length === 0 || services.includes(t.serviceKey)),
  );
  if (selected.length === 0) {
    const what = [
      services.length ? `service${services.length > 1 ? "s" : ""} ${services.join(", ")}` : "",
      envs.length ? `environment${envs.length > 1 ? "s" : ""} ${envs.join(", ")}` : "",
      stageSet ? `stage${stageSet.size > 1 ? "s" : ""} ${[...stageSet].join(", ")}` : "",
    ]
      .filter(Boolean)
      .join(" in ");
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `no target matches ${what || "the selection"}`,
      hint: `Targets by stage: ${describeTargets(project)}.`,
    });
  }
  return selected;
}

/** The fleet views' selection (status, drift): every stage unless stages are named; names narrow it. */
export function fleetSelection(sel: { envs?: string[]; stages?: string[]; services?: string[] }): TargetSelection {
  return {
    envs: sel.envs,
    ...(sel.services?.length ? { services: sel.services } : {}),
    stages: sel.stages,
    all: !(sel.stages && sel.stages.length > 0),
  };
}

function unknown(kind: string, given: string[], valid: string[], option: string): void {
  const bad = given.filter((g) => !valid.includes(g));
  if (bad.length === 0) return;
  const guesses = bad.map((b) => closest(b, valid)).filter((g): g is string => g !== undefined);
  throw new DeployerError({
    code: "SELECTION_EMPTY",
    message: `unknown ${kind}${bad.length > 1 ? "s" : ""} ${bad.map((b) => `"${b}"`).join(", ")} (${option})`,
    hint: `${guesses.length ? `Did you mean ${guesses.map((g) => `"${g}"`).join(", ")}? ` : ""}Valid ${kind}s: ${valid.join(", ") || "(none)"}.`,
  });
}

function describeTargets(project: Project): string {
  return project.config.stages
    .map(
      (s) =>
        `${s.name}: ${
          project.targets
            .filter((t) => t.stage === s.name)
            .map((t) => t.name)
            .filter((n, i, all) => all.indexOf(n) === i)
            .join(", ") || "(none)"
        }`,
    )
    .join("; ");
}
