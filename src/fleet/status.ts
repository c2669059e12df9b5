// `deployer status`: one row per target across every account: what it runs (task definition, image
// tag and digest), how healthy it is, who deployed it when, and whether it matches the stage before
// it (promotion readiness). Read-only; targets are read in parallel (bounded). A target that cannot be
// read is an error row, never a crash of the whole view.
import type { Target } from "../config/types.js";
import type { LiveService, ServiceDeploymentInfo } from "../aws/ports.js";
import { toErrorInfo } from "../errors.js";
import { targetSummary } from "../plan/build.js";
import { deployedImage, serviceHealth, TAG } from "./deployed.js";
import { readTargets, type TargetRead } from "./read-target.js";
import { assessSourceStage, type SourceStage } from "./source-stage.js";
import type { FleetRun, FleetStatus, PromotionReadiness, StatusRow } from "./types.js";

export interface FleetStatusOptions {
  /** Targets read at once (default DEFAULT_CONCURRENCY). */
  concurrency?: number;
  now?: () => Date;
}

export async function fleetStatus(run: FleetRun, opts: FleetStatusOptions = {}): Promise<FleetStatus> {
  const { project } = run;
  const stageNames = project.config.stages.map((s) => s.name);
  const previousStage = (stage: string): string | undefined => {
    const i = stageNames.indexOf(stage);
    return i > 0 ? stageNames[i - 1] : undefined;
  };

  // Readiness needs the stage before each shown stage, shown or not: read those targets too, once.
  const shown = new Set(run.targets.map((t) => t.name));
  const neededStages = new Set(run.targets.map((t) => previousStage(t.stage)).filter((s): s is string => s !== undefined));
  // Only the shown services' units: a unit is promoted from its own service's units (issue 17).
  const shownServices = new Set(run.targets.map((t) => t.serviceKey));
  const extra = project.targets.filter((t) => neededStages.has(t.stage) && !shown.has(t.name) && shownServices.has(t.serviceKey));
  const all: Target[] = [...run.targets, ...extra];
  const reads = await readTargets(all, run.sessions, { service: project.config.service, runId: run.runId, concurrency: opts.concurrency });
  const readOf = new Map(reads.map((r) => [r.target.name, r]));

  // Per stage and service (issue 17): a unit is ready to promote from its own service's source units.
  const sources = new Map<string, SourceStage>();
  const serviceKeys = [...new Set(run.targets.map((t) => t.serviceKey))];
  for (const stage of neededStages) {
    for (const key of serviceKeys) {
      sources.set(
        sourceKey(stage, key),
        assessSourceStage(
          stage,
          project.targets.filter((t) => t.stage === stage && t.serviceKey === key).map((t) => readOf.get(t.name)!),
        ),
      );
    }
  }

  const rows = run.targets.map((t) => {
    const read = readOf.get(t.name)!;
    const from = previousStage(t.stage);
    const own = new Map(from === undefined ? [] : [[from, sources.get(sourceKey(from, t.serviceKey))!]]);
    return statusRow(read, project.config.rootDir, readiness(read, from, own));
  });
  const summary = { targets: rows.length, stable: 0, inProgress: 0, failed: 0, degraded: 0, scaledToZero: 0, errors: 0 };
  for (const r of rows) {
    if (!r.ok) summary.errors++;
    else if (r.health?.state === "stable") summary.stable++;
    else if (r.health?.state === "in-progress") summary.inProgress++;
    else if (r.health?.state === "failed") summary.failed++;
    else if (r.health?.state === "scaled-to-zero") summary.scaledToZero++;
    else summary.degraded++;
  }
  const usedStages = new Set(run.targets.map((t) => t.stage));
  return {
    service: project.config.service,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    stages: stageNames.filter((s) => usedStages.has(s)),
    rows,
    summary,
  };
}

function sourceKey(stage: string, serviceKey: string): string {
  return `${stage}\u0000${serviceKey}`;
}

/** Does this target match the unanimous, stable digest of the stage before it? */
export function readiness(read: TargetRead, fromStage: string | undefined, sources: ReadonlyMap<string, SourceStage>): PromotionReadiness {
  if (fromStage === undefined) return { state: "first-stage" };
  if (!read.ok) return { state: "unknown", fromStage };
  const source = sources.get(fromStage);
  if (!source || !source.digest) {
    return {
      state: "source-not-ready",
      fromStage,
      reasons: (source?.refusals ?? []).map((e) => (e.target ? `${e.target}: ${e.message}` : e.message)),
    };
  }
  const mine = deployedImage(read.taskDefinition).digest;
  return mine === source.digest
    ? { state: "in-sync", fromStage, digest: source.digest }
    : { state: "promotable", fromStage, digest: source.digest };
}

export function statusRow(read: TargetRead, rootDir: string, promotion: PromotionReadiness): StatusRow {
  const row = { target: targetSummary(read.target, rootDir), ok: read.ok } as StatusRow;
  if (!read.ok) {
    row.error = toErrorInfo(read.error);
    if (read.service) fillService(row, read.service);
    row.promotion = promotion;
    return row;
  }
  const td = read.taskDefinition;
  const registeredAt = typeof td.raw.registeredAt === "string" ? td.raw.registeredAt : undefined;
  const registeredBy = typeof td.raw.registeredBy === "string" ? td.raw.registeredBy : undefined;
  row.taskDefinition = { arn: td.arn, family: td.family, revision: td.revision };
  if (registeredAt) row.taskDefinition.registeredAt = registeredAt;
  if (registeredBy) row.taskDefinition.registeredBy = registeredBy;

  const image = deployedImage(td);
  row.image = {};
  if (image.ref) row.image.ref = image.ref;
  if (image.digest) row.image.digest = image.digest;
  if (image.imageTag) row.image.tag = image.imageTag;
  if (image.gitSha) row.image.gitSha = image.gitSha;
  if (image.conflict) row.image.conflict = true;

  fillService(row, read.service, read.serviceDeployment);
  const primary = read.service.deployments.find((d) => d.status === "PRIMARY" && d.taskDefinition === td.arn);
  const deployedAt = primary?.createdAt ?? registeredAt;
  if (deployedAt) row.lastDeployedAt = deployedAt;
  const by = td.tags[TAG.by] ?? registeredBy;
  if (by) row.lastDeployedBy = by;
  if (td.tags[TAG.promotedFrom]) {
    row.promotedFrom = { target: td.tags[TAG.promotedFrom]! };
    if (td.tags[TAG.sourceStage]) row.promotedFrom.stage = td.tags[TAG.sourceStage];
  }
  row.promotion = promotion;
  return row;
}

function fillService(row: StatusRow, service: LiveService, current?: ServiceDeploymentInfo): void {
  row.running = service.runningCount;
  row.desired = service.desiredCount;
  row.pending = service.pendingCount;
  const primary = service.deployments.find((d) => d.status === "PRIMARY");
  if (primary?.rolloutState) row.rolloutState = primary.rolloutState;
  const health = serviceHealth(service, current);
  row.health = { state: health.state, reason: health.reason };
}
