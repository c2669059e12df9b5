// What the plan needs to roll a target back safely: the service's deployment state (with its current
// service deployment, where ECS has one) and a revision known to have run healthy (the rule is
// knownGoodRevision in src/ecs/deployment-history.ts). Read-only; the revision is read to know
// whether it is INACTIVE (a rollback then registers an identical copy of it).
import type { LiveService, LiveTaskDefinition, ServiceDeploymentInfo } from "../aws/ports.js";
import type { CheckContext } from "./context.js";
import { knownGoodRevision, type DeploymentHistory } from "../ecs/deployment-history.js";
import { serviceState, type ServiceState } from "../ecs/deployment-state.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";

export interface RollbackState {
  history: DeploymentHistory;
  /** The service's current service deployment, when the history has it. */
  currentServiceDeployment?: ServiceDeploymentInfo;
  state: ServiceState;
  rollbackTo?: KnownGoodRevision;
}

/** The current service deployment of `service` from its history. */
export function currentOf(service: LiveService | undefined, history: DeploymentHistory): ServiceDeploymentInfo | undefined {
  const arn = service?.currentServiceDeployment;
  return arn ? history.entries.find((e) => e.deployment.arn === arn)?.deployment : history.entries[0]?.deployment;
}

export async function readRollbackState(
  ctx: CheckContext,
  service: LiveService | undefined,
  live: LiveTaskDefinition | undefined,
): Promise<RollbackState> {
  const history = await ctx.reads.history();
  const current = currentOf(service, history);
  // The service deployment decides the state of BLUE_GREEN / LINEAR / CANARY services; for the rolling
  // update it only adds what detected a failure.
  const state = serviceState(service, current);
  const out: RollbackState = { history, state, ...(current ? { currentServiceDeployment: current } : {}) };
  const candidate = knownGoodRevision(state, service, live, history);
  if (candidate && candidate.status === undefined) {
    const td = await ctx.reads.taskDefinition(candidate.taskDefinitionArn);
    if (td.ok && td.value) candidate.status = td.value.status;
    else if (td.ok) return out; // it no longer exists: nothing to roll back to
  }
  if (candidate) out.rollbackTo = candidate;
  return out;
}
