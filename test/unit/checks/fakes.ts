// In-memory fakes of the AWS ports for preflight and observation tests: one FakeAccount per AWS
// account, a FakeSessions factory in front of them. Every call is recorded; write APIs record and
// throw, so a test can assert that observation never writes.
import { DeployerError } from "../../../src/errors.js";
import type {
  AssumeRoleRequest,
  CallerIdentity,
  EcrPort,
  EcsPort,
  IamPort,
  ImageDetail,
  LiveService,
  LiveTaskDefinition,
  PolicyDocument,
  RoleInfo,
  SessionFactory,
  SimulationResult,
  TargetSession,
} from "../../../src/aws/ports.js";
import type { DesiredTarget, Project, Target, TaskDefinitionInput } from "../../../src/config/types.js";

export const DIGEST = `sha256:${"ab".repeat(32)}`;
export const CENTRAL = "111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api";

export function accessDenied(action: string, resource: string): DeployerError {
  return new DeployerError({
    code: "ACCESS_DENIED",
    message: `Access denied: ${action} on ${resource}`,
    action,
    resource,
    awsCode: "AccessDenied",
    awsMessage: "not authorized",
  });
}

export function awsError(code: string, action: string): Error {
  const e = new Error(`${code} from ${action}`);
  e.name = code;
  return e;
}

export interface Call {
  account: string;
  method: string;
  args: unknown[];
}

export class FakeAccount {
  clusters = new Map<string, string>();
  services = new Map<string, LiveService>();
  taskDefinitions = new Map<string, LiveTaskDefinition>();
  roles = new Map<string, RoleInfo>();
  inline = new Map<string, Record<string, PolicyDocument>>();
  attached = new Map<string, Record<string, PolicyDocument>>();
  managed = new Map<string, PolicyDocument>();
  repositories = new Map<string, { images: ImageDetail[]; policy?: PolicyDocument }>();
  /** Decisions iam:SimulatePrincipalPolicy returns, by resource ARN. */
  simulation = new Map<string, string>();
  /** method name -> error it throws. */
  failures = new Map<string, unknown>();
  /** Whether the IamPort offers getManagedPolicy. */
  canReadManagedPolicies = true;

  constructor(
    readonly id: string,
    readonly calls: Call[],
  ) {}

  private call(method: string, args: unknown[]): void {
    this.calls.push({ account: this.id, method, args });
    const f = this.failures.get(method);
    if (f !== undefined) throw f;
  }

  ecs(): EcsPort {
    return {
      describeCluster: async (cluster) => {
        this.call("describeCluster", [cluster]);
        const status = this.clusters.get(cluster);
        return status ? { arn: `arn:aws:ecs:eu-west-1:${this.id}:cluster/${cluster}`, status } : undefined;
      },
      describeServices: async (cluster, services) => {
        this.call("describeServices", [cluster, services]);
        return new Map(services.map((s) => [s, this.services.get(`${cluster}/${s}`)]));
      },
      describeTaskDefinition: async (ref) => {
        this.call("describeTaskDefinition", [ref]);
        const direct = this.taskDefinitions.get(ref);
        if (direct) return direct;
        const active = [...this.taskDefinitions.values()].filter((t) => t.family === ref && t.status === "ACTIVE");
        return active.sort((a, b) => b.revision - a.revision)[0];
      },
      registerTaskDefinition: async (input: TaskDefinitionInput) => {
        this.call("registerTaskDefinition", [input]);
        throw new Error("write API called during observation");
      },
      updateService: async (cluster, service) => {
        this.call("updateService", [cluster, service]);
        throw new Error("write API called during observation");
      },
    };
  }

  ecr(): EcrPort {
    return {
      findImage: async (repo, ref) => {
        this.call("findImage", [repo.uri, ref]);
        const r = this.repositories.get(repo.uri);
        if (!r) {
          throw new DeployerError({
            code: "IMAGE_NOT_FOUND",
            message: `Repository ${repo.name} does not exist`,
            action: "ecr:DescribeImages",
            resource: repo.uri,
            awsCode: "RepositoryNotFoundException",
          });
        }
        return r.images.find((i) => ("tag" in ref ? i.tags.includes(ref.tag) : i.digest === ref.digest));
      },
      getRepositoryPolicy: async (repo) => {
        this.call("getRepositoryPolicy", [repo.uri]);
        return this.repositories.get(repo.uri)?.policy;
      },
    };
  }

  iam(): IamPort {
    const port: IamPort = {
      getRole: async (name) => {
        this.call("getRole", [name]);
        return this.roles.get(name);
      },
      simulatePrincipalPolicy: async (source, actions, resources, context) => {
        this.call("simulatePrincipalPolicy", [source, actions, resources, context]);
        return resources.map((resource): SimulationResult => ({
          action: actions[0]!,
          resource,
          decision: this.simulation.get(resource) ?? "implicitDeny",
          matchedStatements: [],
        }));
      },
      listInlinePolicies: async (name) => {
        this.call("listInlinePolicies", [name]);
        return this.inline.get(name) ?? {};
      },
      listAttachedPolicies: async (name) => {
        this.call("listAttachedPolicies", [name]);
        return this.attached.get(name) ?? {};
      },
    };
    if (this.canReadManagedPolicies) {
      port.getManagedPolicy = async (arn) => {
        this.call("getManagedPolicy", [arn]);
        return this.managed.get(arn);
      };
    }
    return port;
  }
}

export class FakeWorld {
  readonly calls: Call[] = [];
  readonly accounts = new Map<string, FakeAccount>();
  /** role ARN -> error thrown by assuming it. */
  assumeFailures = new Map<string, unknown>();
  assumed: AssumeRoleRequest[] = [];
  baseCalls = 0;

  account(id: string): FakeAccount {
    let a = this.accounts.get(id);
    if (!a) {
      a = new FakeAccount(id, this.calls);
      this.accounts.set(id, a);
    }
    return a;
  }

  sessions(): SessionFactory {
    const identity = (arn: string): CallerIdentity => ({ account: arn.split(":")[4]!, arn, userId: "AROAFAKE:deployer" });
    return {
      base: async () => {
        this.baseCalls++;
        return { ecr: this.account("111111111111").ecr(), identity: identity("arn:aws:iam::111111111111:role/github-ci") };
      },
      registry: async (req) => {
        this.assumed.push(req);
        const f = this.assumeFailures.get(req.roleArn);
        if (f !== undefined) throw f;
        return { ecr: this.account(req.roleArn.split(":")[4]!).ecr(), identity: identity(req.roleArn) };
      },
      target: async (req): Promise<TargetSession> => {
        this.assumed.push(req);
        const f = this.assumeFailures.get(req.roleArn);
        if (f !== undefined) throw f;
        const acct = this.account(req.roleArn.split(":")[4]!);
        const name = req.roleArn.split("/").pop()!;
        return {
          ecs: acct.ecs(),
          ecr: acct.ecr(),
          iam: acct.iam(),
          identity: identity(`arn:aws:sts::${acct.id}:assumed-role/${name}/${req.sessionName}`),
        };
      },
    };
  }

  writes(): Call[] {
    return this.calls.filter((c) => c.method === "registerTaskDefinition" || c.method === "updateService");
  }
}

const doc = (...Statement: PolicyDocument["Statement"][]): PolicyDocument => ({ Version: "2012-10-17", Statement: Statement.flat() });

export function ecsTrustPolicy(account: string): PolicyDocument {
  return doc({
    Effect: "Allow",
    Principal: { Service: "ecs-tasks.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "aws:SourceAccount": account } },
  });
}

export function makeTarget(overrides: Partial<Target> = {}): Target {
  const account = overrides.account ?? "222222222222";
  return {
    name: "dev",
    file: "/repo/environments/dev.yaml",
    stage: "dev",
    account,
    region: "eu-west-1",
    cluster: "shop-dev",
    service: "api",
    deployRole: `arn:aws:iam::${account}:role/deployer`,
    externalId: "shop-deployer-dev",
    taskRole: `arn:aws:iam::${account}:role/shop-api-task`,
    executionRole: `arn:aws:iam::${account}:role/shop-api-exec`,
    vars: {},
    sensitive: [],
    locations: {
      taskRole: { file: "/repo/environments/dev.yaml", line: 8, column: 1 },
      executionRole: { file: "/repo/environments/dev.yaml", line: 9, column: 1 },
      externalId: { file: "/repo/environments/dev.yaml", line: 7, column: 1 },
      deployRole: { file: "/repo/environments/dev.yaml", line: 6, column: 1 },
      cluster: { file: "/repo/environments/dev.yaml", line: 4, column: 1 },
      service: { file: "/repo/environments/dev.yaml", line: 5, column: 1 },
      imageRepository: { file: "/repo/environments/dev.yaml", line: 10, column: 1 },
    },
    ...overrides,
  };
}

export function makeProject(targets: Target[], image: Partial<Project["config"]["image"]> = {}): Project {
  return {
    config: {
      file: "/repo/deployer.yaml",
      rootDir: "/repo",
      service: "shop-api",
      template: "/repo/templates/task-definition.json.hbs",
      image: { repository: CENTRAL, ...image },
      stages: [{ name: "dev" }],
      environmentsDir: "/repo/environments",
    },
    targets,
    template: { file: "/repo/templates/task-definition.json.hbs", source: "{}" },
  };
}

export function makeDesired(target: Target, overrides: Partial<TaskDefinitionInput> = {}): DesiredTarget {
  const imageRef = `${target.imageRepository ?? CENTRAL}@${DIGEST}`;
  return {
    target,
    image: { repository: CENTRAL, tag: "3f2a9c1", digest: DIGEST },
    imageRef,
    taskDefinition: {
      family: "shop-api",
      taskRoleArn: target.taskRole,
      executionRoleArn: target.executionRole,
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      cpu: "256",
      memory: "512",
      containerDefinitions: [{ name: "app", image: imageRef, essential: true }],
      ...overrides,
    },
  };
}

export function liveTaskDefinition(account: string, revision: number, def: Record<string, unknown>, status = "ACTIVE"): LiveTaskDefinition {
  const family = (def.family as string | undefined) ?? "shop-api";
  return {
    arn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${family}:${revision}`,
    family,
    revision,
    status,
    raw: { ...def, taskDefinitionArn: `arn:aws:ecs:eu-west-1:${account}:task-definition/${family}:${revision}`, revision, status },
    tags: { "deployer:run-id": "old" },
  };
}

export function liveService(account: string, cluster: string, taskDefinition: string, overrides: Partial<LiveService> = {}): LiveService {
  return {
    arn: `arn:aws:ecs:eu-west-1:${account}:service/${cluster}/api`,
    name: "api",
    clusterArn: `arn:aws:ecs:eu-west-1:${account}:cluster/${cluster}`,
    status: "ACTIVE",
    taskDefinition,
    desiredCount: 1,
    runningCount: 1,
    pendingCount: 0,
    deploymentController: "ECS",
    deployments: [
      {
        id: "ecs-svc/1",
        status: "PRIMARY",
        taskDefinition,
        rolloutState: "COMPLETED",
        desiredCount: 1,
        runningCount: 1,
        pendingCount: 0,
        failedTasks: 0,
      },
    ],
    events: [],
    ...overrides,
  };
}

/**
 * A healthy target account: cluster + service running revision 1, both roles trusting ECS, the deploy
 * role allowed to pass both (by simulation), and the central repository granting the account.
 */
export function healthyWorld(target: Target = makeTarget(), world: FakeWorld = new FakeWorld()): FakeWorld {
  const acct = world.account(target.account);
  acct.clusters.set(target.cluster, "ACTIVE");
  const td = liveTaskDefinition(target.account, 1, {
    family: "shop-api",
    containerDefinitions: [{ name: "app", image: `${CENTRAL}@sha256:${"00".repeat(32)}` }],
  });
  acct.taskDefinitions.set(td.arn, td);
  acct.services.set(`${target.cluster}/${target.service}`, liveService(target.account, target.cluster, td.arn));
  for (const arn of [target.taskRole, target.executionRole]) {
    const name = arn.split("/").pop()!;
    acct.roles.set(name, { arn, name, trustPolicy: ecsTrustPolicy(target.account) });
    acct.simulation.set(arn, "allowed");
  }
  acct.roles.set("deployer", {
    arn: target.deployRole,
    name: "deployer",
    trustPolicy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::111111111111:root" }, Action: "sts:AssumeRole" }),
  });
  const central = world.account("111111111111");
  central.repositories.set(CENTRAL, {
    images: [{ digest: DIGEST, tags: ["3f2a9c1", "latest"] }],
    policy: doc({
      Sid: "PullFromTargets",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${target.account}:root` },
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
    }),
  });
  return world;
}
