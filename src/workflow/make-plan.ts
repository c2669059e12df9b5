// load → validate → render → observe → plan, for one selection of targets and one image.
// Read-only: nothing here writes to AWS (test/integration asserts it against the sandbox log).
import type { DesiredTarget, Project, ResolvedImage, Target, TaskDefinitionInput } from "../config/types.js";
import type { SessionFactory, TargetSession } from "../aws/ports.js";
import type { ObservedTarget } from "../observe/types.js";
import type { Plan } from "../plan/types.js";
import { renderAll } from "../render/render-all.js";
import { validateTaskDefinition } from "../render/validate-task-definition.js";
import { resolveImage, centralRegistryEcr, registryEcrIn } from "../observe/resolve-image.js";
import { observeTargets, type RunAccess } from "../observe/observe-target.js";
import { buildPlan, type BuildPlanOptions } from "../plan/build.js";
import { VERSION } from "../version.js";
import { credentialLifetimeCheck } from "./credential-lifetime.js";
import { gitShaFor } from "./run-id.js";
import { previousStageChecks } from "./stage-gate.js";

export interface PlanRequest {
  project: Project;
  targets: Target[];
  /** A tag (typically the git sha) or a digest. */
  image: string;
  sessions: SessionFactory;
  runId: string;
  /**
   * "read" (plan, check): targets with a viewRole are read as it and their deploy role is not
   * assumed; "write" (rollout, promote, rollback): the deploy role is assumed too, for the writes.
   */
  access: RunAccess;
  options: BuildPlanOptions;
  /** Targets observed at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  now?: () => Date;
}

/** The preflight settings of a command (flags on the CLI, inputs in the Action). */
export interface PreflightSettings {
  /** Treat "unverified" checks as failures. */
  strict: boolean;
  /** How long to wait for each service (--timeout). */
  timeoutSeconds: number;
  /** Wait for someone else's deployment instead of failing the check. */
  waitForInProgress: boolean;
  /** Deploy again a definition whose last deployment FAILED. */
  force?: boolean;
}

/**
 * The plan options of a run: its preflight settings, who runs it (`deployer:by`) and, for an image
 * given by the user, the git commit it was built from (`deployer:git-sha`).
 */
export function planOptions(run: { by: string }, s: PreflightSettings, image?: string): BuildPlanOptions {
  const gitSha = image === undefined ? undefined : gitShaFor(image);
  return {
    strict: s.strict,
    timeoutSeconds: s.timeoutSeconds,
    waitForInProgress: s.waitForInProgress,
    ...(s.force ? { force: true } : {}),
    by: run.by,
    ...(gitSha ? { gitSha } : {}),
  };
}

export interface PlanResult {
  plan: Plan;
  observed: ObservedTarget[];
  desired: DesiredTarget[];
}

export async function makePlan(req: PlanRequest): Promise<PlanResult> {
  const { project, sessions } = req;
  const image = await resolveImage(project.config, sessions, req.image);
  const desired = renderAll(project, req.targets, image);
  return observeAndPlan({ ...req, image, desired, validate: true, gate: true });
}

export interface ObserveAndPlanInput extends Omit<PlanRequest, "targets" | "image"> {
  image: ResolvedImage;
  desired: DesiredTarget[];
  /** Validate each desired definition as a rendered one (false for revisions already registered). */
  validate: boolean;
  /**
   * The promotion gate (stage-gate.ts): a `previous-stage` check on the targets of each stage whose
   * stage before is not in the run (rollout and plan of an image; not promote, not rollback).
   */
  gate?: boolean;
  /** Adjust what was observed before planning (rollback: the revision to reuse). */
  adjust?: (observed: ObservedTarget[]) => void;
}

/** observe (read-only, every check) → buildPlan, for desired definitions already made. */
export async function observeAndPlan(input: ObserveAndPlanInput): Promise<PlanResult> {
  const { project, sessions, desired } = input;
  const baseEcr = await centralRegistryEcr(project.config, sessions);
  const registryEcr = registryEcrIn(project.config, sessions);
  const observed = await observeTargets(
    desired.map((d) => ({
      target: d.target,
      desired: d,
      project,
      sessions,
      baseEcr,
      registryEcr,
      runId: input.runId,
      access: input.access,
      options: { waitForInProgress: input.options.waitForInProgress },
      ...(input.validate
        ? {
            validateTaskDefinition: (def: TaskDefinitionInput, target: Target) =>
              validateTaskDefinition(def, { templateFile: project.template.file, target }),
          }
        : {}),
    })),
    { concurrency: input.concurrency },
  );
  input.adjust?.(observed);

  const createdAt = input.now?.() ?? new Date();
  const build = () =>
    buildPlan({
      service: project.config.service,
      image: input.image,
      runId: input.runId,
      deployerVersion: VERSION,
      createdAt: createdAt.toISOString(),
      stages: project.config.stages,
      entries: desired.map((d, i) => ({ desired: d, observed: observed[i]! })),
      options: input.options,
      rootDir: project.config.rootDir,
    });
  let plan = build();
  // Base credentials that cannot be refreshed and expire before the worst case: a check on every
  // target that would be updated (a warning; with --strict the plan is blocked, nothing written).
  const lifetime = await sessions.baseLifetime?.().catch(() => undefined);
  const lifetimeCheck = credentialLifetimeCheck(plan, lifetime, createdAt.getTime());
  if (lifetimeCheck) {
    const updating = new Set(plan.targets.filter((t) => t.action === "update").map((t) => t.target.name));
    for (const o of observed) if (updating.has(o.target.name)) o.checks = [...o.checks, lifetimeCheck(o.target.name)];
    plan = build();
  }
  if (input.gate) {
    const gates = await previousStageChecks(project, plan, sessions, input.runId);
    if (gates.size > 0) {
      for (const o of observed) {
        const check = gates.get(o.target.name);
        if (check) o.checks = [...o.checks, check];
      }
      plan = build();
    }
  }
  return { plan, observed, desired };
}

/** The assumed deploy-role sessions of the observed targets, by target name: what applyPlan needs. */
export function sessionsOf(observed: ObservedTarget[]): Map<string, TargetSession> {
  const m = new Map<string, TargetSession>();
  for (const o of observed) if (o.session) m.set(o.target.name, o.session);
  return m;
}
