// buildPlan: from what deployer wants (rendered definitions) and what it observed (live services,
// task definitions, check verdicts) to a Plan. PURE: no I/O, no clock (createdAt is passed in), so
// every rule below is a unit test away.
//
// Per target, in order (the service's state is the one model of src/ecs/deployment-state.ts):
//  1. blocked  when a check failed (or was unverified under --strict), or the live state is unknown;
//              also when the service's last deployment FAILED with exactly the desired definition
//              (deploying it again would fail the same way) unless --force;
//  2. noop     when the live task definition equals the desired one after normalisation and the
//              service is not failed (a FAILED PRIMARY is never "unchanged");
//  3. update   otherwise, with steps:
//       resume-wait                the desired definition is already deploying (an earlier run died while waiting)
//       | [wait-foreign-deployment]  when another deployment is in flight and --wait-for-in-progress
//         reuse-task-definition    when the family's latest revision already equals the desired one
//                                  (an earlier run registered it, then died before updating), or the
//                                  failed revision is redeployed with --force
//         | register-task-definition with provenance tags (incl. deployer:previous-task-definition)
//         update-service (re-reads the service first), wait-stable
// and `rollbackTo`: the revision a failure rolls back to, only ever one known to have run healthy.
import path from "node:path";
import type { DesiredTarget, ResolvedImage, StageConfig, Target, TaskConfig } from "../config/types.js";
import type { LiveService, LiveTaskDefinition } from "../aws/ports.js";
import type { ObservedTarget } from "../observe/types.js";
import type { LiveSnapshot, Plan, Step, TargetAction, TargetPlan, TargetSummary } from "./types.js";
import { serviceState, type ServiceState } from "../ecs/deployment-state.js";
import { knownGoodRevision } from "../ecs/deployment-history.js";
import { diffTaskDefinitions } from "./diff.js";
import { fingerprint } from "./fingerprint.js";
import { markSensitiveChanges, rememberSensitiveValues } from "./redact-plan.js";
import { mergeTags, registrationTags, templateTags, type RegistrationTagInput } from "../ecs/tags.js";
import { taskDefinitionName, pinnedDigest } from "../config/aws-names.js";
import type { CheckResult, Verdict } from "../checks/check-result.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";
import { sameTaskDefinition } from "../ecs/normalise.js";
import { collectSensitiveValues, mergeSensitiveValues, sensitivePathsOf } from "../render/redact.js";

export interface BuildPlanOptions {
  /** Treat "unverified" checks as failures. */
  strict: boolean;
  /** For wait-stable and wait-foreign-deployment steps. */
  timeoutSeconds: number;
  /** Wait for someone else's IN_PROGRESS deployment instead of failing. */
  waitForInProgress: boolean;
  /** Deploy again a definition whose last deployment FAILED (refused otherwise). */
  force?: boolean;
  /** Who runs this (tag `deployer:by`): a user, or `github-actions:<repo>`. */
  by: string;
  /** --skip-tasks: plan no one-off task (the services' `tasks:`). */
  skipTasks?: boolean;
  /** Why tasks are skipped when it is not --skip-tasks (a rollback puts back code whose tasks already ran). */
  skipTasksReason?: string;
  gitSha?: string;
  promotion?: Plan["promotion"];
}

export interface BuildPlanInput {
  service: string;
  image: ResolvedImage;
  /** Every service's image by key (several services). */
  images?: Record<string, ResolvedImage>;
  /** Each service's one-off tasks (`tasks:`), by service key. */
  tasks?: Record<string, TaskConfig[]>;
  /** Each service's `dependsOn`, by service key. */
  dependsOn?: Record<string, string[]>;
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
export const PLAN_CHECK_IDS = {
  liveState: "live-task-definition",
  foreignDeployment: "foreign-deployment",
  failedDeployment: "failed-deployment",
  rollbackTarget: "rollback-target",
} as const;

export function buildPlan(input: BuildPlanInput): Plan {
  const { options } = input;
  const allSensitive: string[][] = [];
  const targets: TargetPlan[] = input.entries.map(({ desired, observed }) => {
    const plan = planTarget(input, desired, observed);
    allSensitive.push(plan.sensitiveValues);
    return plan.target;
  });

  const usedStages = new Set(targets.map((t) => t.target.stage));
  const stages = input.stages
    .filter((s) => usedStages.has(s.name))
    .map((s) => (s.maxParallel === undefined ? { name: s.name } : { name: s.name, maxParallel: s.maxParallel }));

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
    ...(input.images ? { images: structuredClone(input.images) } : {}),
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
  const writeCapable = input.entries.filter((e) => e.observed.readsAs !== "view").map((e) => e.desired.target.name);
  if (writeCapable.length > 0) plan.writeCapableReads = writeCapable;
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
  const tasks = input.tasks?.[target.serviceKey] ?? [];
  const desiredDef = desired.taskDefinition as unknown as Record<string, unknown>;
  const liveTd = observed.liveTaskDefinition;
  const sensitiveValues = collectSensitiveValues(target, desiredDef, liveTd?.raw, observed.latestRevision?.raw);

  // Published fingerprints are over the redacted definitions (fingerprint.ts); whether two
  // definitions are the same is decided on the full ones, in memory.
  const desiredFingerprint = fingerprint(desiredDef, sensitiveValues);
  const diff = liveTd ? markSensitiveChanges(diffTaskDefinitions(liveTd.raw, desiredDef), sensitiveValues) : [];
  const state = observed.state ?? (observed.service ? serviceState(observed.service) : undefined);
  // The live side of a sensitive change holds the secret as it was (an older value nobody named):
  // the live fingerprint must not be an oracle for it either.
  const live = liveSnapshot(
    observed.service,
    liveTd,
    state,
    mergeSensitiveValues(
      sensitiveValues,
      diff.filter((c) => c.sensitive).flatMap((c) => textLeaves(c.before)),
    ),
  );
  const runsDesired = liveTd !== undefined && sameTaskDefinition(liveTd.raw, desiredDef);
  const checks = [...observed.checks];

  // An IN_PROGRESS deployment of exactly what we want (an earlier run updated the service, then
  // died while waiting) is not foreign: the rollout converges by waiting for it.
  const inProgressAny = foreignDeployment(state);
  const inProgress =
    inProgressAny && !(live && inProgressAny.taskDefinition === live.taskDefinitionArn && runsDesired) ? inProgressAny : undefined;
  if (inProgress && !options.waitForInProgress && !hasCheckFor(checks, "DEPLOYMENT_IN_PROGRESS", PLAN_CHECK_IDS.foreignDeployment)) {
    checks.push({
      id: PLAN_CHECK_IDS.foreignDeployment,
      title: "no other deployment in progress",
      target: target.name,
      verdict: "fail",
      message: `${inProgress.id ? `deployment ${inProgress.id} (${taskDefinitionName(inProgress.taskDefinition)})` : "a deployment"} is still in progress on ${target.cluster}/${target.service}${inProgress.reason ? ` (${inProgress.reason})` : ""}`,
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

  // A FAILED PRIMARY is never "unchanged": deploying exactly the failed definition again is refused
  // (it would fail the same way) unless --force; any other definition is deployed over it.
  const failedPrimary =
    state?.kind === "failed" && live !== undefined && (!state.deployment || state.deployment.taskDefinition === live.taskDefinitionArn);
  const redeployFailed = failedPrimary && runsDesired;
  if (redeployFailed && !options.force && state?.kind === "failed") {
    checks.push({
      id: PLAN_CHECK_IDS.failedDeployment,
      title: "the service's last deployment did not fail",
      target: target.name,
      verdict: "fail",
      message: `the last deployment of ${taskDefinitionName(live.taskDefinitionArn)} — the definition this plan wants — FAILED on ${target.cluster}/${target.service}: ${state.reason}`,
      hint: `deploying it again would fail the same way: fix the image or configuration and roll out again; \`deployer rollback --env ${target.name}\` puts the revision that ran before back; --force deploys ${taskDefinitionName(live.taskDefinitionArn)} again anyway`,
      evidence: { taskDefinition: live.taskDefinitionArn, trigger: state.trigger },
      error: {
        code: "DEPLOYMENT_FAILED",
        message: `the last deployment of ${taskDefinitionName(live.taskDefinitionArn)} failed`,
        target: target.name,
        account: target.account,
        resource: observed.service?.arn,
      },
    });
  }

  // Where a failure would roll back to: only a revision known to have run healthy.
  const changes = live !== undefined && (!runsDesired || failedPrimary);
  const known =
    observed.rollbackTo ?? (state ? knownGoodRevision(state, observed.service, liveTd, observed.history ?? { entries: [] }) : undefined);
  const rollbackTo = known ? { ...known } : undefined;
  if (changes && live) checks.push(rollbackTargetCheck(target, rollbackTo, options.strict));

  const blocked = live === undefined || walkChecks(checks).some((c) => isFailing(c.verdict, options.strict));

  let action: TargetAction;
  const steps: Step[] = [];
  const resumable = live && runsDesired ? unfinishedOwnDeployment(observed.service, state, live.taskDefinitionArn, rollbackTo) : undefined;
  if (blocked) {
    action = "blocked";
  } else if (resumable) {
    action = "update";
    steps.push({ kind: "resume-wait", ...resumable, timeoutSeconds: options.timeoutSeconds });
  } else if (runsDesired && !redeployFailed) {
    action = "noop";
  } else {
    action = "update";
    if (inProgress && options.waitForInProgress) steps.push({ kind: "wait-foreign-deployment", timeoutSeconds: options.timeoutSeconds });
    const latest = observed.latestRevision;
    if (redeployFailed) {
      steps.push({ kind: "reuse-task-definition", taskDefinitionArn: live.taskDefinitionArn });
    } else if (latest && latest.status === "ACTIVE" && sameTaskDefinition(latest.raw, desiredDef)) {
      steps.push({ kind: "reuse-task-definition", taskDefinitionArn: latest.arn });
    } else {
      steps.push({
        kind: "register-task-definition",
        // The template's own tags are kept; deployer's provenance tags win on a shared key (the
        // task-definition-tags check reports such a collision).
        tags: mergeTags(
          templateTags(desiredDef),
          registrationTags({
            imageDigest: desired.image.digest,
            imageTag: desired.image.tag,
            gitSha: options.gitSha,
            runId: input.runId,
            by: options.by,
            fingerprint: desiredFingerprint,
            previousTaskDefinition: rollbackTo?.taskDefinitionArn,
            promotion: promotionTagInput(options.promotion, target.name),
          }),
        ),
      });
    }
    // One-off tasks run with the new (or reused) definition, before any service is updated.
    if (!options.skipTasks && observed.service)
      for (const task of tasks)
        steps.push({
          kind: "run-task",
          name: task.name,
          container: task.container,
          command: [...task.command],
          cluster: target.cluster,
          launch: structuredClone(observed.service.launch ?? {}),
          timeoutSeconds: task.timeoutSeconds,
        });
    steps.push({
      kind: "update-service",
      cluster: target.cluster,
      service: target.service,
      ...(redeployFailed ? { forceNewDeployment: true } : {}),
      ...(options.waitForInProgress ? { waitForInProgress: true } : {}),
    });
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
  if (rollbackTo && action !== "noop") plan.rollbackTo = rollbackTo;
  const skippedBecause =
    action === "noop"
      ? "the service already runs this task definition"
      : resumable
        ? "an earlier run already updated the service; its deployment is only waited for"
        : action === "update" && options.skipTasks
          ? (options.skipTasksReason ?? "--skip-tasks")
          : undefined;
  const dependsOn = input.dependsOn?.[target.serviceKey];
  if (dependsOn?.length) plan.dependsOn = [...dependsOn];
  if (skippedBecause && tasks.length > 0)
    plan.skippedTasks = tasks.map((t) => ({ name: t.name, container: t.container, because: skippedBecause }));
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
    env: target.env,
    serviceKey: target.serviceKey,
    stage: target.stage,
    account: target.account,
    region: target.region,
    cluster: target.cluster,
    service: target.service,
    file: rel.split(path.sep).join("/"),
  };
}

function liveSnapshot(
  service: LiveService | undefined,
  td: LiveTaskDefinition | undefined,
  state: ServiceState | undefined,
  sensitiveValues: readonly string[],
): LiveSnapshot | undefined {
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
  if (primary?.id) snapshot.primaryDeploymentId = primary.id;
  if (service.currentServiceDeployment) snapshot.serviceDeploymentArn = service.currentServiceDeployment;
  if (service.strategy && service.strategy !== "ROLLING") snapshot.strategy = service.strategy;
  if (state) snapshot.state = state.kind;
  return snapshot;
}

/** The `rollback-target` check: what a failure would roll back to, and how deployer knows it ran healthy. */
function rollbackTargetCheck(target: Target, to: KnownGoodRevision | undefined, strict: boolean): CheckResult {
  const head = { id: PLAN_CHECK_IDS.rollbackTarget, title: "a known-good revision to roll back to", target: target.name };
  if (!to) {
    return {
      ...head,
      verdict: "warn",
      message:
        "no revision is known to have run healthy before (no settled deployment, no SUCCESSFUL service deployment, no deployer:previous-task-definition tag): a failure will not be rolled back",
      hint: `if this deployment fails, put a revision you know is good back with \`deployer rollback --env ${target.name} --to FAMILY:REVISION\``,
    };
  }
  const where = `${taskDefinitionName(to.taskDefinitionArn)} (${to.evidence})`;
  if (to.status === "INACTIVE") {
    return {
      ...head,
      verdict: strict ? "fail" : "warn",
      message: `a failure rolls back to ${where}, which is INACTIVE (deregistered): deployer would register an identical copy of it first`,
      hint: "ECS cannot deploy an INACTIVE revision; the copy gets the same definition and a deployer:copy-of tag",
      evidence: { ...to },
      ...(strict
        ? {
            error: {
              code: "ROLLBACK_REFUSED" as const,
              message: `the rollback target ${taskDefinitionName(to.taskDefinitionArn)} is INACTIVE`,
              target: target.name,
              account: target.account,
            },
          }
        : {}),
    };
  }
  return { ...head, verdict: "pass", message: `a failure rolls back to ${where}`, evidence: { ...to } };
}

/** `sha256:…` of the first container's image when it is pinned by digest. */
export function firstImageDigest(def: Record<string, unknown>): string | undefined {
  const containers = Array.isArray(def.containerDefinitions) ? def.containerDefinitions : [];
  const image = (containers[0] as { image?: unknown } | undefined)?.image;
  if (typeof image !== "string") return undefined;
  return pinnedDigest(image);
}

/**
 * The service's PRIMARY deployment already carries the desired definition and is still rolling out:
 * an earlier run updated the service and died while waiting. A rollback goes to the known-good
 * revision (never simply to "the other deployment").
 */
function unfinishedOwnDeployment(
  service: LiveService | undefined,
  state: ServiceState | undefined,
  taskDefinitionArn: string,
  rollbackTo: KnownGoodRevision | undefined,
): { deploymentId: string; taskDefinitionArn: string; previousTaskDefinitionArn?: string; serviceDeploymentArn?: string } | undefined {
  if (!service || state?.kind !== "in-progress" || !state.deployment) return undefined;
  const primary = state.deployment;
  if (primary.status !== "PRIMARY" || primary.taskDefinition !== taskDefinitionArn) return undefined;
  return {
    deploymentId: primary.id,
    taskDefinitionArn,
    ...(rollbackTo ? { previousTaskDefinitionArn: rollbackTo.taskDefinitionArn } : {}),
    ...(service.currentServiceDeployment ? { serviceDeploymentArn: service.currentServiceDeployment } : {}),
  };
}

/**
 * A deployment in flight that deployer did not start (in progress, or ECS rolling one back), by the
 * one deployment-state model; the caller excludes an unfinished deployment of exactly what it wants.
 */
function foreignDeployment(state: ServiceState | undefined): { id?: string; taskDefinition: string; reason?: string } | undefined {
  if (state?.kind === "in-progress")
    return { id: state.deployment?.id, taskDefinition: state.deployment?.taskDefinition ?? "", reason: state.reason };
  if (state?.kind === "rolling-back") {
    const d = state.rollback ?? state.failed;
    return { id: d?.id, taskDefinition: d?.taskDefinition ?? "", reason: state.reason };
  }
  return undefined;
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

/** The promotion part of the tags for one target of a plan. */
export function promotionTagInput(promotion: Plan["promotion"], targetName: string): RegistrationTagInput["promotion"] {
  if (!promotion) return undefined;
  return {
    fromStage: promotion.fromStage,
    sourceTarget: promotion.sourceTargets?.[targetName],
    sourceTaskDefinitionArn: promotion.sourceTaskDefinitionArns[targetName],
  };
}
