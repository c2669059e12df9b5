// buildPlan: from what deployer wants (rendered definitions) and what it observed (live services,
// task definitions, check verdicts) to a Plan. PURE: no I/O, no clock (createdAt is passed in), so
// every rule below is a unit test away.
//
// Per target, in order:
//  1. blocked  when a check failed (or was unverified under --strict), or the live state is unknown;
//  2. noop     when the live task definition equals the desired one after normalisation;
//  3. update   otherwise, with steps:
//       [wait-foreign-deployment]  when another deployment is IN_PROGRESS and --wait-for-in-progress
//       reuse-task-definition      when the family's latest revision already equals the desired one
//                                  (an earlier run registered it, then died before updating)
//       | register-task-definition with provenance tags
//       update-service, wait-stable
import path from "node:path";
import type { DesiredTarget, ResolvedImage, StageConfig, Target } from "../config/types.js";
import type { LiveService, LiveTaskDefinition } from "../aws/ports.js";
import type { ObservedTarget } from "../observe/types.js";
import type { CheckResult, LiveSnapshot, Plan, Step, TargetAction, TargetPlan, TargetSummary, Verdict } from "./types.js";
import { diffTaskDefinitions } from "./diff.js";
import { fingerprint, sameTaskDefinition } from "./fingerprint.js";
import { collectSensitiveValues, markSensitiveChanges, mergeSensitiveValues, rememberSensitiveValues, sensitivePathsOf } from "./redact.js";
import { promotionTagInput, registrationTags } from "./tags.js";
import { taskDefinitionName } from "../config/aws-names.js";

export interface BuildPlanOptions {
  /** Treat "unverified" checks as failures. */
  strict: boolean;
  /** For wait-stable and wait-foreign-deployment steps. */
  timeoutSeconds: number;
  /** Wait for someone else's IN_PROGRESS deployment instead of failing. */
  waitForInProgress: boolean;
  /** Who runs this (tag `deployer:by`): a user, or `github-actions:<repo>`. */
  by: string;
  gitSha?: string;
  promotion?: Plan["promotion"];
}

export interface BuildPlanInput {
  service: string;
  image: ResolvedImage;
  runId: string;
  deployerVersion: string;
  /** ISO timestamp: the caller's clock. */
  createdAt: string;
  /** All configured stages, in order; the plan keeps those its targets use. */
  stages: StageConfig[];
  entries: Array<{ desired: DesiredTarget; observed: ObservedTarget }>;
  options: BuildPlanOptions;
  /** Deploy repository root: target files are shown relative to it. */
  rootDir: string;
}

/** Check ids buildPlan adds itself when the observed checks do not cover a condition. */
export const PLAN_CHECK_IDS = { liveState: "live-task-definition", foreignDeployment: "foreign-deployment" } as const;

export function buildPlan(input: BuildPlanInput): Plan {
  const { options } = input;
  const allSensitive: string[][] = [];
  const targets: TargetPlan[] = input.entries.map(({ desired, observed }) => {
    const plan = planTarget(input, desired, observed);
    allSensitive.push(plan.sensitiveValues);
    return plan.target;
  });

  const usedStages = new Set(targets.map((t) => t.target.stage));
  const stages = input.stages.filter((s) => usedStages.has(s.name)).map((s) => (s.maxParallel === undefined ? { name: s.name } : { name: s.name, maxParallel: s.maxParallel }));

  // Counted per top-level check: a check failing through two of its sub-checks is one failing check.
  let failingChecks = 0;
  let warnings = 0;
  for (const t of targets) {
    for (const c of t.checks) {
      const tree = walkChecks([c]);
      if (tree.some((x) => isFailing(x.verdict, options.strict))) failingChecks++;
      else if (tree.some((x) => x.verdict === "warn" || x.verdict === "unverified")) warnings++;
    }
  }

  const plan: Plan = {
    formatVersion: 1,
    deployerVersion: input.deployerVersion,
    createdAt: input.createdAt,
    runId: input.runId,
    service: input.service,
    image: { ...input.image },
    stages,
    targets,
    summary: {
      targets: targets.length,
      toChange: targets.filter((t) => t.action === "update").length,
      unchanged: targets.filter((t) => t.action === "noop").length,
      blocked: targets.filter((t) => t.action === "blocked").length,
      failingChecks,
      warnings,
    },
  };
  if (options.promotion) plan.promotion = structuredClone(options.promotion);
  rememberSensitiveValues(plan, mergeSensitiveValues(...allSensitive));
  return plan;
}

function planTarget(
  input: BuildPlanInput,
  desired: DesiredTarget,
  observed: ObservedTarget,
): { target: TargetPlan; sensitiveValues: string[] } {
  const { options } = input;
  const target = desired.target;
  const desiredDef = desired.taskDefinition as unknown as Record<string, unknown>;
  const liveTd = observed.liveTaskDefinition;
  const sensitiveValues = collectSensitiveValues(
    target,
    desiredDef,
    liveTd?.raw,
    observed.latestRevision?.raw,
  );

  // Published fingerprints are over the redacted definitions (fingerprint.ts); whether two
  // definitions are the same is decided on the full ones, in memory.
  const desiredFingerprint = fingerprint(desiredDef, sensitiveValues);
  const diff = liveTd ? markSensitiveChanges(diffTaskDefinitions(liveTd.raw, desiredDef), sensitiveValues) : [];
  // The live side of a sensitive change holds the secret as it was (an older value nobody named):
  // the live fingerprint must not be an oracle for it either.
  const live = liveSnapshot(observed.service, liveTd, mergeSensitiveValues(sensitiveValues, diff.filter((c) => c.sensitive).flatMap((c) => textLeaves(c.before))));
  const runsDesired = liveTd !== undefined && sameTaskDefinition(liveTd.raw, desiredDef);
  const checks = [...observed.checks];

  // An IN_PROGRESS deployment of exactly what we want (an earlier run updated the service, then
  // died while waiting) is not foreign: the plan is a no-op and the rollout converges by itself.
  const inProgressAny = foreignDeployment(observed.service);
  const inProgress =
    inProgressAny && !(live && inProgressAny.taskDefinition === live.taskDefinitionArn && runsDesired) ? inProgressAny : undefined;
  if (inProgress && !options.waitForInProgress && !hasCheckFor(checks, "DEPLOYMENT_IN_PROGRESS", PLAN_CHECK_IDS.foreignDeployment)) {
    checks.push({
      id: PLAN_CHECK_IDS.foreignDeployment,
      title: "no other deployment in progress",
      target: target.name,
      verdict: "fail",
      message: `deployment ${inProgress.id} (${taskDefinitionName(inProgress.taskDefinition)}) is still IN_PROGRESS on ${target.cluster}/${target.service}`,
      hint: "wait for it to finish, or pass --wait-for-in-progress to wait for it before deploying",
      evidence: { deploymentId: inProgress.id, taskDefinition: inProgress.taskDefinition },
      error: {
        code: "DEPLOYMENT_IN_PROGRESS",
        message: `another deployment is in progress on ${target.cluster}/${target.service}`,
        target: target.name,
        account: target.account,
        resource: observed.service?.arn,
      },
    });
  }
  if (live === undefined && !walkChecks(checks).some((c) => isFailing(c.verdict, options.strict))) {
    checks.push({
      id: PLAN_CHECK_IDS.liveState,
      title: "live task definition readable",
      target: target.name,
      verdict: "fail",
      message: observed.service
        ? `could not read the task definition ${observed.service.taskDefinition} that ${target.cluster}/${target.service} runs`
        : `could not read the service ${target.cluster}/${target.service}`,
      hint: "check that the service exists and that the deploy role may call ecs:DescribeServices and ecs:DescribeTaskDefinition",
    });
  }

  const blocked = live === undefined || walkChecks(checks).some((c) => isFailing(c.verdict, options.strict));

  let action: TargetAction;
  const steps: Step[] = [];
  if (blocked) {
    action = "blocked";
  } else if (runsDesired) {
    const resumable = unfinishedOwnDeployment(observed.service, live!.taskDefinitionArn);
    if (resumable) {
      action = "update";
      steps.push({ kind: "resume-wait", ...resumable, timeoutSeconds: options.timeoutSeconds });
    } else {
      action = "noop";
    }
  } else {
    action = "update";
    if (inProgress && options.waitForInProgress) steps.push({ kind: "wait-foreign-deployment", timeoutSeconds: options.timeoutSeconds });
    const latest = observed.latestRevision;
    if (latest && latest.status === "ACTIVE" && sameTaskDefinition(latest.raw, desiredDef)) {
      steps.push({ kind: "reuse-task-definition", taskDefinitionArn: latest.arn });
    } else {
      steps.push({
        kind: "register-task-definition",
        tags: registrationTags({
          imageDigest: desired.image.digest,
          imageTag: desired.image.tag,
          gitSha: options.gitSha,
          runId: input.runId,
          by: options.by,
          fingerprint: desiredFingerprint,
          promotion: promotionTagInput(options.promotion, target.name),
        }),
      });
    }
    steps.push({ kind: "update-service", cluster: target.cluster, service: target.service });
    steps.push({ kind: "wait-stable", timeoutSeconds: options.timeoutSeconds });
  }

  const plan: TargetPlan = {
    target: targetSummary(target, input.rootDir),
    action,
    imageRef: desired.imageRef,
    desired: structuredClone(desired.taskDefinition),
    fingerprint: desiredFingerprint,
    diff,
    checks,
    steps,
    sensitivePaths: sensitivePathsOf(desiredDef, sensitiveValues),
  };
  if (live) plan.live = live;
  return { target: plan, sensitiveValues };
}

/** The string forms of a JSON value's leaves. */
function textLeaves(v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === "string" || typeof v === "number" || typeof v === "boolean") return [String(v)];
  if (Array.isArray(v)) return v.flatMap(textLeaves);
  if (typeof v === "object") return Object.values(v).flatMap(textLeaves);
  return [];
}

export function targetSummary(target: Target, rootDir: string): TargetSummary {
  const rel = path.isAbsolute(target.file) ? path.relative(rootDir, target.file) : target.file;
  return {
    name: target.name,
    stage: target.stage,
    account: target.account,
    region: target.region,
    cluster: target.cluster,
    service: target.service,
    file: rel.split(path.sep).join("/"),
  };
}

function liveSnapshot(service: LiveService | undefined, td: LiveTaskDefinition | undefined, sensitiveValues: readonly string[]): LiveSnapshot | undefined {
  if (!service || !td) return undefined;
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  // A `deployer:fingerprint` tag written by an older deployer is an unsalted hash over the whole
  // definition, secrets included: never carried into a plan (the snapshot has its own fingerprint).
  const { "deployer:fingerprint": _legacy, ...tags } = td.tags;
  const snapshot: LiveSnapshot = {
    taskDefinitionArn: td.arn,
    revision: td.revision,
    fingerprint: fingerprint(td.raw, sensitiveValues),
    desiredCount: service.desiredCount,
    runningCount: service.runningCount,
    tags,
  };
  const digest = firstImageDigest(td.raw);
  if (digest) snapshot.imageDigest = digest;
  if (primary?.rolloutState) snapshot.rolloutState = primary.rolloutState;
  return snapshot;
}

/** `sha256:…` of the first container's image when it is pinned by digest. */
export function firstImageDigest(def: Record<string, unknown>): string | undefined {
  const containers = Array.isArray(def.containerDefinitions) ? def.containerDefinitions : [];
  const image = (containers[0] as { image?: unknown } | undefined)?.image;
  if (typeof image !== "string") return undefined;
  return /@(sha256:[0-9a-f]{64})$/.exec(image)?.[1];
}

/**
 * The service's PRIMARY deployment already carries the desired definition but is still IN_PROGRESS:
 * an earlier run updated the service and died while waiting. The previous definition (for a
 * rollback) is the one the other, older deployment runs.
 */
function unfinishedOwnDeployment(service: LiveService | undefined, taskDefinitionArn: string): { deploymentId: string; taskDefinitionArn: string; previousTaskDefinitionArn?: string } | undefined {
  const primary = service?.deployments.find((d) => d.status === "PRIMARY");
  if (!service || !primary || primary.rolloutState !== "IN_PROGRESS" || primary.taskDefinition !== taskDefinitionArn) return undefined;
  const previous = service.deployments.find((d) => d.status === "ACTIVE" && d.taskDefinition !== taskDefinitionArn);
  return { deploymentId: primary.id, taskDefinitionArn, ...(previous ? { previousTaskDefinitionArn: previous.taskDefinition } : {}) };
}

/**
 * A deployment still rolling out that deployer did not start: any IN_PROGRESS deployment when we
 * have not touched the service yet. Services without rollout state have none.
 */
function foreignDeployment(service: LiveService | undefined) {
  if (!service) return undefined;
  const inProgress = service.deployments.filter((d) => d.rolloutState === "IN_PROGRESS");
  if (inProgress.length === 0) return undefined;
  // A lone PRIMARY still IN_PROGRESS with no other deployment is the initial creation settling, or a
  // rollout by someone else: both must finish before we start ours.
  return inProgress.find((d) => d.status === "PRIMARY") ?? inProgress[0];
}

function hasCheckFor(checks: CheckResult[], code: string, id: string): boolean {
  return walkChecks(checks).some((c) => c.id === id || c.error?.code === code);
}

export function isFailing(verdict: Verdict, strict: boolean): boolean {
  return verdict === "fail" || (strict && verdict === "unverified");
}

/** Every check of a tree, parents before children. */
export function walkChecks(checks: CheckResult[]): CheckResult[] {
  const out: CheckResult[] = [];
  const visit = (c: CheckResult) => {
    out.push(c);
    for (const child of c.children ?? []) visit(child);
  };
  for (const c of checks) visit(c);
  return out;
}

