// The read-only AWS calls several checks (and the observer) need, made at most once per target:
// each is memoised as a promise of an outcome, so checks running in parallel share one request and
// an AWS error is a value to report, not an exception.
import type { DeployerError } from "../errors.js";
import type { Target } from "../config/types.js";
import type { LiveService, LiveTaskDefinition, PolicyDocument, RoleInfo, SimulationResult, TargetSession } from "../aws/ports.js";
import type { NamedPolicy } from "../iam/evaluator.js";
import { awsFailure } from "./check-result.js";
import { roleNameOf } from "../config/aws-names.js";
import { readDeploymentHistory, type DeploymentHistory } from "../ecs/deployment-history.js";

export type Outcome<T> = { ok: true; value: T } | { ok: false; error: DeployerError };

export interface DeployRolePolicies {
  /** Inline (`inline:NAME`) and attached (policy ARN) documents. */
  policies: NamedPolicy[];
  /** The permissions boundary, when the role has one and it could be read. */
  boundary?: NamedPolicy;
  /** Set when the role has a boundary: its ARN. */
  boundaryArn?: string;
  /** Why the boundary could not be read, when it could not. */
  boundaryError?: DeployerError;
}

export class TargetReads {
  private readonly memo = new Map<string, Promise<Outcome<unknown>>>();

  constructor(
    readonly target: Target,
    readonly session: TargetSession,
  ) {}

  private once<T>(key: string, action: string, resource: string, read: () => Promise<T>): Promise<Outcome<T>> {
    let p = this.memo.get(key) as Promise<Outcome<T>> | undefined;
    if (!p) {
      p = read().then(
        (value): Outcome<T> => ({ ok: true, value }),
        (e: unknown): Outcome<T> => ({ ok: false, error: awsFailure(this.target, e, action, resource) }),
      );
      this.memo.set(key, p);
    }
    return p;
  }

  cluster(): Promise<Outcome<{ arn: string; status: string } | undefined>> {
    const t = this.target;
    return this.once("cluster", "ecs:DescribeClusters", t.cluster, () => this.session.ecs.describeCluster(t.cluster));
  }

  service(): Promise<Outcome<LiveService | undefined>> {
    const t = this.target;
    return this.once("service", "ecs:DescribeServices", `${t.cluster}/${t.service}`, async () =>
      (await this.session.ecs.describeServices(t.cluster, [t.service])).get(t.service),
    );
  }

  /** The service's deployment history (never fails: an unreadable history says why in `unavailable`). */
  history(): Promise<DeploymentHistory> {
    const t = this.target;
    this.historyRead ??= readDeploymentHistory(this.session.ecs, t.cluster, t.service);
    return this.historyRead;
  }

  private historyRead?: Promise<DeploymentHistory>;

  taskDefinition(ref: string): Promise<Outcome<LiveTaskDefinition | undefined>> {
    return this.once(`td:${ref}`, "ecs:DescribeTaskDefinition", ref, () => this.session.ecs.describeTaskDefinition(ref));
  }

  role(arn: string): Promise<Outcome<RoleInfo | undefined>> {
    return this.once(`role:${arn}`, "iam:GetRole", arn, () => this.session.iam.getRole(roleNameOf(arn)));
  }

  /**
   * iam:SimulatePrincipalPolicy of iam:PassRole (to ecs-tasks) for the task AND execution role in
   * one call: both pass-role checks share it (one IAM call per target, not one per role).
   */
  passRoleSimulation(): Promise<Outcome<SimulationResult[]>> {
    const t = this.target;
    const roles = [...new Set([t.taskRole, t.executionRole])];
    return this.once("simulate-pass-role", "iam:SimulatePrincipalPolicy", t.deployRole, () =>
      this.session.iam.simulatePrincipalPolicy(t.deployRole, ["iam:PassRole"], roles, [
        { key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] },
      ]),
    );
  }

  /** The deploy role's identity policies (and boundary), for evaluating PassRole locally. */
  deployRolePolicies(): Promise<Outcome<DeployRolePolicies>> {
    const arn = this.target.deployRole;
    const name = roleNameOf(arn);
    return this.once("deploy-role-policies", "iam:ListRolePolicies", arn, async () => {
      const [inline, attached] = await Promise.all([
        this.session.iam.listInlinePolicies(name).catch((e: unknown) => {
          throw awsFailure(this.target, e, "iam:ListRolePolicies", arn);
        }),
        this.session.iam.listAttachedPolicies(name).catch((e: unknown) => {
          throw awsFailure(this.target, e, "iam:ListAttachedRolePolicies", arn);
        }),
      ]);
      const policies: NamedPolicy[] = [
        ...Object.entries(inline).map(([n, document]) => ({ name: `inline:${n}`, document })),
        ...Object.entries(attached).map(([n, document]) => ({ name: n, document })),
      ];
      // The boundary is only named by GetRole; its document needs a managed-policy read.
      const role = await this.role(arn);
      if (!role.ok) throw role.error;
      const boundaryArn = role.value?.permissionsBoundaryArn;
      if (!boundaryArn) return { policies };
      const fromAttached = attached[boundaryArn];
      if (fromAttached) return { policies, boundaryArn, boundary: { name: `boundary:${boundaryArn}`, document: fromAttached } };
      const getPolicy = this.session.iam.getManagedPolicy?.bind(this.session.iam);
      if (!getPolicy) return { policies, boundaryArn };
      let document: PolicyDocument | undefined;
      try {
        document = await getPolicy(boundaryArn);
      } catch (e) {
        return { policies, boundaryArn, boundaryError: awsFailure(this.target, e, "iam:GetPolicyVersion", boundaryArn) };
      }
      return document ? { policies, boundaryArn, boundary: { name: `boundary:${boundaryArn}`, document } } : { policies, boundaryArn };
    });
  }
}
