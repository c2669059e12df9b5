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
  /** The digest promoted (what every source target runs). */
  digest: string;
  /** The source stage as read: per target its image, health and task definition. */
  source: SourceStage;
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
  const names = inStage.map((t) => t.name);
  const bad = wanted.filter((n) => !names.includes(n));
  if (bad.length > 0) {
    const guesses = bad.map((b) => closest(b, names)).filter((g): g is string => g !== undefined);
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `--env ${bad.join(", ")}: not a target of the source stage ${from}`,
      hint: `${guesses.length ? `Did you mean ${guesses.map((g) => `"${g}"`).join(", ")}? ` : ""}Targets of ${from}: ${names.join(", ") || "(none)"}. --env narrows the source of a promotion, not its destination.`,
    });
  }
  return inStage.filter((t) => wanted.includes(t.name));
}

/**
 * Which source target each destination target follows, for the provenance tags: the only source
 * target when there is one, else the one in the same region, else the first (all run the same digest).
 */
export function pairSources(destinations: Target[], sources: SourceTarget[]): Map<string, SourceTarget> {
  const out = new Map<string, SourceTarget>();
  for (const d of destinations) {
    const pick = sources.length === 1 ? sources[0] : (sources.find((s) => s.target.region === d.region) ?? sources[0]);
    if (pick) out.set(d.name, pick);
  }
  return out;
}

/**
 * Plans a promotion. Throws DeployerErrors of PROMOTION_REFUSED (one per source target, with the
 * reason and a hint) when the source stage is unreadable, split across digests, mid-deployment,
 * not stable, or failed its last deployment; INVALID_ARGUMENT / SELECTION_EMPTY for bad stages or --env.
 */
export async function planPromotion(input: PromotionInput): Promise<PromotionResult> {
  const { project, sessions } = input;
  const stages = promotionStages(project, input.to, input.from);
  const destinations = project.targets.filter((t) => t.stage === stages.to);
  if (destinations.length === 0) {
    throw new DeployerError({
      code: "SELECTION_EMPTY",
      message: `stage ${stages.to} has no targets`,
      hint: `Add an environment file with "stage: ${stages.to}" under ${project.config.environmentsDir}.`,
    });
  }
  const sourceTargets = sourceTargetsOf(project, stages.from, input.sourceEnvs);
  const reads = await readTargets(sourceTargets, sessions, {
    service: project.config.service,
    runId: input.runId,
    concurrency: input.concurrency,
  });
  const source = assessSourceStage(stages.from, reads);
  if (source.refusals.length > 0 || !source.digest) {
    throw new DeployerErrors(
      source.refusals,
      `promotion ${stages.from} → ${stages.to} refused: ${source.refusals.length} problem${source.refusals.length === 1 ? "" : "s"} in ${stages.from}`,
    );
  }
  const digest = source.digest;

  const pairs = pairSources(destinations, source.targets);
  const promotion: NonNullable<Plan["promotion"]> = { fromStage: stages.from, sourceTaskDefinitionArns: {}, sourceTargets: {} };
  for (const [dest, src] of pairs) {
    promotion.sourceTargets![dest] = src.target.name;
    if (src.taskDefinitionArn) promotion.sourceTaskDefinitionArns[dest] = src.taskDefinitionArn;
  }

  // Plan by the source's tag when it still points at the same digest (so `deployer:image-tag` follows
  // the image to the next stage); by digest otherwise. Either way the plan must carry exactly `digest`.
  let image = digest;
  if (source.imageTag) {
    const byTag = await resolveImage(project.config, sessions, source.imageTag).catch(() => undefined);
    if (byTag?.digest === digest) image = source.imageTag;
  }
  const result = await makePlan({
    project,
    targets: destinations,
    image,
    sessions,
    runId: input.runId,
    // promote writes (the deploy role is assumed in preflight, as rollout does); --dry-run only reads, like plan.
    access: input.access ?? "write",
    options: { ...input.options, gitSha: source.gitSha ?? input.options.gitSha, promotion },
    concurrency: input.concurrency,
    now: input.now,
  });
  if (result.plan.image.digest !== digest) {
    throw new DeployerError({
      code: "PROMOTION_REFUSED",
      message: `the image tag ${source.imageTag} moved from ${digest} to ${result.plan.image.digest} while the promotion was being planned`,
      hint: "Re-run deployer promote: it plans by digest when the tag no longer matches.",
    });
  }
  return {
    ...result,
    fromStage: stages.from,
    toStage: stages.to,
    digest,
    source,
    sourceTargets: { ...promotion.sourceTargets },
    sourceTaskDefinitionArns: { ...promotion.sourceTaskDefinitionArns },
  };
}
