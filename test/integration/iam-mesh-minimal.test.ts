// `deployer iam` is minimal, and preflight knows it (issue 18, "Done when"): the JSON `deployer iam`
// writes is applied to the sandbox (POST /_sandbox/iam/apply); then, one at a time, each action the
// mesh grants to the dev target's roles, to the CI role and in the central repository's policy is
// taken away again (POST /_sandbox/iam/remove-action) and `deployer check --strict` must fail on the
// check the table names, with no write sent to AWS.
//
// CAUGHT lists (action -> the check that catches its absence). NOT_CAUGHT lists the actions whose
// absence main's preflight cannot see today, each with the reason; for the rows whose role preflight
// already uses, the test runs `check` and asserts it still passes, so a new check that starts catching
// one (a simulated ecs:StopServiceDeployment, a history check…) fails this test until its row is moved
// to CAUGHT. Since issue 18's viewer roles, check reads as dev's viewer role and never assumes the
// deploy role: the deploy role's rows caught are those its simulation answers (PassRole, the writes,
// its own reads) and its trust, read as the viewer and evaluated for the CI role. A third test asserts
// that the two tables together hold every action of the generated documents, so no granted action goes
// unaccounted for. Two more scenarios: dev's service deploying BLUE_GREEN (ecs:StopServiceDeployment
// and the history are NG there), and dev's tasks assuming a role of staging (staging's viewer reads its trust).
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { DEMO_FIXTURE, startSandbox, type Fixture, type Sandbox } from "../../sandbox/index.js";
import { loadFixtureFile } from "../../sandbox/fixture.js";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";
import { exampleRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";

const CI = "111111111111";
const DEV = "222222222222";

/** Where an action is granted: a role's inline policy, a role's trust policy, or the central repository's policy. */
type Where =
  | { account: string; role: string; policy: string }
  | { account: string; role: string; trust: true }
  | { account: string; repository: { region: string; name: string } };

const deployRole = { account: DEV, role: "deployer", policy: "deploy" };
const deployTrust = { account: DEV, role: "deployer", trust: true as const };
const viewRole = { account: DEV, role: "deployer-viewer", policy: "view" };
const viewTrust = { account: DEV, role: "deployer-viewer", trust: true as const };
const taskTrust = { account: DEV, role: "shop-api-task", trust: true as const };
const execRole = { account: DEV, role: "shop-api-exec", policy: "execution" };
const execTrust = { account: DEV, role: "shop-api-exec", trust: true as const };
const ciRole = { account: CI, role: "deployer-ci", policy: "deployer-ci" };
const ciTrust = { account: CI, role: "deployer-ci", trust: true as const };
const planRole = { account: CI, role: "deployer-plan", policy: "deployer-plan" };
const planTrust = { account: CI, role: "deployer-plan", trust: true as const };
const centralRepository = { account: CI, repository: { region: "eu-west-1", name: "shop/api" } };

/** The check `deployer check` fails on (verdict "unverified" fails it too: the test runs with --strict), or the error it stops with. */
type Expected = { checks: Array<{ id: string; verdict: "fail" | "unverified"; code: string }> } | { error: string };

interface CaughtRow {
  where: Where;
  action: string;
  expect: Expected;
}

const fails = (code: string, ...ids: string[]): Expected => ({ checks: ids.map((id) => ({ id, verdict: "fail" as const, code })) });
const unverified = (code: string, ...ids: string[]): Expected => ({
  checks: ids.map((id) => ({ id, verdict: "unverified" as const, code })),
});

/** Taken away, `deployer check --strict` for dev fails on the named check (the lead adds rows as checks land). */
const CAUGHT: CaughtRow[] = [
  // the CI role
  // (the CI role assumes dev's viewer role: check only reads, issue 18)
  { where: ciRole, action: "sts:AssumeRole", expect: fails("ASSUME_ROLE_DENIED", "assume-view-role") },
  { where: ciRole, action: "ecr:DescribeImages", expect: { error: "ACCESS_DENIED" } },
  { where: ciRole, action: "ecr:GetRepositoryPolicy", expect: unverified("ACCESS_DENIED", "image-pull") },
  // the central repository's policy
  { where: centralRepository, action: "ecr:BatchGetImage", expect: fails("IMAGE_NOT_PULLABLE", "image-pull") },
  { where: centralRepository, action: "ecr:GetDownloadUrlForLayer", expect: fails("IMAGE_NOT_PULLABLE", "image-pull") },
  // dev's deploy role: check reads as the viewer role and simulates the deploy role's policies from it
  { where: deployRole, action: "iam:PassRole", expect: fails("PASSROLE_DENIED", "pass-role:taskRole", "pass-role:executionRole") },
  // the deploy role's writes, simulated (issue 13)
  ...(["ecs:RegisterTaskDefinition", "ecs:TagResource", "ecs:UpdateService"] as const).map((action) => ({
    where: deployRole,
    action,
    expect: fails("ACCESS_DENIED", `deploy-role-permissions:${action}`),
  })),
  // the deploy role's own reads during a rollout and a rollback, simulated: DescribeServices is needed to
  // update and wait (NG); without the history or DescribeTaskDefinition a rollback falls back (WARN)
  { where: deployRole, action: "ecs:DescribeServices", expect: fails("ACCESS_DENIED", "deploy-role-permissions:ecs:DescribeServices") },
  ...(
    ["ecs:DescribeTaskDefinition", "ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"] as const
  ).map((action) => ({
    where: deployRole,
    action,
    expect: unverified("ACCESS_DENIED", `deploy-role-permissions:${action}`),
  })),
  // the one-off task calls (issue 17): dev/api plans its migrate task, so the simulation asks them
  ...(["ecs:RunTask", "ecs:DescribeTasks", "ecs:StopTask"] as const).map((action) => ({
    where: deployRole,
    action,
    expect: fails("ACCESS_DENIED", `deploy-role-permissions:${action}`),
  })),
  // the deploy role's trust, read with iam:GetRole as the viewer and evaluated for deployer-ci (check never assumes the deploy role)
  { where: deployTrust, action: "sts:AssumeRole", expect: fails("ASSUME_ROLE_DENIED", "assume-role") },
  // dev's viewer role: what preflight reads with it (issue 18), and its metadata reads of what the tasks need at launch (issue 13)
  { where: viewTrust, action: "sts:AssumeRole", expect: fails("ASSUME_ROLE_DENIED", "assume-view-role") },
  { where: viewRole, action: "ecs:DescribeClusters", expect: fails("ACCESS_DENIED", "service") },
  { where: viewRole, action: "ecs:DescribeServices", expect: fails("ACCESS_DENIED", "service") },
  { where: viewRole, action: "ecs:DescribeTaskDefinition", expect: fails("ACCESS_DENIED", "live-task-definition") },
  {
    where: viewRole,
    action: "iam:GetRole",
    expect: unverified("ACCESS_DENIED", "trust:taskRole", "trust:executionRole", "assume-role"),
  },
  // an unreadable deployment history: the rollback target would come from the provenance tag only (WARN for a rolling service)
  ...["ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"].map((action) => ({
    where: viewRole,
    action,
    expect: unverified("ACCESS_DENIED", "service"),
  })),
  {
    where: viewRole,
    action: "iam:SimulatePrincipalPolicy",
    expect: unverified("PASSROLE_UNVERIFIED", "pass-role:taskRole", "pass-role:executionRole"),
  },
  { where: viewRole, action: "ssm:DescribeParameters", expect: unverified("ACCESS_DENIED", "secrets:app/DATABASE_URL") },
  { where: viewRole, action: "logs:DescribeLogGroups", expect: unverified("ACCESS_DENIED", "logs:app") },
  // the task role's policies, read to find the roles of other accounts it assumes: unreadable, and
  // dev declaring no taskAssumes, whether the task assumes one is unknown (check task-assumes WARN)
  ...["iam:ListRolePolicies", "iam:ListAttachedRolePolicies"].map((action) => ({
    where: viewRole,
    action,
    expect: unverified("ACCESS_DENIED", "task-assumes"),
  })),
  // the network dev/api's migrate task runs in (check task-network, issue 17)
  ...["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"].map((action) => ({
    where: viewRole,
    action,
    expect: unverified("ACCESS_DENIED", "task-network"),
  })),
  // the execution role, simulated (issue 13)
  ...["ecr:GetAuthorizationToken", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"].map((action) => ({
    where: execRole,
    action,
    expect: fails("EXECUTION_ROLE_DENIED", "image-pull:execution-role"),
  })),
  ...["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({
    where: execRole,
    action,
    expect: fails("EXECUTION_ROLE_DENIED", "logs:app"),
  })),
  { where: execRole, action: "ssm:GetParameters", expect: fails("EXECUTION_ROLE_DENIED", "secrets:app/DATABASE_URL") },
  // dev's task and execution roles
  { where: taskTrust, action: "sts:AssumeRole", expect: fails("ROLE_NOT_TRUSTED", "trust:taskRole") },
  { where: execTrust, action: "sts:AssumeRole", expect: fails("ROLE_NOT_TRUSTED", "trust:executionRole") },
];

interface NotCaughtRow {
  where: Where;
  action: string;
  why: string;
  /** true: preflight runs with this role today, so `check` is run and must still pass (the row's sentinel). */
  sentinel: boolean;
}

const PLAN_ROLE = "the pull-request role serves plan jobs (as the viewer roles); this test's check runs as deployer-ci";

/** Taken away, main's preflight does not notice (yet): the report of issue 18 lists them. */
const NOT_CAUGHT: NotCaughtRow[] = [
  {
    where: ciRole,
    action: "sts:TagSession",
    sentinel: true,
    why: "deployer assumes the role again without session tags (src/aws/session.ts): only CloudTrail attribution is lost",
  },
  {
    where: deployTrust,
    action: "sts:TagSession",
    sentinel: true,
    why: "deployer assumes the role again without session tags (src/aws/session.ts): only CloudTrail attribution is lost",
  },
  {
    where: viewTrust,
    action: "sts:TagSession",
    sentinel: true,
    why: "deployer assumes the role again without session tags (src/aws/session.ts): only CloudTrail attribution is lost",
  },
  {
    where: deployRole,
    action: "ecs:StopServiceDeployment",
    sentinel: true,
    why: "only a BLUE_GREEN / LINEAR / CANARY rollback sends it, and dev rolls: preflight simulates it for such services only (BLUE_GREEN_CAUGHT below)",
  },
  ...["iam:GetRolePolicy", "iam:GetPolicy", "iam:GetPolicyVersion"].map((action) => ({
    where: viewRole,
    action,
    sentinel: true,
    why: "dev's task role has no inline and no attached policy: there is nothing to read with it (ListRolePolicies and ListAttachedRolePolicies are CAUGHT)",
  })),
  {
    where: viewRole,
    action: "kms:DescribeKey",
    sentinel: true,
    why: "dev's parameter is encrypted with the AWS managed key alias/aws/ssm: preflight reads a key only when it is customer managed",
  },
  { where: ciTrust, action: "sts:AssumeRoleWithWebIdentity", sentinel: false, why: "the job gets no credentials at all: not preflight's" },
  { where: planTrust, action: "sts:AssumeRoleWithWebIdentity", sentinel: false, why: PLAN_ROLE },
  ...["sts:AssumeRole", "sts:TagSession", "ecr:DescribeImages", "ecr:GetRepositoryPolicy"].map((action) => ({
    where: planRole,
    action,
    sentinel: false,
    why: PLAN_ROLE,
  })),
];

const whereText = (w: Where) =>
  "repository" in w ? `repository ${w.repository.region}/${w.repository.name}` : `${w.role} ${"trust" in w ? "trust" : w.policy}`;
const rowKey = (w: Where, action: string) => `${w.account} ${whereText(w)} ${action}`;

let out: string;
let mesh: { accounts: Array<Record<string, unknown>> };

/** One sandbox with the generated mesh applied, and the deploy CI role's credentials in it. */
interface Env {
  sb: Sandbox;
  ciEnv: Record<string, string>;
  /** The deploy repository `check` runs in (default: the example project). */
  cwd?: string;
  /** The mesh applied (default: the example project's). */
  mesh?: typeof mesh;
  /** Applied after the mesh each time: what the mesh leaves to the user (a task role's own policy). */
  extra?: unknown;
}
let rolling: Env;

async function admin(env: Env, route: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${env.sb.endpoint}/_sandbox/${route}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** A sandbox (the demo fixture, or `fixture`) with the mesh applied; a push to main gets the generated deploy CI role. */
async function startEnv(fixture?: Fixture, withMesh = mesh): Promise<Env> {
  const sb = await startSandbox({
    port: 0,
    deploymentSeconds: 0.3,
    githubOidc: { repository: "acme/shop-deploy", event: "push", ref: "refs/heads/main" },
    ...(fixture ? { fixture } : {}),
  });
  const env: Env = { sb, ciEnv: {}, mesh: withMesh };
  const applied = await admin(env, "iam/apply", withMesh);
  expect(applied.status, JSON.stringify(applied.json)).toBe(200);
  // The CI role's session outlives the test.
  const res = await fetch(`${sb.githubOidc!.requestUrl}&audience=sts.amazonaws.com`, {
    headers: { authorization: `Bearer ${sb.githubOidc!.requestToken}` },
  });
  const token = ((await res.json()) as { value: string }).value;
  const sts = new STSClient({
    endpoint: sb.endpoint,
    region: "eu-west-1",
    maxAttempts: 1,
    credentials: { accessKeyId: "", secretAccessKey: "" },
  });
  const c = (
    await sts.send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `arn:aws:iam::${CI}:role/deployer-ci`,
        RoleSessionName: "gha",
        WebIdentityToken: token,
      }),
    )
  ).Credentials!;
  env.ciEnv = { AWS_ACCESS_KEY_ID: c.AccessKeyId!, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!, AWS_SESSION_TOKEN: c.SessionToken! };
  return env;
}

beforeAll(async () => {
  out = mkdtempSync(path.join(tmpdir(), "deployer-iam-minimal-"));
  const gen = await runCli(["iam", "--github-repository", "acme/shop-deploy", "--out-dir", out], { cwd: projectRoot });
  expect(gen.exitCode, describeRun(gen)).toBe(0);
  mesh = JSON.parse(readFileSync(path.join(out, "iam-mesh.json"), "utf8")) as typeof mesh;
  rolling = await startEnv();
});
afterAll(async () => {
  await rolling?.sb.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Re-applies the whole mesh, then takes `action` away where the row says. */
async function removeOne(env: Env, where: Where, action: string): Promise<void> {
  expect((await admin(env, "iam/apply", env.mesh ?? mesh)).status).toBe(200);
  if (env.extra) expect((await admin(env, "iam/apply", env.extra)).status).toBe(200);
  const req: Record<string, unknown> = { account: where.account, action };
  if ("repository" in where) req.repository = where.repository;
  else if ("trust" in where) Object.assign(req, { role: where.role, from: "trust" });
  else Object.assign(req, { role: where.role, policy: where.policy });
  const removed = await admin(env, "iam/remove-action", req);
  expect(removed.status, `${rowKey(where, action)}: ${JSON.stringify(removed.json)}`).toBe(200);
}

interface CheckNode {
  id: string;
  verdict: string;
  error?: { code: string };
  children?: CheckNode[];
}

/** `deployer check --strict` for dev as the CI role: exit code, the checks that did not pass, the error codes, and every action sent. */
async function checkDev(
  env: Env,
): Promise<{ exitCode: number | null; notPassed: CheckNode[]; errors: string[]; actions: string[]; run: string }> {
  const { sb, ciEnv } = env;
  await admin(env, "log/clear", {});
  const r = await runCli(["check", "--image", "8d1e4b7", "--env", "dev", "--strict", "-o", "json"], {
    cwd: env.cwd ?? projectRoot,
    sandbox: sb,
    env: ciEnv,
  });
  const json = JSON.parse(r.stdout) as { targets?: Array<{ checks?: CheckNode[] }>; errors?: Array<{ code: string }> };
  const notPassed: CheckNode[] = [];
  const walk = (c: CheckNode) => {
    if (c.verdict !== "pass" && c.verdict !== "skip") notPassed.push(c);
    for (const ch of c.children ?? []) walk(ch);
  };
  for (const t of json.targets ?? []) for (const c of t.checks ?? []) walk(c);
  const log = (await (await fetch(`${sb.endpoint}/_sandbox/log`)).json()) as Array<{ action: string }>;
  return {
    exitCode: r.exitCode,
    notPassed,
    errors: (json.errors ?? []).map((e) => e.code),
    actions: log.map((e) => e.action),
    run: describeRun(r),
  };
}

/** What preflight may send: reads, simulations and role assumptions; never a write. */
const READ_ONLY = /^(Describe|List|Get|BatchGet|Simulate|AssumeRole)/;

/** Takes the row's action away and expects `check --strict` to fail on the row's check, with no write sent. */
async function expectCaught(env: Env, row: CaughtRow): Promise<void> {
  await removeOne(env, row.where, row.action);
  const r = await checkDev(env);
  expect(r.exitCode, r.run).toBe(1);
  if ("error" in row.expect) expect(r.errors, r.run).toContain(row.expect.error);
  else
    for (const want of row.expect.checks)
      expect(
        r.notPassed.map((c) => ({ id: c.id, verdict: c.verdict, code: c.error?.code })),
        r.run,
      ).toContainEqual(want);
  expect(r.actions.filter((a) => !READ_ONLY.test(a))).toEqual([]);
}

describe("deployer iam: the generated policies are minimal, and preflight names what is missing", () => {
  it("with the whole mesh, `deployer check --strict` passes for dev (the baseline every row starts from)", async () => {
    const r = await checkDev(rolling);
    expect(r.exitCode, r.run).toBe(0);
    expect(r.notPassed).toEqual([]);
  });

  it.each(CAUGHT.map((row) => [rowKey(row.where, row.action), row] as const))("without %s, check fails before any write", (_, row) =>
    expectCaught(rolling, row),
  );

  it.each(NOT_CAUGHT.filter((row) => row.sentinel).map((row) => [rowKey(row.where, row.action), row] as const))(
    "without %s, main's preflight still passes (move the row to CAUGHT when a check catches it)",
    async (_, row) => {
      await removeOne(rolling, row.where, row.action);
      const r = await checkDev(rolling);
      expect(r.exitCode, `${row.why}\n${r.run}`).toBe(0);
    },
  );

  it("the two tables hold every action the generated documents grant to dev, the CI account's roles and the central repository", () => {
    const granted: string[] = [];
    for (const a of mesh.accounts as Array<{
      account: string;
      roles: Array<{ name: string; trustPolicy: Doc; inlinePolicies: Record<string, Doc> }>;
      repositoryPolicies?: Array<{ region: string; repository: string; policy: Doc }>;
    }>) {
      if (a.account !== DEV && a.account !== CI) continue;
      for (const r of a.roles) {
        for (const act of actionsOf(r.trustPolicy)) granted.push(rowKey({ account: a.account, role: r.name, trust: true }, act));
        for (const [policy, doc] of Object.entries(r.inlinePolicies))
          for (const act of actionsOf(doc)) granted.push(rowKey({ account: a.account, role: r.name, policy }, act));
      }
      for (const p of a.repositoryPolicies ?? [])
        for (const act of actionsOf(p.policy))
          granted.push(rowKey({ account: a.account, repository: { region: p.region, name: p.repository } }, act));
    }
    const listed = [...CAUGHT, ...NOT_CAUGHT].map((row) => rowKey(row.where, row.action));
    expect(new Set(listed).size, "a row is listed twice").toBe(listed.length);
    expect([...new Set(granted)].sort()).toEqual([...listed].sort());
  });
});

/**
 * dev's service with the BLUE_GREEN strategy (ECS-native blue/green, issue 11): the deploy role rolls a
 * failed service deployment back with ecs:StopServiceDeployment, so preflight simulates it, and the
 * service deployments are what deployer follows.
 */
const BLUE_GREEN_CAUGHT: CaughtRow[] = [
  {
    where: deployRole,
    action: "ecs:StopServiceDeployment",
    expect: fails("ACCESS_DENIED", "deploy-role-permissions:ecs:StopServiceDeployment"),
  },
  ...(["ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"] as const).map((action) => ({
    where: deployRole,
    action,
    expect: fails("ACCESS_DENIED", `deploy-role-permissions:${action}`),
  })),
  { where: viewRole, action: "ecs:ListServiceDeployments", expect: fails("ACCESS_DENIED", "service") },
];

describe("deployer iam, dev's service deploying BLUE_GREEN: the rollback's ecs:StopServiceDeployment and the history are NG when missing", () => {
  let blueGreen: Env;
  beforeAll(async () => {
    const fixture = loadFixtureFile(DEMO_FIXTURE);
    const dev = fixture.targets!.find((t) => t.name === "dev")!;
    // As rollout-safety.test.ts's native services: ECS-native blue/green, without the circuit breaker.
    dev.circuitBreaker = { enable: false, rollback: false };
    dev.deploymentConfiguration = { strategy: "BLUE_GREEN", bakeTimeInMinutes: 0 };
    blueGreen = await startEnv(fixture);
  });
  afterAll(async () => {
    await blueGreen?.sb.stop();
  });

  it("with the whole mesh, `deployer check --strict` passes for dev", async () => {
    const r = await checkDev(blueGreen);
    expect(r.exitCode, r.run).toBe(0);
    expect(r.notPassed).toEqual([]);
  });

  it.each(BLUE_GREEN_CAUGHT.map((row) => [rowKey(row.where, row.action), row] as const))(
    "without %s, check fails before any write",
    (_, row) => expectCaught(blueGreen, row),
  );
});

describe("deployer iam, dev's tasks assuming a role of staging (taskAssumes): staging's viewer reads its trust", () => {
  const PUBLISHER = "arn:aws:iam::333333333333:role/shop-events-publisher";
  let env: Env;
  let repo: TempRepo;
  let dir: string;
  beforeAll(async () => {
    repo = exampleRepo();
    repo.edit("environments/dev.yaml", /^externalId: .*$/m, `$&\ntaskAssumes: [${PUBLISHER}]`);
    dir = mkdtempSync(path.join(tmpdir(), "deployer-iam-assumes-"));
    const gen = await runCli(["iam", "--github-repository", "acme/shop-deploy", "--out-dir", dir], { cwd: repo.dir });
    expect(gen.exitCode, describeRun(gen)).toBe(0);
    const generated = JSON.parse(readFileSync(path.join(dir, "iam-mesh.json"), "utf8")) as typeof mesh;
    env = await startEnv(undefined, generated);
    env.cwd = repo.dir;
    // The task role's own permission to assume the publisher is the application's, not the mesh's
    // (README, deployer iam): given here as the sandbox's fixture gives it.
    const taskRole = (generated.accounts as Array<{ account: string; roles: Array<{ name: string; trustPolicy: unknown }> }>)
      .find((a) => a.account === DEV)!
      .roles.find((r) => r.name === "shop-api-task")!;
    env.extra = {
      accounts: [
        {
          account: DEV,
          roles: [
            {
              name: "shop-api-task",
              trustPolicy: taskRole.trustPolicy,
              inlinePolicies: {
                assume: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "sts:AssumeRole", Resource: PUBLISHER }] },
              },
            },
          ],
        },
      ],
    };
    expect((await admin(env, "iam/apply", env.extra)).status).toBe(200);
  });
  afterAll(async () => {
    await env?.sb.stop();
    repo?.cleanup();
    rmSync(dir, { recursive: true, force: true });
  });

  it("with the generated mesh, check task-assumes passes for dev through staging's viewer", async () => {
    const r = await checkDev(env);
    expect(r.exitCode, r.run).toBe(0);
    expect(r.notPassed).toEqual([]);
    expect(r.run).toContain("task-assumes");
  });

  it("without iam:GetRole for staging's viewer, check task-assumes is unverified", () =>
    expectCaught(env, {
      where: { account: "333333333333", role: "deployer-viewer", policy: "view" },
      action: "iam:GetRole",
      expect: unverified("ACCESS_DENIED", "task-assumes"),
    }));
});

interface Doc {
  Statement: Array<{ Action: string | string[] }>;
}

function actionsOf(doc: Doc): string[] {
  return doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
}
