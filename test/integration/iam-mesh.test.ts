// `deployer iam` end to end (issue 18): the sandbox's deployer roles are taken away (no permission,
// trusting nobody; no repository policy, a CI user without permissions), the JSON the command prints
// is applied through the sandbox's IAM admin API, and then a GitHub Actions job's OIDC token gets the
// generated CI role, from which `deployer plan` (every stage) and a dev `rollout` succeed: the
// generated mesh alone is enough. The pull-request role reaches the viewer roles and nothing else.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AssumeRoleCommand, AssumeRoleWithWebIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { startSandbox, type IamApplyDocument, type Sandbox } from "../../sandbox/index.js";
import { describeRun, runCli } from "../helpers/sandbox-cli.js";
import { projectRoot } from "../fixtures/config/repo.js";

const TARGET_ACCOUNTS = ["222222222222", "333333333333", "444444444444", "555555555555"];
const CI = "111111111111";

let sb: Sandbox;
let out: string;
beforeAll(async () => {
  sb = await startSandbox({
    port: 0,
    deploymentSeconds: 0.3,
    githubOidc: { repository: "acme/shop-deploy", event: "push", ref: "refs/heads/main" },
  });
  out = mkdtempSync(path.join(tmpdir(), "deployer-iam-"));
});
afterAll(async () => {
  await sb.stop();
  rmSync(out, { recursive: true, force: true });
});

/** A role that exists but can do nothing and that nobody can assume. */
const neutered = (name: string) => ({
  name,
  trustPolicy: { Version: "2012-10-17", Statement: [{ Effect: "Deny" as const, Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] },
});

/** Every role, user permission and repository policy deployer relies on, taken away. */
function withoutDeployerIam(): IamApplyDocument {
  return {
    accounts: [
      {
        account: CI,
        roles: [neutered("deployer-ci"), neutered("deployer-plan")],
        users: [{ name: "ci" }],
        repositoryPolicies: [{ region: "eu-west-1", repository: "shop/api", policy: null }],
      },
      ...TARGET_ACCOUNTS.map((account) => ({
        account,
        roles: ["deployer", "deployer-viewer", "shop-api-task", "shop-api-exec"].map(neutered),
      })),
    ],
  };
}

async function admin(route: string, body: unknown): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${sb.endpoint}/_sandbox/${route}`, { method: "POST", body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

/** What a GitHub Actions job gets with `role-to-assume`: a session of `role` from the job's OIDC token. */
async function ciSession(role: string, job: Parameters<NonNullable<Sandbox["githubOidc"]>["setJob"]>[0]) {
  sb.githubOidc!.setJob(job);
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
  const c = (await sts.send(new AssumeRoleWithWebIdentityCommand({ RoleArn: role, RoleSessionName: "gha", WebIdentityToken: token })))
    .Credentials!;
  return { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken! };
}

const asSession = (c: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) => ({
  AWS_ACCESS_KEY_ID: c.accessKeyId,
  AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  AWS_SESSION_TOKEN: c.sessionToken,
});

describe("deployer iam: the generated mesh is all a deployment needs", () => {
  it("without deployer's IAM, nothing works; with the JSON `deployer iam` writes applied, plan and a dev rollout succeed from the GitHub OIDC CI role", async () => {
    expect((await admin("iam/apply", withoutDeployerIam())).status).toBe(200);
    const before = await runCli(["plan", "--image", "8d1e4b7", "--stage", "dev"], { cwd: projectRoot, sandbox: sb });
    expect(before.exitCode, describeRun(before)).toBe(1);

    const gen = await runCli(["iam", "--github-repository", "acme/shop-deploy", "--out-dir", out], { cwd: projectRoot });
    expect(gen.exitCode, describeRun(gen)).toBe(0);
    expect(gen.stdout).toContain(`wrote ${path.join(out, "iam-mesh.json")}`);
    const applied = await admin("iam/apply", JSON.parse(readFileSync(path.join(out, "iam-mesh.json"), "utf8")));
    expect(applied.status, JSON.stringify(applied.json)).toBe(200);
    expect((applied.json as { applied: string[] }).applied).toEqual(
      expect.arrayContaining([
        `${CI} role deployer-ci`,
        `${CI} role deployer-plan`,
        `${CI} repository eu-west-1/shop/api`,
        ...TARGET_ACCOUNTS.flatMap((a) => [
          `${a} role deployer`,
          `${a} role deployer-viewer`,
          `${a} role shop-api-task`,
          `${a} role shop-api-exec`,
        ]),
      ]),
    );

    // A push to main: the deploy CI role.
    const deployCi = await ciSession(`arn:aws:iam::${CI}:role/deployer-ci`, { event: "push", ref: "refs/heads/main" });
    await admin("log/clear", {});
    const plan = await runCli(["plan", "--image", "8d1e4b7", "--all-stages"], { cwd: projectRoot, sandbox: sb, env: asSession(deployCi) });
    expect(plan.exitCode, describeRun(plan)).toBe(0);
    expect(plan.stdout).not.toMatch(/\bNG\b|✗/);

    const rollout = await runCli(["rollout", "--image", "8d1e4b7", "--stage", "dev"], {
      cwd: projectRoot,
      sandbox: sb,
      env: asSession(deployCi),
    });
    expect(rollout.exitCode, describeRun(rollout)).toBe(0);
    expect(rollout.stdout).toMatch(/dev.*deployed/);

    // Every call was made by the generated roles, none was refused.
    const log = (await (await fetch(`${sb.endpoint}/_sandbox/log`)).json()) as Array<{ principal: string; status: number; action: string }>;
    const principals = new Set(log.map((e) => e.principal.replace(/\/[^/]+$/, "")));
    // plan and the rollout's preflight read as the viewer roles (issue 18); only dev's deploy role writes.
    expect([...principals].sort()).toEqual(
      [
        `arn:aws:sts::${CI}:assumed-role/deployer-ci`,
        ...TARGET_ACCOUNTS.map((a) => `arn:aws:sts::${a}:assumed-role/deployer-viewer`),
        `arn:aws:sts::${TARGET_ACCOUNTS[0]}:assumed-role/deployer`,
      ].sort(),
    );
    expect(log.filter((e) => e.status >= 400).map((e) => `${e.principal} ${e.action} ${e.status}`)).toEqual([]);
  }, 240_000); // four CLI runs and a rollout: generous on a loaded machine

  it("the pull-request CI role reaches the viewer roles, never a deploy role; a pull_request token cannot get the deploy CI role", async () => {
    const plan = await ciSession(`arn:aws:iam::${CI}:role/deployer-plan`, { event: "pull_request", ref: "refs/pull/7/merge" });
    const sts = new STSClient({ endpoint: sb.endpoint, region: "eu-west-1", maxAttempts: 1, credentials: plan });
    const viewer = await sts.send(
      new AssumeRoleCommand({
        RoleArn: "arn:aws:iam::222222222222:role/deployer-viewer",
        RoleSessionName: "pr",
        ExternalId: "shop-viewer",
      }),
    );
    expect(viewer.AssumedRoleUser?.Arn).toBe("arn:aws:sts::222222222222:assumed-role/deployer-viewer/pr");
    await expect(
      sts.send(
        new AssumeRoleCommand({
          RoleArn: "arn:aws:iam::222222222222:role/deployer",
          RoleSessionName: "pr",
          ExternalId: "shop-deployer-dev",
        }),
      ),
    ).rejects.toMatchObject({ name: "AccessDenied" });
    await expect(
      ciSession(`arn:aws:iam::${CI}:role/deployer-ci`, { event: "pull_request", ref: "refs/pull/7/merge" }),
    ).rejects.toMatchObject({
      name: "AccessDenied",
    });
  });
});
