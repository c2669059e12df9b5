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
// deploy role: the deploy role's rows caught are those its simulation answers (PassRole, the writes). A third test asserts that the two tables together hold every
// action of the generated documents, so no granted action goes unaccounted for.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";
import { projectRoot } from "../fixtures/config/repo.js";

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
  // dev's viewer role: what preflight reads with it (issue 18), and its metadata reads of what the tasks need at launch (issue 13)
  { where: viewTrust, action: "sts:AssumeRole", expect: fails("ASSUME_ROLE_DENIED", "assume-view-role") },
  { where: viewRole, action: "ecs:DescribeClusters", expect: fails("ACCESS_DENIED", "service") },
  { where: viewRole, action: "ecs:DescribeServices", expect: fails("ACCESS_DENIED", "service") },
  { where: viewRole, action: "ecs:DescribeTaskDefinition", expect: fails("ACCESS_DENIED", "live-task-definition") },
  { where: viewRole, action: "iam:GetRole", expect: unverified("ACCESS_DENIED", "trust:taskRole", "trust:executionRole") },
  {
    where: viewRole,
    action: "iam:SimulatePrincipalPolicy",
    expect: unverified("PASSROLE_UNVERIFIED", "pass-role:taskRole", "pass-role:executionRole"),
  },
  { where: viewRole, action: "ssm:DescribeParameters", expect: unverified("ACCESS_DENIED", "secrets:app/DATABASE_URL") },
  { where: viewRole, action: "logs:DescribeLogGroups", expect: unverified("ACCESS_DENIED", "logs:app") },
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

const ROLLOUT_READS =
  "check reads as the viewer role; the deploy role re-reads the service and waits with it during a rollout only (its writes are simulated)";
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
    action: "sts:AssumeRole",
    sentinel: true,
    why: "check only reads: it does not assume the deploy role; rollout's preflight does (check assume-role), before any write",
  },
  {
    where: deployTrust,
    action: "sts:TagSession",
    sentinel: true,
    why: "deployer assumes the role again without session tags (src/aws/session.ts): only CloudTrail attribution is lost",
  },
  ...[
    "ecs:DescribeServices",
    "ecs:DescribeTaskDefinition",
    "ecs:ListServiceDeployments",
    "ecs:DescribeServiceDeployments",
    "ecs:DescribeServiceRevisions",
  ].map((action) => ({ where: deployRole, action, sentinel: true, why: ROLLOUT_READS })),
  {
    where: viewTrust,
    action: "sts:TagSession",
    sentinel: true,
    why: "deployer assumes the role again without session tags (src/aws/session.ts): only CloudTrail attribution is lost",
  },
  ...["ecs:ListServiceDeployments", "ecs:DescribeServiceDeployments", "ecs:DescribeServiceRevisions"].map((action) => ({
    where: viewRole,
    action,
    sentinel: true,
    why: "an unreadable deployment history fails the `service` check only for BLUE_GREEN / LINEAR / CANARY services; dev rolls",
  })),
  {
    where: deployRole,
    action: "ecs:StopServiceDeployment",
    sentinel: true,
    why: "only a BLUE_GREEN / LINEAR / CANARY rollback sends it; no check simulates it",
  },
  // One-off tasks (issue 17): sent by a rollout of a service with `tasks:`; no preflight check
  // simulates them yet, and the example's dev check runs no task.
  ...["ecs:RunTask", "ecs:DescribeTasks", "ecs:StopTask"].map((action) => ({
    where: deployRole,
    action,
    sentinel: true,
    why: "only a rollout of a service with tasks: sends it (one-off tasks); no check simulates it yet",
  })),
  ...["ec2:DescribeSubnets", "ec2:DescribeSecurityGroups"].map((action) => ({
    where: viewRole,
    action,
    sentinel: true,
    why: "for the task-network check of one-off tasks, which is not built yet: nothing reads them",
  })),
  ...["iam:ListRolePolicies", "iam:GetRolePolicy", "iam:ListAttachedRolePolicies", "iam:GetPolicy", "iam:GetPolicyVersion"].map(
    (action) => ({
      where: viewRole,
      action,
      sentinel: true,
      why: "the task role's policies are read only to find roles of other accounts it may assume; unreadable, check task-assumes is SKIP (dev declares no taskAssumes)",
    }),
  ),
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

let sb: Sandbox;
let out: string;
let mesh: { accounts: Array<Record<string, unknown>> };
let ciEnv: Record<string, string>;

async function admin(route: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sb.endpoint}/_sandbox/${route}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

beforeAll(async () => {
  sb = await startSandbox({
    port: 0,
    deploymentSeconds: 0.3,
    githubOidc: { repository: "acme/shop-deploy", event: "push", ref: "refs/heads/main" },
  });
  out = mkdtempSync(path.join(tmpdir(), "deployer-iam-minimal-"));
  const gen = await runCli(["iam", "--github-repository", "acme/shop-deploy", "--out-dir", out], { cwd: projectRoot });
  expect(gen.exitCode, describeRun(gen)).toBe(0);
  mesh = JSON.parse(readFileSync(path.join(out, "iam-mesh.json"), "utf8")) as typeof mesh;
  const applied = await admin("iam/apply", mesh);
  expect(applied.status, JSON.stringify(applied.json)).toBe(200);
  // A push to main gets the generated deploy CI role (its session outlives the test).
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
  ciEnv = { AWS_ACCESS_KEY_ID: c.AccessKeyId!, AWS_SECRET_ACCESS_KEY: c.SecretAccessKey!, AWS_SESSION_TOKEN: c.SessionToken! };
});
afterAll(async () => {
  await sb.stop();
  rmSync(out, { recursive: true, force: true });
});

/** Re-applies the whole mesh, then takes `action` away where the row says. */
async function removeOne(where: Where, action: string): Promise<void> {
  expect((await admin("iam/apply", mesh)).status).toBe(200);
  const req: Record<string, unknown> = { account: where.account, action };
  if ("repository" in where) req.repository = where.repository;
  else if ("trust" in where) Object.assign(req, { role: where.role, from: "trust" });
  else Object.assign(req, { role: where.role, policy: where.policy });
  const removed = await admin("iam/remove-action", req);
  expect(removed.status, `${rowKey(where, action)}: ${JSON.stringify(removed.json)}`).toBe(200);
}

interface CheckNode {
  id: string;
  verdict: string;
  error?: { code: string };
  children?: CheckNode[];
}

/** `deployer check --strict` for dev as the CI role: exit code, the checks that did not pass, the error codes, and every action sent. */
async function checkDev(): Promise<{ exitCode: number | null; notPassed: CheckNode[]; errors: string[]; actions: string[]; run: string }> {
  await admin("log/clear", {});
  const r = await runCli(["check", "--image", "8d1e4b7", "--env", "dev", "--strict", "-o", "json"], {
    cwd: projectRoot,
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

describe("deployer iam: the generated policies are minimal, and preflight names what is missing", () => {
  it("with the whole mesh, `deployer check --strict` passes for dev (the baseline every row starts from)", async () => {
    const r = await checkDev();
    expect(r.exitCode, r.run).toBe(0);
    expect(r.notPassed).toEqual([]);
  });

  it.each(CAUGHT.map((row) => [rowKey(row.where, row.action), row] as const))(
    "without %s, check fails before any write",
    async (_, row) => {
      await removeOne(row.where, row.action);
      const r = await checkDev();
      expect(r.exitCode, r.run).toBe(1);
      if ("error" in row.expect) expect(r.errors, r.run).toContain(row.expect.error);
      else
        for (const want of row.expect.checks)
          expect(
            r.notPassed.map((c) => ({ id: c.id, verdict: c.verdict, code: c.error?.code })),
            r.run,
          ).toContainEqual(want);
      expect(r.actions.filter((a) => !READ_ONLY.test(a))).toEqual([]);
    },
  );

  it.each(NOT_CAUGHT.filter((row) => row.sentinel).map((row) => [rowKey(row.where, row.action), row] as const))(
    "without %s, main's preflight still passes (move the row to CAUGHT when a check catches it)",
    async (_, row) => {
      await removeOne(row.where, row.action);
      const r = await checkDev();
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

interface Doc {
  Statement: Array<{ Action: string | string[] }>;
}

function actionsOf(doc: Doc): string[] {
  return doc.Statement.flatMap((s) => ([] as string[]).concat(s.Action));
}
