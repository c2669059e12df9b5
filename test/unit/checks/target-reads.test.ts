// The reads every check of a target shares (src/checks/target-reads.ts): each AWS call made at most
// once however many checks ask (concurrently too), an AWS error a value naming the action, the
// resource, the target and its account — never an exception, never a pass — and the deploy role's
// policies (inline, attached, boundary) read for the local evaluation.
import { describe, expect, it } from "vitest";
import { TargetReads, type SimulationQuestion } from "../../../src/checks/target-reads.js";
import { awsException, doc, FakeWorld, healthyWorld } from "../../helpers/fake-aws.js";
import { CENTRAL, DIGEST, makeTarget } from "../../helpers/factories.js";
import type { RepositoryRef } from "../../../src/aws/ports.js";

const A = "222222222222";
const target = makeTarget({ name: "prod", account: A });
const REPO: RepositoryRef = { registryId: "111111111111", region: "eu-west-1", name: "shop/api", uri: CENTRAL };
const BOUNDARY = `arn:aws:iam::${A}:policy/cap`;
const allowAll = doc({ Sid: "All", Effect: "Allow", Action: "*", Resource: "*" });
const allowEcs = doc({ Sid: "Ecs", Effect: "Allow", Action: "ecs:*", Resource: "*" });

async function readsFor(world: FakeWorld = healthyWorld(target)) {
  const session = await world.sessions().target({ roleArn: target.deployRole, region: target.region, sessionName: "t" });
  const reads = new TargetReads(target, session);
  const calls = (method: string) => world.calls.filter((c) => c.method === method);
  return { reads, world, acct: world.account(A), calls };
}

const denied = () => awsException("AccessDeniedException", "User is not authorized to perform this action");

describe("TargetReads: each read once, errors as values", () => {
  it("cluster: DescribeClusters of the target's cluster, asked once for concurrent checks", async () => {
    const { reads, calls } = await readsFor();
    const [a, b] = await Promise.all([reads.cluster(), reads.cluster()]);
    expect(a).toEqual({ ok: true, value: { arn: `arn:aws:ecs:eu-west-1:${A}:cluster/shop-dev`, status: "ACTIVE" } });
    expect(b).toBe(a);
    expect(calls("describeCluster").map((c) => c.args)).toEqual([["shop-dev"]]);
  });

  it("cluster: an AWS error is an outcome naming the action, resource, target and account", async () => {
    const { reads, acct } = await readsFor();
    acct.failures.set("describeCluster", denied());
    const r = await reads.cluster();
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({
      code: "ACCESS_DENIED",
      action: "ecs:DescribeClusters",
      resource: "shop-dev",
      target: "prod",
      account: A,
      awsCode: "AccessDeniedException",
    });
  });

  it("service: the target's service from DescribeServices of its cluster; undefined when missing", async () => {
    const { reads, calls } = await readsFor();
    const r = await reads.service();
    expect(r.ok && r.value?.name).toBe("api");
    await reads.service();
    expect(calls("describeServices").map((c) => c.args)).toEqual([["shop-dev", ["api"]]]);
    const gone = await readsFor();
    gone.acct.services.clear();
    expect(await gone.reads.service()).toEqual({ ok: true, value: undefined });
  });

  it("service: an error names ecs:DescribeServices on CLUSTER/SERVICE", async () => {
    const { reads, acct } = await readsFor();
    acct.failures.set("describeServices", denied());
    expect(await reads.service()).toMatchObject({
      ok: false,
      error: { action: "ecs:DescribeServices", resource: "shop-dev/api", target: "prod" },
    });
  });

  it("taskDefinition: once per reference; different references are different reads", async () => {
    const { reads, calls } = await readsFor();
    const arn = `arn:aws:ecs:eu-west-1:${A}:task-definition/shop-api:1`;
    const [a, b, c] = await Promise.all([reads.taskDefinition(arn), reads.taskDefinition(arn), reads.taskDefinition("shop-api")]);
    expect(a.ok && a.value?.arn).toBe(arn);
    expect(b).toBe(a);
    expect(c.ok && c.value?.revision).toBe(1);
    expect(calls("describeTaskDefinition").map((x) => x.args)).toEqual([[arn], ["shop-api"]]);
    expect(await reads.taskDefinition("shop-api:9")).toEqual({ ok: true, value: undefined });
  });

  it("taskDefinition: an error names ecs:DescribeTaskDefinition on the reference", async () => {
    const { reads, acct } = await readsFor();
    acct.failures.set("describeTaskDefinition", denied());
    expect(await reads.taskDefinition("shop-api:3")).toMatchObject({
      ok: false,
      error: { action: "ecs:DescribeTaskDefinition", resource: "shop-api:3" },
    });
  });

  it("role: GetRole of the role's name (a path stripped), once per ARN; an error names iam:GetRole on the ARN", async () => {
    const { reads, calls, acct } = await readsFor();
    const r = await reads.role(target.taskRole);
    expect(r.ok && r.value?.arn).toBe(target.taskRole);
    await reads.role(target.taskRole);
    expect(await reads.role(`arn:aws:iam::${A}:role/team/x/missing`)).toEqual({ ok: true, value: undefined });
    expect(calls("getRole").map((c) => c.args)).toEqual([["shop-api-task"], ["missing"]]);
    acct.failures.set("getRole", denied());
    expect(await reads.role(target.executionRole)).toMatchObject({
      ok: false,
      error: { action: "iam:GetRole", resource: target.executionRole },
    });
  });

  it("history: read once, never throws (this endpoint's ECS has no service-deployment API: unavailable says so)", async () => {
    const { reads } = await readsFor();
    const a = reads.history();
    expect(reads.history()).toBe(a);
    const h = await a;
    expect(h.entries).toEqual([]);
    expect(h.unavailable?.action).toBe("ecs:ListServiceDeployments");
  });

  it("history: of the target's cluster and service", async () => {
    const seen: unknown[][] = [];
    const world = healthyWorld(target);
    const session = await world.sessions().target({ roleArn: target.deployRole, region: target.region, sessionName: "t" });
    const ecs = Object.assign(Object.create(session.ecs) as typeof session.ecs, {
      listServiceDeployments: async (...args: unknown[]) => {
        seen.push(args);
        return [];
      },
      describeServiceDeployments: async () => [],
      describeServiceRevisions: async () => [],
    });
    const reads = new TargetReads(target, { ...session, ecs });
    expect(await reads.history()).toEqual({ entries: [] });
    expect(seen).toEqual([["shop-dev", "api", { maxResults: 20 }]]);
  });

  it("shared: a value derived once per key, however many checks ask", async () => {
    const { reads } = await readsFor();
    let computed = 0;
    const compute = async () => ++computed;
    const [a, b] = await Promise.all([reads.shared("x", compute), reads.shared("x", compute)]);
    expect([a, b]).toEqual([1, 1]);
    expect(await reads.shared("y", compute)).toBe(2);
    expect(computed).toBe(2);
  });

  it("simulation: one SimulatePrincipalPolicy per question key, with the question's source, actions, resources and context", async () => {
    const { reads, calls, acct } = await readsFor();
    const q: SimulationQuestion = {
      key: "deploy-role",
      policySourceArn: target.deployRole,
      actions: ["iam:PassRole"],
      resources: [target.taskRole],
      context: [{ key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] }],
    };
    const [a, b] = await Promise.all([reads.simulation(q), reads.simulation({ ...q })]);
    expect(a).toMatchObject({ ok: true, value: [{ action: "iam:PassRole", resource: target.taskRole, decision: "allowed" }] });
    expect(b).toBe(a);
    expect(calls("simulatePrincipalPolicy").map((c) => c.args)).toEqual([[q.policySourceArn, q.actions, q.resources, q.context]]);
    await reads.simulation({ ...q, key: "other" });
    expect(calls("simulatePrincipalPolicy")).toHaveLength(2);
    acct.failures.set("simulatePrincipalPolicy", denied());
    expect(await reads.simulation({ ...q, key: "third" })).toMatchObject({
      ok: false,
      error: { code: "ACCESS_DENIED", action: "iam:SimulatePrincipalPolicy", resource: target.deployRole, target: "prod" },
    });
  });

  it("launch-time metadata: SSM, Secrets Manager, Logs, KMS, once per region and name, errors naming their action", async () => {
    const { reads, calls, acct } = await readsFor();
    acct.parameters.set("eu-west-1 /shop-api/db", { name: "/shop-api/db", type: "SecureString" });
    acct.logGroups.add("eu-west-1 /ecs/shop-api/prod");
    expect(await reads.parameter("eu-west-1", "/shop-api/db")).toMatchObject({ ok: true, value: { name: "/shop-api/db" } });
    expect(await reads.parameter("us-east-1", "/shop-api/db")).toEqual({ ok: true, value: undefined });
    expect(calls("describeParameter").map((c) => c.args)).toEqual([
      ["eu-west-1", "/shop-api/db"],
      ["us-east-1", "/shop-api/db"],
    ]);
    expect(await reads.logGroup("eu-west-1", "/ecs/shop-api/prod")).toMatchObject({ ok: true, value: { name: "/ecs/shop-api/prod" } });
    await reads.logGroup("eu-west-1", "/ecs/shop-api/prod");
    expect(await reads.logGroup("eu-west-1", "/ecs/other")).toEqual({ ok: true, value: undefined });
    expect(calls("describeLogGroup")).toHaveLength(2);
    expect(await reads.secret("eu-west-1", "db")).toEqual({ ok: true, value: undefined });
    await reads.secret("eu-west-1", "db");
    await reads.secret("eu-central-1", "db");
    expect(calls("describeSecret").map((c) => c.args)).toEqual([
      ["eu-west-1", "db"],
      ["eu-central-1", "db"],
    ]);
    expect(await reads.kmsKey("eu-west-1", "alias/x")).toEqual({ ok: true, value: undefined });
    await reads.kmsKey("eu-west-1", "alias/x");
    await reads.kmsKey("eu-west-1", "alias/y");
    expect(calls("describeKey").map((c) => c.args)).toEqual([
      ["eu-west-1", "alias/x"],
      ["eu-west-1", "alias/y"],
    ]);

    for (const m of ["describeParameter", "describeSecret", "describeLogGroup", "describeKey"]) acct.failures.set(m, denied());
    expect(await reads.parameter("eu-west-1", "/p")).toMatchObject({
      ok: false,
      error: { action: "ssm:DescribeParameters", resource: "/p" },
    });
    expect(await reads.secret("eu-west-1", "s")).toMatchObject({
      ok: false,
      error: { action: "secretsmanager:DescribeSecret", resource: "s" },
    });
    expect(await reads.logGroup("eu-west-1", "/l")).toMatchObject({
      ok: false,
      error: { action: "logs:DescribeLogGroups", resource: "/l" },
    });
    expect(await reads.kmsKey("eu-west-1", "k")).toMatchObject({ ok: false, error: { action: "kms:DescribeKey", resource: "k" } });
  });

  it("ECR with this session: an image by digest and a repository's policy, once each; errors name ecr:DescribeImages / ecr:GetRepositoryPolicy", async () => {
    const world = healthyWorld(target);
    world.account(A).repositories.set(CENTRAL, { images: [{ digest: DIGEST, tags: ["3f2a9c1"] }], policy: allowAll });
    const { reads, calls, acct } = await readsFor(world);
    expect(await reads.image(REPO, DIGEST)).toEqual({ ok: true, value: { digest: DIGEST, tags: ["3f2a9c1"] } });
    await reads.image(REPO, DIGEST);
    expect(await reads.image(REPO, `sha256:${"cd".repeat(32)}`)).toEqual({ ok: true, value: undefined });
    expect(calls("findImage").map((c) => c.args)).toEqual([
      [CENTRAL, { digest: DIGEST }],
      [CENTRAL, { digest: `sha256:${"cd".repeat(32)}` }],
    ]);
    expect(await reads.repositoryPolicy(REPO)).toEqual({ ok: true, value: allowAll });
    await reads.repositoryPolicy(REPO);
    expect(calls("getRepositoryPolicy")).toHaveLength(1);

    acct.failures.set("findImage", denied());
    acct.failures.set("getRepositoryPolicy", denied());
    const other = { ...REPO, name: "shop/web", uri: CENTRAL.replace("shop/api", "shop/web") };
    expect(await reads.image(other, DIGEST)).toMatchObject({ ok: false, error: { action: "ecr:DescribeImages", resource: other.uri } });
    expect(await reads.repositoryPolicy(other)).toMatchObject({
      ok: false,
      error: { action: "ecr:GetRepositoryPolicy", resource: other.uri },
    });
  });
});

describe("rolePolicies / deployRolePolicies: a role's policies for the local evaluation", () => {
  it("inline policies as inline:NAME, attached ones by ARN; no boundary", async () => {
    const { reads, acct, calls } = await readsFor();
    acct.inline.set("deployer", { deploy: allowEcs });
    acct.attached.set("deployer", { [`arn:aws:iam::${A}:policy/all`]: allowAll });
    const r = await reads.deployRolePolicies();
    expect(r).toEqual({
      ok: true,
      value: {
        policies: [
          { name: "inline:deploy", document: allowEcs },
          { name: `arn:aws:iam::${A}:policy/all`, document: allowAll },
        ],
      },
    });
    // The deploy role's own reads, once (rolePolicies of the same ARN is the same read).
    expect(await reads.rolePolicies(target.deployRole)).toBe(r);
    expect(calls("listInlinePolicies").map((c) => c.args)).toEqual([["deployer"]]);
    expect(calls("listAttachedPolicies").map((c) => c.args)).toEqual([["deployer"]]);
  });

  it("another role by its name, read apart from the deploy role's", async () => {
    const { reads, acct } = await readsFor();
    acct.inline.set("shop-api-exec", { pull: allowEcs });
    acct.inline.set("deployer", { deploy: allowAll });
    expect(await reads.deployRolePolicies()).toEqual({ ok: true, value: { policies: [{ name: "inline:deploy", document: allowAll }] } });
    expect(await reads.rolePolicies(target.executionRole)).toEqual({
      ok: true,
      value: { policies: [{ name: "inline:pull", document: allowEcs }] },
    });
  });

  it("the boundary, when it is also attached, from the attached documents (no extra read)", async () => {
    const { reads, acct, calls } = await readsFor();
    acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    acct.attached.set("deployer", { [BOUNDARY]: allowEcs });
    const r = await reads.deployRolePolicies();
    expect(r).toEqual({
      ok: true,
      value: {
        policies: [{ name: BOUNDARY, document: allowEcs }],
        boundaryArn: BOUNDARY,
        boundary: { name: `boundary:${BOUNDARY}`, document: allowEcs },
      },
    });
    expect(calls("getManagedPolicy")).toEqual([]);
  });

  it("the boundary read as a managed policy", async () => {
    const { reads, acct, calls } = await readsFor();
    acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    acct.managed.set(BOUNDARY, allowEcs);
    expect(await reads.deployRolePolicies()).toEqual({
      ok: true,
      value: { policies: [], boundaryArn: BOUNDARY, boundary: { name: `boundary:${BOUNDARY}`, document: allowEcs } },
    });
    expect(calls("getManagedPolicy").map((c) => c.args)).toEqual([[BOUNDARY]]);
  });

  it("a boundary that cannot be read: its ARN, no document (the evaluation must not pass on it)", async () => {
    const noPort = await readsFor();
    noPort.acct.canReadManagedPolicies = false;
    noPort.acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    const fresh = await readsFor(noPort.world);
    expect(await fresh.reads.deployRolePolicies()).toEqual({ ok: true, value: { policies: [], boundaryArn: BOUNDARY } });

    const missing = await readsFor();
    missing.acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    expect(await missing.reads.deployRolePolicies()).toEqual({ ok: true, value: { policies: [], boundaryArn: BOUNDARY } });

    const refused = await readsFor();
    refused.acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    refused.acct.failures.set("getManagedPolicy", denied());
    const r = await refused.reads.deployRolePolicies();
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.boundary).toBeUndefined();
    expect(r.value.boundaryArn).toBe(BOUNDARY);
    expect(r.value.boundaryError).toMatchObject({
      code: "ACCESS_DENIED",
      action: "iam:GetPolicyVersion",
      resource: BOUNDARY,
      target: "prod",
    });
  });

  it("fails naming the call that failed: ListRolePolicies, ListAttachedRolePolicies, or GetRole", async () => {
    for (const [method, action] of [
      ["listInlinePolicies", "iam:ListRolePolicies"],
      ["listAttachedPolicies", "iam:ListAttachedRolePolicies"],
      ["getRole", "iam:GetRole"],
    ] as const) {
      const { reads, acct } = await readsFor();
      acct.failures.set(method, denied());
      const r = await reads.deployRolePolicies();
      expect(r, method).toMatchObject({
        ok: false,
        error: { code: "ACCESS_DENIED", action, resource: target.deployRole, target: "prod", account: A },
      });
    }
  });
});
