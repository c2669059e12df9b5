// Promotion by digest: deploy to a stage exactly the image digest that runs, healthy, in the stage
// before it. Read every target of the source stage (read-only), refuse with one reason per target when
// the stage is not a sound source (see src/fleet/source-stage.ts), else plan the destination stage for
// that digest with promotion provenance, through the same makePlan as rollout. Never writes: applying
// the plan is the caller's business (the CLI's applyFromCli, the Action's runner).
import type { Project, Target } from "../config/types.js";
import type { SessionFactory } from "../aws/ports.js";
import type { Plan } from "../plan/types.js";
import type { BuildPlanOptions } from "../plan/build.js";
import { DeployerError, DeployerErrors } from "../errors.js";
import { closest } from "../config/suggest.js";
import { resolveImage } from "../observe/resolve-image.js";
import { readTargets } from "../fleet/read-target.js";
import { assessSourceStage, type SourceStage, type SourceTarget } from "../fleet/source-stage.js";
import { makePlan, type PlanResult } from "./make-plan.js";
import type { RunAccess } from "../observe/observe-target.js";

export interface PromotionInput {
  project: Project;
  sessions: SessionFactory;
  runId: string;
  /** The destination stage: every target of it is planned. */
  to: string;
  /** The source stage; default: the stage before `to` in deployer.yaml. */
  from?: string;
  /** Narrow the source to these targets (environment names of the source stage). */
  sourceEnvs?: string[];
  /** Several services (issue 17): promote only these services (default: every service). */
  services?: string[];
  /** As for rollout. `promotion` is set by planPromotion; `gitSha` defaults to the source's `deployer:git-sha`. */
  options: Omit<BuildPlanOptions, "promotion">;
  /** Targets read/observed at once. */
  concurrency?: number;
  now?: () => Date;
  /** "read" for --dry-run: the destinations are read as their viewer roles, the deploy roles never assumed (default "write"). */
  access?: RunAccess;
}

export interface PromotionResult extends PlanResult {
  fromStage: string;
  toStage: string;
  /** The digest promoted (what every source target runs); with several services, the first service's. */
  digest: string;
  /**
   * Per service promoted (issue 17), in declared order: the digest its source targets run, healthy.
   * One entry for a one-service project.
   */
  digests: Record<string, string>;
  /** The source stage as read: per target its image, health and task definition (every service's targets). */
  source: SourceStage;
  /** Per service promoted: its source targets as assessed (each service has its own digest). */
  sources: Record<string, SourceStage>;
  /** Destination target name -> source target name (the `deployer:promoted-from` tag). */
  sourceTargets: Record<string, string>;
  /** Destination target name -> source task definition ARN (the `deployer:source-task-definition` tag). */
  sourceTaskDefinitionArns: Record<string, string>;
}

/** The source and destination stages of a promotion, checked against deployer.yaml. */
export function promotionStages(project: Project, to: string, from?: string): { from: string; to: string } {
  const names = project.config.stages.map((s) => s.name);
  const check = (name: string, option: string) => {
    if (names.includes(name)) return;
    const guess = closest(name, names);
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `unknown stage "${name}" (${option})`,
      hint: `${guess ? `Did you mean "${guess}"? ` : ""}Stages in promotion order: ${names.join(" → ")}.`,
    });
  };
  check(to, "--stage");
  const toIndex = names.indexOf(to);
  if (from === undefined) {
    if (toIndex === 0) {
      throw new DeployerError({
        code: "INVALID_ARGUMENT",
        message: `${to} is the first stage: there is no stage before it to promote from`,
        hint: `Deploy to ${to} with: deployer rollout --image <tag> --stage ${to}`,
      });
    }
    return { from: names[toIndex - 1]!, to };
  }
  check(from, "--from");
  if (from === to) {
    throw new DeployerError({
      code: "INVALID_ARGUMENT",
      message: `--from and --stage are both ${to}`,
      hint: "Promote from one stage to another, e.g. --from dev --stage staging.",
    });
  }
  return { from, to };
}

/** The source targets after --env narrowing; names must belong to the source stage. */
export function sourceTargetsOf(project: Project, from: string, envs: string[] | undefined): Target[] {
  const inStage = project.targets.filter((t) => t.stage === from);
  const wanted = (envs ?? []).filter(Boolean);
  if (wanted.length === 0) return inStage;
  // --env names environments (with several services, every service of the environment is a source).
  const names = [...new Set(inStage.map((t) => t.env))];
  const bad = wanted.filter((n) => !names.includes(n));
  if (bad.length > 0) {
    const guesses = bad.map((b) => closest(b, names)).filter((g): g is string => g !== undefined);
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `--env ${bad.join(", ")}: not a target of the source stage ${from}`,
      hint: `${guesses.length ? `Did you mean ${guesses.map((g) => `"${g}"`).join(", ")}? ` : ""}Targets of ${from}: ${names.join(", ") || "(none)"}. --env narrows the source of a promotion, not its destination.`,
    });
  }
  return inStage.filter((t) => wanted.includes(t.env));
}

/**
 * Which source target each destination target follows, for the provenance tags: the only source
 * target when there is one, else the one in the same region, else the first (all run the same digest).
 */
export function pairSources(destinations: Target[], sources: SourceTarget[]): Map<string, SourceTarget> {
  const out = new Map<string, SourceTarget>();
  for (const d of destinations) {
    // A destination unit follows a source unit of its own service (issue 17), then the rules above.
    const mine = sources.filter((s) => s.target.serviceKey === d.serviceKey);
    const pick = mine.length === 1 ? mine[0] : (mine.find((s) => s.target.region === d.region) ?? mine[0]);
    if (pick) out.set(d.name, pick);
  }
  return out;
}

/**
 * The project seen as one of its services (issue 17): its image repository and template, its targets.
 * A one-service project is returned as it is.
 */
export function projectForService(project: Project, serviceKey: string): Project {
  const services = project.config.services ?? [];
  const svc = services.find((s) => s.key === serviceKey);
  if (services.length <= 1 || !svc) return project;
  return {
    ...project,
    config: { ...project.config, image: svc.image, template: svc.template },
    targets: project.targets.filter((t) => t.serviceKey === serviceKey),
  };
}

/** The services a promotion moves, in declared order: those with targets in `to`, narrowed by `wanted`. */
function promotedServices(project: Project, destinations: Target[], wanted: string[] | undefined): string[] {
  const declared = (project.config.services ?? []).map((s) => s.key);
  const present = new Set(destinations.map((t) => t.serviceKey));
  const order = [...declared.filter((k) => present.has(k)), ...[...present].filter((k) => !declared.includes(k))];
  const only = (wanted ?? []).filter(Boolean);
  if (only.length === 0) return order;
  const bad = only.filter((k) => !order.includes(k));
  if (bad.length > 0) {
    const guesses = bad.map((b) => closest(b, order)).filter((g): g is string => g !== undefined);
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `--service ${bad.join(", ")}: not a service of this project with targets in the destination stage`,
      hint: `${guesses.length ? `Did you mean ${guesses.map((g) => `"${g}"`).join(", ")}? ` : ""}Services: ${order.join(", ") || "(none)"}.`,
    });
  }
  return order.filter((k) => only.includes(k));
}

/** Several per-service plans as one plan: targets in the fleet's order, totals summed, per-service images. */
export function mergePlanResults(parts: Array<{ serviceKey: string; result: PlanResult }>, order: Target[]): PlanResult {
  const first = parts[0]!.result.plan;
  if (parts.length === 1) return parts[0]!.result;
  const index = new Map(order.map((t, i) => [t.name, i]));
  const at = (name: string) => index.get(name) ?? Number.MAX_SAFE_INTEGER;
  const plans = parts.map((p) => p.result.plan);
  const stageNames = new Set(plans.flatMap((p) => p.stages.map((s) => s.name)));
  const stageList = plans.flatMap((p) => p.stages).filter((s, i, all) => all.findIndex((x) => x.name === s.name) === i);
  const summary = { targets: 0, toChange: 0, unchanged: 0, blocked: 0, failingChecks: 0, warnings: 0 };
  for (const p of plans) for (const k of Object.keys(summary) as Array<keyof typeof summary>) summary[k] += p.summary[k];
  const writeCapable = plans.flatMap((p) => p.writeCapableReads ?? []);
  const plan: Plan = {
    ...first,
    images: Object.fromEntries(parts.map((p) => [p.serviceKey, p.result.plan.image])),
    stages: stageList.filter((s) => stageNames.has(s.name)),
    targets: plans.flatMap((p) => p.targets).sort((a, b) => at(a.target.name) - at(b.target.name)),
    summary,
  };
  if (writeCapable.length > 0) plan.writeCapableReads = writeCapable.sort((a, b) => at(a) - at(b));
  else delete plan.writeCapableReads;
  const byName = <T extends { target: { name: string } }>(xs: T[]) => xs.sort((a, b) => at(a.target.name) - at(b.target.name));
  return {
    plan,
    observed: byName(parts.flatMap((p) => p.result.observed)),
    desired: byName(parts.flatMap((p) => p.result.desired)),
  };
}

/**
 * Plans a promotion. Throws DeployerErrors of PROMOTION_REFUSED (one per source target, with the
 * reason and a hint) when the source stage is unreadable, split across digests, mid-deployment,
 * not stable, or failed its last deployment; INVALID_ARGUMENT / SELECTION_EMPTY for bad stages or --env.
 */
export async function planPromotion(input: PromotionInput): Promise<PromotionResult> {
  const { project, sessions } = input;
  const stages = promotionStages(project, input.to, input.from);
  const inStage = project.targets.filter((t) => t.stage === stages.to);
  if (inStage.length === 0) {
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `stage ${stages.to} has no targets`,
      hint: `Add an environment file with "stage: ${stages.to}" under ${project.config.environmentsDir}.`,
    });
  }
  // Each service moves its own healthy digest (issue 17): a destination unit follows the source units
  // of the same service. Any service whose source is unsound refuses the whole promotion, as one
  // unsound source target always did: the reasons name the target (ENV/SERVICE) and say why.
  const serviceKeys = promotedServices(project, inStage, input.services);
  const destinations = inStage.filter((t) => serviceKeys.includes(t.serviceKey));
  const sourceTargets = sourceTargetsOf(project, stages.from, input.sourceEnvs).filter((t) => serviceKeys.includes(t.serviceKey));
  const reads = await readTargets(sourceTargets, sessions, {
    service: project.config.service,
    runId: input.runId,
    concurrency: input.concurrency,
  });
  const sources: Record<string, SourceStage> = {};
  for (const key of serviceKeys)
    sources[key] = assessSourceStage(
      stages.from,
      reads.filter((r) => r.target.serviceKey === key),
    );
  const several = serviceKeys.length > 1 || destinations.some((t) => t.name === `${t.env}/${t.serviceKey}`);
  const refusals = serviceKeys.flatMap((key) =>
    sources[key]!.refusals.map((e) =>
      several && e.target === undefined
        ? new DeployerError({ code: e.code, message: `service ${key}: ${e.message}`, hint: e.hint ?? "Pick another --from stage." })
        : e,
    ),
  );
  if (refusals.length > 0 || serviceKeys.some((key) => !sources[key]!.digest)) {
    throw new DeployerErrors(
      refusals,
      `promotion ${stages.from} → ${stages.to} refused: ${refusals.length} problem${refusals.length === 1 ? "" : "s"} in ${stages.from}`,
    );
  }

  const parts: Array<{ serviceKey: string; result: PlanResult }> = [];
  const promotion: NonNullable<Plan["promotion"]> = { fromStage: stages.from, sourceTaskDefinitionArns: {}, sourceTargets: {} };
  for (const key of serviceKeys) {
    const source = sources[key]!;
    const digest = source.digest!;
    const serviceProject = projectForService(project, key);
    const targets = destinations.filter((t) => t.serviceKey === key);
    const ownPromotion: NonNullable<Plan["promotion"]> = { fromStage: stages.from, sourceTaskDefinitionArns: {}, sourceTargets: {} };
    for (const [dest, src] of pairSources(targets, source.targets)) {
      ownPromotion.sourceTargets![dest] = src.target.name;
      if (src.taskDefinitionArn) ownPromotion.sourceTaskDefinitionArns[dest] = src.taskDefinitionArn;
    }
    Object.assign(promotion.sourceTargets!, ownPromotion.sourceTargets);
    Object.assign(promotion.sourceTaskDefinitionArns, ownPromotion.sourceTaskDefinitionArns);

    // Plan by the source's tag when it still points at the same digest (so `deployer:image-tag` follows
    // the image to the next stage); by digest otherwise. Either way the plan must carry exactly `digest`.
    let image = digest;
    if (source.imageTag) {
      const byTag = await resolveImage(serviceProject.config, sessions, source.imageTag).catch(() => undefined);
      if (byTag?.digest === digest) image = source.imageTag;
    }
    const result = await makePlan({
      project: serviceProject,
      targets,
      image,
      sessions,
      runId: input.runId,
      // promote writes (the deploy role is assumed in preflight, as rollout does); --dry-run only reads, like plan.
      access: input.access ?? "write",
      options: { ...input.options, gitSha: source.gitSha ?? input.options.gitSha, promotion: ownPromotion },
      concurrency: input.concurrency,
      now: input.now,
    });
    if (result.plan.image.digest !== digest) {
      throw new DeployerError({
        code: "PROMOTION_REFUSED",
        message: `the image tag ${source.imageTag} moved from ${digest} to ${result.plan.image.digest} while the promotion was being planned${several ? ` (service ${key})` : ""}`,
        hint: "Re-run deployer promote: it plans by digest when the tag no longer matches.",
      });
    }
    parts.push({ serviceKey: key, result });
  }
  const merged = mergePlanResults(parts, project.targets);
  if (parts.length > 1) merged.plan.promotion = promotion;
  const digests = Object.fromEntries(serviceKeys.map((key) => [key, sources[key]!.digest!]));
  const firstSource = sources[serviceKeys[0]!]!;
  const source: SourceStage =
    serviceKeys.length === 1 ? firstSource : { ...firstSource, targets: serviceKeys.flatMap((key) => sources[key]!.targets), refusals: [] };
  return {
    ...merged,
    fromStage: stages.from,
    toStage: stages.to,
    digest: digests[serviceKeys[0]!]!,
    digests,
    source,
    sources,
    sourceTargets: { ...promotion.sourceTargets },
    sourceTaskDefinitionArns: { ...promotion.sourceTaskDefinitionArns },
  };
}
