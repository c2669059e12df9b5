// The read-only AWS calls several checks (and the observer) need, made at most once per target:
// each is memoised as a promise of an outcome, so checks running in parallel share one request and
// an AWS error is a value to report, not an exception.
import type { DeployerError } from "../errors.js";
import type { Target } from "../config/types.js";
import type {
  ImageDetail,
  KeyMetadata,
  LiveService,
  LiveTaskDefinition,
  LogGroupMetadata,
  ParameterMetadata,
  PolicyDocument,
  RepositoryRef,
  RoleInfo,
  SecretMetadata,
  SimulationContextEntry,
  SimulationResult,
  TargetSession,
} from "../aws/ports.js";
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

/** One iam:SimulatePrincipalPolicy call: the policy source's actions on resources, with a request context. */
export interface SimulationQuestion {
  /** A key naming the question (the same question is asked once). */
  key: string;
  policySourceArn: string;
  actions: string[];
  /** [] = "*" (no ResourceArns). */
  resources: string[];
  context: SimulationContextEntry[];
}

/**
 * The reads every check of a target shares. `session` is whose credentials read and simulate: the
 * viewer role's session when the target has a `viewRole`, else the deploy role's; the deploy role's
 * own permissions are simulated from it with the deploy role as the policy source.
 */
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

  private readonly derived = new Map<string, Promise<unknown>>();

  /** A value several checks derive from these reads (an interpretation of a simulation), computed once. */
  shared<T>(key: string, compute: () => Promise<T>): Promise<T> {
    let p = this.derived.get(key) as Promise<T> | undefined;
    if (!p) {
      p = compute();
      this.derived.set(key, p);
    }
    return p;
  }

  /** One simulation, asked once however many checks read it. */
  simulation(q: SimulationQuestion): Promise<Outcome<SimulationResult[]>> {
    return this.once(`simulate:${q.key}`, "iam:SimulatePrincipalPolicy", q.policySourceArn, () =>
      this.session.iam.simulatePrincipalPolicy(q.policySourceArn, q.actions, q.resources, q.context),
    );
  }

  /** An SSM parameter's metadata (never its value). */
  parameter(region: string, name: string): Promise<Outcome<ParameterMetadata | undefined>> {
    return this.once(`ssm:${region}:${name}`, "ssm:DescribeParameters", name, () => this.session.ssm.describeParameter(region, name));
  }

  /** A Secrets Manager secret's metadata (never its value). */
  secret(region: string, secretId: string): Promise<Outcome<SecretMetadata | undefined>> {
    return this.once(`secret:${region}:${secretId}`, "secretsmanager:DescribeSecret", secretId, () =>
      this.session.secretsManager.describeSecret(region, secretId),
    );
  }

  logGroup(region: string, name: string): Promise<Outcome<LogGroupMetadata | undefined>> {
    return this.once(`logs:${region}:${name}`, "logs:DescribeLogGroups", name, () => this.session.logs.describeLogGroup(region, name));
  }

  kmsKey(region: string, keyId: string): Promise<Outcome<KeyMetadata | undefined>> {
    return this.once(`kms:${region}:${keyId}`, "kms:DescribeKey", keyId, () => this.session.kms.describeKey(region, keyId));
  }

  /** An image of an ECR repository, read with this session (a replica in the target's account). */
  image(repo: RepositoryRef, digest: string): Promise<Outcome<ImageDetail | undefined>> {
    return this.once(`image:${repo.uri}@${digest}`, "ecr:DescribeImages", repo.uri, () => this.session.ecr.findImage(repo, { digest }));
  }

  /** A repository's policy, read with this session (a replica in the target's account). */
  repositoryPolicy(repo: RepositoryRef): Promise<Outcome<PolicyDocument | undefined>> {
    return this.once(`repo-policy:${repo.uri}`, "ecr:GetRepositoryPolicy", repo.uri, () => this.session.ecr.getRepositoryPolicy(repo));
  }

  /** The deploy role's identity policies (and boundary), for evaluating PassRole locally. */
  deployRolePolicies(): Promise<Outcome<DeployRolePolicies>> {
    return this.rolePolicies(this.target.deployRole);
  }

  /** A role's identity policies (inline and attached) and permissions boundary, for local evaluation. */
  rolePolicies(arn: string): Promise<Outcome<DeployRolePolicies>> {
    const name = roleNameOf(arn);
    return this.once(`role-policies:${arn}`, "iam:ListRolePolicies", arn, async () => {
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
