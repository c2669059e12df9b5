// A service's deployment history (ListServiceDeployments → DescribeServiceDeployments →
// DescribeServiceRevisions: which task definition each deployment deployed, how it ended, what ECS
// rolled back to), and the one rule for a rollback target: go back only to a revision known to have
// run healthy before the current deployment — never to one whose deployment failed.
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-deployment.html
//   https://docs.aws.amazon.com/AmazonECS/latest/developerguide/service-revision.html
// Where the endpoint (or the deploy role) has no service-deployment API, the fallback is the
// provenance tag deployer writes at registration (`deployer:previous-task-definition`).
import type { EcsPort, LiveService, LiveTaskDefinition, ServiceDeploymentInfo } from "../aws/ports.js";
import { isDeployerError, toErrorInfo, type ErrorInfo, errorMessage } from "../errors.js";
import { taskDefinitionName } from "../config/aws-names.js";
import { PREVIOUS_TASK_DEFINITION_TAG } from "./tags.js";
import { serviceDeploymentId, type ServiceState } from "./deployment-state.js";

/** A revision deployer may roll back to, and how it knows that revision ran healthy. */
export interface KnownGoodRevision {
  taskDefinitionArn: string;
  /**
   * steady-state: the service ran it, settled (PRIMARY COMPLETED), when deployer looked;
   * service-deployments: ECS's deployment history (SUCCESSFUL, or what a ROLLBACK_SUCCESSFUL went back to);
   * provenance-tag: the `deployer:previous-task-definition` tag deployer wrote when it registered the current revision;
   * explicit: named with --to.
   */
  source: "steady-state" | "service-deployments" | "provenance-tag" | "explicit";
  /** In words, for plans and reports. */
  evidence: string;
  /** Its status when read: INACTIVE (deregistered) means a rollback first registers an identical copy. */
  status?: string;
}

/** How many service deployments back deployer looks. */
export const HISTORY_DEPTH = 20;

export interface HistoryEntry {
  deployment: ServiceDeploymentInfo;
  /** The task definition it deployed. */
  targetTaskDefinition?: string;
  /** For ROLLBACK_*: the task definition ECS rolled back to. */
  rollbackTaskDefinition?: string;
  /** What ran when it started. */
  sourceTaskDefinitions?: string[];
}

export interface DeploymentHistory {
  /** Newest first. */
  entries: HistoryEntry[];
  /** Set when the history could not be read (endpoint without the API, permission missing, …). */
  unavailable?: ErrorInfo;
}

/** Read the newest HISTORY_DEPTH service deployments with their revisions' task definitions. Never throws. */
export async function readDeploymentHistory(
  ecs: EcsPort,
  cluster: string,
  service: string,
  depth = HISTORY_DEPTH,
): Promise<DeploymentHistory> {
  if (!ecs.listServiceDeployments || !ecs.describeServiceDeployments || !ecs.describeServiceRevisions) {
    return {
      entries: [],
      unavailable: { code: "AWS_ERROR", message: "this AWS endpoint has no service-deployment API", action: "ecs:ListServiceDeployments" },
    };
  }
  try {
    const briefs = await ecs.listServiceDeployments(cluster, service, { maxResults: depth });
    if (briefs.length === 0) return { entries: [] };
    const detailed = new Map((await ecs.describeServiceDeployments(briefs.map((b) => b.arn))).map((d) => [d.arn, d]));
    const deployments = briefs.map((b) => detailed.get(b.arn) ?? b);
    const revisions = new Set<string>();
    for (const d of deployments) {
      if (d.targetRevisionArn) revisions.add(d.targetRevisionArn);
      if (d.rollback?.serviceRevisionArn) revisions.add(d.rollback.serviceRevisionArn);
      for (const s of d.sourceRevisionArns ?? []) revisions.add(s);
    }
    const tdOf = new Map((await ecs.describeServiceRevisions([...revisions])).map((r) => [r.arn, r.taskDefinition]));
    const entries = deployments.map((deployment): HistoryEntry => {
      const e: HistoryEntry = { deployment };
      const target = deployment.targetRevisionArn && tdOf.get(deployment.targetRevisionArn);
      if (target) e.targetTaskDefinition = target;
      const rb = deployment.rollback?.serviceRevisionArn && tdOf.get(deployment.rollback.serviceRevisionArn);
      if (rb) e.rollbackTaskDefinition = rb;
      const sources = (deployment.sourceRevisionArns ?? []).map((a) => tdOf.get(a)).filter((x): x is string => Boolean(x));
      if (sources.length) e.sourceTaskDefinitions = sources;
      return e;
    });
    return { entries };
  } catch (e) {
    return {
      entries: [],
      unavailable: isDeployerError(e) ? toErrorInfo(e) : { code: "AWS_ERROR", message: errorMessage(e) },
    };
  }
}

/** The task definition a finished deployment left running healthy, if it did. */
function healthyResult(e: HistoryEntry): { taskDefinition: string; evidence: string } | undefined {
  const d = e.deployment;
  const id = serviceDeploymentId(d.arn);
  const when = d.finishedAt ? ` (${d.finishedAt})` : "";
  if (d.status === "SUCCESSFUL" && e.targetTaskDefinition)
    return { taskDefinition: e.targetTaskDefinition, evidence: `service deployment ${id} SUCCESSFUL${when}` };
  if (d.status === "ROLLBACK_SUCCESSFUL") {
    const back = e.rollbackTaskDefinition ?? e.sourceTaskDefinitions?.[0];
    if (back) return { taskDefinition: back, evidence: `ECS rolled service deployment ${id} back to it${when}` };
  }
  return undefined;
}

/**
 * The newest revision that ran healthy before the current deployment: walk the deployments older
 * than `currentArn` (the deployment that made the service what it is; default: the newest), take
 * the first that ended SUCCESSFUL (its target) or ROLLBACK_SUCCESSFUL (what ECS went back to),
 * skipping the task definitions in `exclude` (what runs now, what just failed).
 */
export function knownGoodFromHistory(
  history: DeploymentHistory,
  opts: { currentArn?: string; exclude: string[] },
): KnownGoodRevision | undefined {
  const entries = history.entries;
  const at = opts.currentArn ? entries.findIndex((e) => e.deployment.arn === opts.currentArn) : 0;
  const older = at >= 0 ? entries.slice(at + 1) : entries;
  for (const e of older) {
    const ok = healthyResult(e);
    if (ok && !opts.exclude.includes(ok.taskDefinition))
      return { taskDefinitionArn: ok.taskDefinition, source: "service-deployments", evidence: ok.evidence };
  }
  return undefined;
}

/**
 * The revision a failure of the next deployment (or a rollback now) goes back to, by one rule:
 *  1. the service is settled (stable or scaled to zero) on a COMPLETED deployment of what runs: that;
 *  2. a deployment that COMPLETED is still listed beside the current one (ACTIVE, draining): that;
 *  3. the newest revision ECS's deployment history shows healthy before the current deployment;
 *  4. the `deployer:previous-task-definition` tag deployer wrote when it registered what runs;
 *  else none: deployer will not roll back to a revision it cannot show ran healthy.
 * What runs now, and what the current deployment deploys, are never a rollback target unless (1).
 */
export function knownGoodRevision(
  state: ServiceState,
  service: LiveService | undefined,
  live: LiveTaskDefinition | undefined,
  history: DeploymentHistory,
): KnownGoodRevision | undefined {
  if ((state.kind === "stable" || state.kind === "scaled-to-zero") && live && state.primary.taskDefinition === live.arn) {
    return {
      taskDefinitionArn: live.arn,
      source: "steady-state",
      evidence: `the service runs it, settled (deployment ${state.primary.id} ${state.primary.rolloutState ?? "stable"})`,
      status: live.status,
    };
  }
  const failing = [
    live?.arn,
    service?.taskDefinition,
    "deployment" in state && state.deployment ? state.deployment.taskDefinition : undefined,
  ].filter((x): x is string => Boolean(x));
  const completed = service?.deployments.find(
    (d) => d.status === "ACTIVE" && d.rolloutState === "COMPLETED" && !failing.includes(d.taskDefinition),
  );
  if (completed)
    return {
      taskDefinitionArn: completed.taskDefinition,
      source: "steady-state",
      evidence: `deployment ${completed.id} of it COMPLETED and still runs beside the current one`,
    };
  return (
    knownGoodFromHistory(history, { currentArn: service?.currentServiceDeployment, exclude: failing }) ?? knownGoodFromTag(live, failing)
  );
}

/** The revision deployer recorded as known-good when it registered `td`. */
export function knownGoodFromTag(td: LiveTaskDefinition | undefined, exclude: string[]): KnownGoodRevision | undefined {
  const arn = td?.tags[PREVIOUS_TASK_DEFINITION_TAG];
  if (!arn || exclude.includes(arn)) return undefined;
  return {
    taskDefinitionArn: arn,
    source: "provenance-tag",
    evidence: `${PREVIOUS_TASK_DEFINITION_TAG} tag of ${taskDefinitionName(td.arn)}`,
  };
}

/**
 * A revision's last outcome, in words, from the history: "last deployed by ejGv… SUCCESSFUL",
 * "its deployment FAILED and ECS rolled it back (…)", "never deployed in the last 20 deployments".
 */
export function lastOutcome(history: DeploymentHistory, taskDefinitionArn: string): { healthy: boolean | undefined; text: string } {
  if (history.unavailable) return { healthy: undefined, text: "deployment history not available" };
  for (const e of history.entries) {
    const d = e.deployment;
    const id = serviceDeploymentId(d.arn);
    if (e.targetTaskDefinition === taskDefinitionArn) {
      switch (d.status) {
        case "SUCCESSFUL":
          return { healthy: true, text: `last deployment ${id} SUCCESSFUL${d.finishedAt ? ` ${d.finishedAt}` : ""}` };
        case "ROLLBACK_SUCCESSFUL":
          return { healthy: false, text: `last deployment ${id} FAILED; ECS rolled it back (ROLLBACK_SUCCESSFUL)` };
        case "ROLLBACK_FAILED":
          return { healthy: false, text: `last deployment ${id} FAILED and its rollback failed (ROLLBACK_FAILED)` };
        case "STOPPED":
          return { healthy: false, text: `last deployment ${id} STOPPED${d.statusReason ? `: ${d.statusReason}` : ""}` };
        default:
          return { healthy: undefined, text: `deployment ${id} is ${d.status}` };
      }
    }
    if (d.status === "ROLLBACK_SUCCESSFUL" && e.rollbackTaskDefinition === taskDefinitionArn) {
      return { healthy: true, text: `ECS rolled deployment ${id} back to it (ROLLBACK_SUCCESSFUL)` };
    }
  }
  return { healthy: undefined, text: `not among the last ${HISTORY_DEPTH} service deployments` };
}
