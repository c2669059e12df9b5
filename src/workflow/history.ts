// `deployer history`: the last deployments of each target — when, which revision, its image tag and
// digest, who deployed it, and how it ended — read-only, what a user needs to choose
// `rollback --to` and what an incident review asks for.
//
// Sources, per target (through its deploy role, as every read):
//  - ECS's service deployment history: ListServiceDeployments (newest first), DescribeServiceDeployments
//    (status, reason, rollback) and DescribeServiceRevisions (the task definition each deployed)
//    (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html,
//    https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServiceDeployments.html);
//  - each revision's tags (DescribeTaskDefinition with include TAGS): `deployer:image-tag`,
//    `deployer:image-digest`, `deployer:by`, `deployer:run-id`, `deployer:promoted-from`; without
//    them (registered by someone else), the image reference and ECS's `registeredBy`.
// Where the service-deployment API is not there (or denied), the deployments DescribeServices lists
// (what runs now) stand in, and the entry says the history was unavailable.
import type { LiveService, LiveTaskDefinition, ServiceDeploymentInfo } from "../aws/ports.js";
import type { TargetSummary } from "../plan/types.js";
import type { FleetRun } from "../fleet/types.js";
import { toErrorInfo, type ErrorInfo } from "../errors.js";
import { targetSummary } from "../plan/build.js";
import { readTargets } from "../fleet/read-target.js";
import { deployedImage, TAG } from "../fleet/deployed.js";
import { readDeploymentHistory, type HistoryEntry } from "../ecs/deployment-history.js";
import { serviceDeploymentId } from "../ecs/deployment-state.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { mapBounded } from "../concurrency.js";

/** How a deployment ended, in the words a reviewer uses. */
export type DeploymentOutcome =
  /** SUCCESSFUL (a rolling deployment COMPLETED). */
  | "completed"
  /** It failed and nothing rolled it back (ROLLBACK_FAILED, or a FAILED rollout still listed). */
  | "failed"
  /** It failed and ECS (circuit breaker, alarms) or a stop rolled it back (ROLLBACK_SUCCESSFUL). */
  | "rolled-back"
  /** Stopped by a request or a newer deployment (STOPPED). */
  | "stopped"
  /** PENDING, IN_PROGRESS, STOP_REQUESTED, ROLLBACK_REQUESTED, ROLLBACK_IN_PROGRESS. */
  | "in-progress"
  | "unknown";

export interface HistoryDeployment {
  /** When it started (createdAt, else startedAt). */
  at?: string;
  finishedAt?: string;
  /** The service deployment's ARN (absent for entries from DescribeServices). */
  serviceDeploymentArn?: string;
  /** Short id: the last segment of the ARN, or the ECS deployment id. */
  id: string;
  taskDefinition?: { arn: string; family: string; revision: number };
  image?: { tag?: string; digest?: string; ref?: string };
  /** `deployer:by` of the revision, else who registered it (ECS's registeredBy). */
  by?: string;
  /** `deployer:run-id` of the revision. */
  runId?: string;
  /** `deployer:promoted-from` (the source environment) when the revision was promoted. */
  promotedFrom?: string;
  outcome: DeploymentOutcome;
  /** The service deployment's status as ECS has it (SUCCESSFUL, ROLLBACK_SUCCESSFUL, …). */
  status: string;
  /** Why it ended that way (statusReason, the rollback's reason). */
  reason?: string;
  /** rolled-back: the revision ECS went back to. */
  rolledBackTo?: string;
}

export interface TargetHistory {
  target: TargetSummary;
  ok: boolean;
  error?: ErrorInfo;
  /** Newest first, at most `limit`. */
  deployments: HistoryDeployment[];
  /** Set when ECS's service deployment history could not be read: the entries are what DescribeServices lists. */
  historyUnavailable?: ErrorInfo;
}

export interface DeploymentHistoryReport {
  formatVersion: 1;
  service: string;
  createdAt: string;
  /** Deployments shown per target (-n). */
  limit: number;
  targets: TargetHistory[];
}

export interface HistoryOptions {
  limit: number;
  concurrency?: number;
  now?: () => Date;
}

/** The service deployment's status as an outcome. */
export function outcomeOf(status: string): DeploymentOutcome {
  switch (status) {
    case "SUCCESSFUL":
      return "completed";
    case "ROLLBACK_SUCCESSFUL":
      return "rolled-back";
    case "ROLLBACK_FAILED":
      return "failed";
    case "STOPPED":
      return "stopped";
    case "PENDING":
    case "IN_PROGRESS":
    case "STOP_REQUESTED":
    case "ROLLBACK_REQUESTED":
    case "ROLLBACK_IN_PROGRESS":
      return "in-progress";
    default:
      return "unknown";
  }
}

export async function deploymentHistory(run: FleetRun, opts: HistoryOptions): Promise<DeploymentHistoryReport> {
  const { project } = run;
  const reads = await readTargets(run.targets, run.sessions, {
    service: project.config.service,
    runId: run.runId,
    concurrency: opts.concurrency,
  });
  const targets = await mapBounded(
    reads,
    async (read): Promise<TargetHistory> => {
      const summary = targetSummary(read.target, project.config.rootDir);
      if (!read.ok) return { target: summary, ok: false, error: toErrorInfo(read.error), deployments: [] };
      const ecs = read.session.ecs;
      const history = await readDeploymentHistory(ecs, read.target.cluster, read.target.service, opts.limit);
      // One DescribeTaskDefinition (with tags) per distinct revision shown.
      const cache = new Map<string, Promise<LiveTaskDefinition | undefined>>([
        [read.taskDefinition.arn, Promise.resolve(read.taskDefinition)],
      ]);
      const describe = (arn: string) => {
        if (!cache.has(arn))
          cache.set(
            arn,
            ecs.describeTaskDefinition(arn).catch(() => undefined),
          );
        return cache.get(arn)!;
      };
      if (history.unavailable) {
        return {
          target: summary,
          ok: true,
          deployments: await fromServiceDeployments(read.service, describe, opts.limit),
          historyUnavailable: history.unavailable,
        };
      }
      const entries = [...history.entries].sort((a, b) => startOf(b.deployment).localeCompare(startOf(a.deployment))).slice(0, opts.limit);
      return { target: summary, ok: true, deployments: await Promise.all(entries.map((e) => fromHistoryEntry(e, describe))) };
    },
    { concurrency: opts.concurrency },
  );
  return {
    formatVersion: 1,
    service: project.config.service,
    createdAt: (opts.now?.() ?? new Date()).toISOString(),
    limit: opts.limit,
    targets,
  };
}

function startOf(d: ServiceDeploymentInfo): string {
  return d.createdAt ?? d.startedAt ?? "";
}

async function fromHistoryEntry(
  e: HistoryEntry,
  describe: (arn: string) => Promise<LiveTaskDefinition | undefined>,
): Promise<HistoryDeployment> {
  const d = e.deployment;
  const out: HistoryDeployment = {
    id: serviceDeploymentId(d.arn),
    serviceDeploymentArn: d.arn,
    outcome: outcomeOf(d.status),
    status: d.status,
  };
  const at = d.createdAt ?? d.startedAt;
  if (at) out.at = at;
  const finished = d.finishedAt ?? d.stoppedAt;
  if (finished) out.finishedAt = finished;
  const reason = d.rollback?.reason ?? d.statusReason;
  if (reason) out.reason = reason;
  if (d.status === "ROLLBACK_SUCCESSFUL") {
    const back = e.rollbackTaskDefinition ?? e.sourceTaskDefinitions?.[0];
    if (back) out.rolledBackTo = back;
  }
  if (e.targetTaskDefinition) await describeRevision(out, e.targetTaskDefinition, describe);
  return out;
}

/** Without the history API: the deployments DescribeServices lists (PRIMARY first), by their rollout state. */
async function fromServiceDeployments(
  service: LiveService,
  describe: (arn: string) => Promise<LiveTaskDefinition | undefined>,
  limit: number,
): Promise<HistoryDeployment[]> {
  const listed = [...service.deployments].sort((a, b) => (b.createdAt ?? "").localeCompare(a.createdAt ?? "")).slice(0, limit);
  return Promise.all(
    listed.map(async (d) => {
      const status = d.rolloutState ?? (d.status === "PRIMARY" ? "PRIMARY" : d.status);
      const outcome: DeploymentOutcome =
        d.rolloutState === "COMPLETED"
          ? "completed"
          : d.rolloutState === "FAILED"
            ? "failed"
            : d.rolloutState === "IN_PROGRESS"
              ? "in-progress"
              : "unknown";
      const out: HistoryDeployment = { id: d.id, outcome, status };
      if (d.createdAt) out.at = d.createdAt;
      if (d.rolloutStateReason) out.reason = d.rolloutStateReason;
      await describeRevision(out, d.taskDefinition, describe);
      return out;
    }),
  );
}

async function describeRevision(
  out: HistoryDeployment,
  arn: string,
  describe: (arn: string) => Promise<LiveTaskDefinition | undefined>,
): Promise<void> {
  const td = await describe(arn);
  const name = taskDefinitionName(arn);
  const revision = Number(name.split(":").pop());
  out.taskDefinition = {
    arn,
    family: td?.family ?? name.split(":")[0]!,
    revision: td?.revision ?? (Number.isInteger(revision) ? revision : 0),
  };
  if (!td) return;
  const image = deployedImage(td);
  out.image = {};
  if (image.imageTag) out.image.tag = image.imageTag;
  if (image.digest) out.image.digest = image.digest;
  if (image.ref) out.image.ref = image.ref;
  const registeredBy = typeof td.raw.registeredBy === "string" ? td.raw.registeredBy : undefined;
  const by = td.tags[TAG.by] ?? registeredBy;
  if (by) out.by = by;
  if (td.tags[TAG.runId]) out.runId = td.tags[TAG.runId];
  if (td.tags[TAG.promotedFrom]) out.promotedFrom = td.tags[TAG.promotedFrom];
}
