// What deployer observed about one target, read-only: the live service, the task definition it runs,
// the latest revision of the desired family (to reuse one an interrupted run registered), and the
// verdicts of every preflight check. Produced by src/observe/, consumed by src/plan/.
import type { Target } from "../config/types.js";
import type { LiveService, LiveTaskDefinition, TargetSession } from "../aws/ports.js";
import type { DeploymentHistory } from "../ecs/deployment-history.js";
import type { ServiceState } from "../ecs/deployment-state.js";
import type { CheckResult } from "../checks/check-result.js";
import type { KnownGoodRevision } from "../ecs/deployment-history.js";

export interface ObservedTarget {
  target: Target;
  /**
   * The assumed deploy-role session, for the writes; undefined when the role could not be assumed,
   * or was not (a read-only run of a target with a viewer role).
   */
  session?: TargetSession;
  /**
   * Whose credentials read and simulated: the target's viewer role ("view"), or its deploy role
   * ("deploy": write-capable credentials, the target has no viewRole).
   */
  readsAs: "view" | "deploy";
  /** undefined when the service does not exist or could not be read (see checks). */
  service?: LiveService;
  /** The task definition the service's PRIMARY deployment runs, with its tags. */
  liveTaskDefinition?: LiveTaskDefinition;
  /** The latest ACTIVE revision of the desired family (may equal liveTaskDefinition). */
  latestRevision?: LiveTaskDefinition;
  /** Every preflight check, in a stable order, each with its verdict. */
  checks: CheckResult[];
  /** The service's deployment history (service deployments), or why it could not be read. */
  history?: DeploymentHistory;
  /** The service's deployment state (src/ecs/deployment-state.ts). */
  state?: ServiceState;
  /** A revision known to have run healthy, to roll a failure back to (with its status). */
  rollbackTo?: KnownGoodRevision;
}
