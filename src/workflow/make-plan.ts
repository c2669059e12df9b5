// load → validate → render → observe → plan, for one selection of targets and one image.
// Read-only: nothing here writes to AWS (test/integration asserts it against the sandbox log).
import {
  templateOf,
  type DesiredTarget,
  type Project,
  type ResolvedImage,
  type Target,
  type TaskDefinitionInput,
} from "../config/types.js";
import type { EcrPort, SessionFactory, TargetSession } from "../aws/ports.js";
import type { ObservedTarget } from "../observe/types.js";
import type { Plan } from "../plan/types.js";
import { renderAll } from "../render/render-all.js";
import { validateTaskDefinition } from "../render/validate-task-definition.js";
import { resolveImage, centralRegistryEcr, registryEcrIn, serviceImageConfig } from "../observe/resolve-image.js";
import { imagesForServices, parseImageSpec, type ImageSpec } from "./image-spec.js";
import { observeTargets, type RunAccess } from "../observe/observe-target.js";
import { buildPlan, type BuildPlanOptions } from "../plan/build.js";
import { VERSION } from "../version.js";
import { credentialLifetimeCheck } from "./credential-lifetime.js";
import { gitShaFor } from "./run-id.js";
import { previousStageChecks } from "./stage-gate.js";

export interface PlanRequest {
  project: Project;
  targets: Target[];
  /**
   * A tag (typically the git sha) or a digest, for every service; or per service (image-spec.ts:
   * `--image api=3f2a9c1 --image worker=8d1e4b7`).
   */
  image: string | ImageSpec;
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
  /** --skip-tasks: run none of the services' one-off tasks (`tasks:`). */
  skipTasks?: boolean;
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
    ...(s.skipTasks ? { skipTasks: true } : {}),
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
  const spec = typeof req.image === "string" ? parseImageSpec(req.image) : req.image;
  const refs = imagesForServices(project, req.targets, spec);
  // Each service's image in its own repository; one after the other, so the first error is stable.
  const images: Record<string, ResolvedImage> = {};
  for (const [key, ref] of refs) images[key] = await resolveImage(serviceImageConfig(project.config, key), sessions, ref);
  const desired = renderAll(project, req.targets, (t) => images[t.serviceKey]!);
  const first = Object.values(images)[0]!;
  return observeAndPlan({
    ...req,
    image: first,
    ...(project.config.services.length > 1 ? { images } : {}),
    desired,
    validate: true,
    gate: true,
  });
}

export interface ObserveAndPlanInput extends Omit<PlanRequest, "targets" | "image"> {
  /** The first service's image (the only one of a one-service project). */
  image: ResolvedImage;
  /** Every service's image, by service key (several services). */
  images?: Record<string, ResolvedImage>;
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
  // The registry each service's images live in (usually one for all).
  const registries = new Map<string, { baseEcr: EcrPort; registryEcr: (region: string) => Promise<EcrPort> }>();
  for (const key of new Set(desired.map((d) => d.target.serviceKey))) {
    const config = serviceImageConfig(project.config, key);
    registries.set(key, { baseEcr: await centralRegistryEcr(config, sessions), registryEcr: registryEcrIn(config, sessions) });
  }
  const observed = await observeTargets(
    desired.map((d) => ({
      target: d.target,
      desired: d,
      project,
      sessions,
      ...registries.get(d.target.serviceKey)!,
      runId: input.runId,
      access: input.access,
      options: { waitForInProgress: input.options.waitForInProgress, ...(input.options.skipTasks ? { skipTasks: true } : {}) },
      ...(input.validate
        ? {
            validateTaskDefinition: (def: TaskDefinitionInput, target: Target) =>
              validateTaskDefinition(def, { templateFile: templateOf(project, target).file, target }),
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
      ...(input.images ? { images: input.images } : {}),
      tasks: Object.fromEntries(project.config.services.filter((s) => s.tasks?.length).map((s) => [s.key, s.tasks!])),
      dependsOn: Object.fromEntries(project.config.services.filter((s) => s.dependsOn?.length).map((s) => [s.key, s.dependsOn!])),
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
