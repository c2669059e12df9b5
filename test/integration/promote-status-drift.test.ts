// Promotion, the fleet view and drift as users run them: `node bin/deployer.js …` in a subprocess,
// in a temporary copy of the example deploy repo, against the local sandbox. The tests of this file
// run in order and share the sandbox: each builds on the state the previous one left.
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { exampleRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";
import { assumeDeployer } from "../sandbox/clients.js";

const bin = path.join(projectRoot, "bin/deployer.js");
const TAG = "8d1e4b7";
const DIGEST = "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f";
const SEEDED = "sha256:6e123955f1062c90e12c68545b8aebff5f8a8674464aead08dcf6fecc3033297";
const DEV = { account: "222222222222", region: "eu-west-1", cluster: "shop-dev", service: "api" };
const STAGING = "333333333333";

let sandbox: Sandbox;
let repo: TempRepo;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = exampleRepo();
});
afterAll(async () => {
  await sandbox?.stop();
  repo?.cleanup();
});

function deployer(args: string[]) {
  return execa(process.execPath, [bin, ...args], {
    cwd: repo.dir,
    reject: false,
    extendEnv: false,
    env: {
      PATH: process.env.PATH ?? "",
      HOME: repo.dir,
      NO_COLOR: "1",
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
      AWS_REGION: "eu-west-1",
    },
  });
}

const registrations = (account: string) => sandbox.admin.log({ account, action: "RegisterTaskDefinition" }).length;

async function runningIn(account: string, cluster: string) {
  const { ecs } = await assumeDeployer(sandbox, account);
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition!, include: ["TAGS"] }));
  return { service: svc, taskDefinition: td.taskDefinition!, tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key!, t.value!])) };
}

describe("promote, status, drift against the sandbox", () => {
  it("rollout to dev, then status shows the whole fleet with staging promotable from dev", async () => {
    const r = await deployer(["rollout", "--image", TAG, "--stage", "dev"]);
    expect(r.exitCode, r.stderr).toBe(0);

    const text = await deployer(["status"]);
    expect(text.exitCode, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("TARGET"))).toMatch(
      /^TARGET\s+STAGE\s+ACCOUNT\s+REGION\s+CLUSTER\/SERVICE\s+TASK DEFINITION\s+IMAGE\s+RUNNING\s+ROLLOUT\s+DEPLOYED\s+BY\s+PROMOTION$/,
    );
    expect(lines.find((l) => l.startsWith("dev "))).toMatch(
      /^dev\s+dev\s+222222222222\s+eu-west-1\s+shop-dev\/api\s+shop-api-dev:2\s+8d1e4b7 sha256:e35bce68d8be\s+1\/1\s+COMPLETED\s+.*\s+user\/ci\s+—$/,
    );
    expect(lines.find((l) => l.startsWith("staging "))).toMatch(
      /shop-api-staging:1\s+sha256:6e123955f106\s+2\/2\s+COMPLETED\s+.*← dev sha256:e35bce68d8be$/,
    );
    expect(lines.find((l) => l.startsWith("prod-us "))).toMatch(/^prod-us\s+prod\s+555555555555\s+us-east-1\s+.*= staging$/);
    expect(text.stdout).toContain("4 targets: 4 stable");

    const json = await deployer(["-o", "json", "status"]);
    expect(json.exitCode).toBe(0);
    const status = JSON.parse(json.stdout);
    expect(status.rows.map((r: { target: { name: string } }) => r.target.name)).toEqual(["dev", "staging", "prod-eu", "prod-us"]);
    expect(status.rows[0]).toMatchObject({
      ok: true,
      image: { digest: DIGEST, tag: TAG },
      running: 1,
      desired: 1,
      rolloutState: "COMPLETED",
      health: { state: "stable" },
    });
    expect(status.rows[1].promotion).toEqual({ state: "promotable", fromStage: "dev", digest: DIGEST });
  });

  it("without a terminal and without --yes, promote exits 1 before reading anything; --dry-run shows the plan", async () => {
    const before = registrations(STAGING);
    const r = await deployer(["promote", "--stage", "staging"]);
    expect(r.exitCode, r.stderr).toBe(1);
    expect(r.stderr).toContain("promote needs --yes when not run in a terminal");
    expect(r.stdout).toBe("");
    const dry = await deployer(["promote", "--stage", "staging", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain(`Promote dev → staging  image ${TAG} ${DIGEST}`);
    expect(dry.stdout).toMatch(/~ containers\[app\]\.image: .*@sha256:6e123955f.* → .*@sha256:e35bce68d.*/);
    expect(dry.stdout).toContain("Dry run: nothing deployed.");
    expect(registrations(STAGING)).toBe(before);
  });

  it("promote --stage staging --yes deploys dev's digest to staging with provenance tags", async () => {
    const devNow = await runningIn(DEV.account, DEV.cluster);
    const r = await deployer(["promote", "--stage", "staging", "--yes"]);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);

    const staging = await runningIn(STAGING, "shop-staging");
    expect(staging.taskDefinition.containerDefinitions![0]!.image).toBe(`111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${DIGEST}`);
    expect(staging.service.deployments).toHaveLength(1);
    expect(staging.tags).toMatchObject({
      "deployer:image-digest": DIGEST,
      "deployer:image-tag": TAG,
      "deployer:promoted-from": "dev",
      "deployer:source-stage": "dev",
      "deployer:source-task-definition": devNow.taskDefinition.taskDefinitionArn,
    });

    const status = JSON.parse((await deployer(["-o", "json", "status", "--stage", "staging"])).stdout);
    expect(status.rows[0]).toMatchObject({
      promotion: { state: "in-sync", fromStage: "dev" },
      promotedFrom: { target: "dev", stage: "dev" },
    });
  });

  it("promote refuses while dev is mid-deployment, naming dev and the deployment", async () => {
    const id = sandbox.admin.startForeignDeployment(DEV);
    try {
      const before = registrations(STAGING);
      const r = await deployer(["promote", "--stage", "staging", "--yes"]);
      expect(r.exitCode).toBe(1);
      expect(r.stderr).toContain(
        `error PROMOTION_REFUSED [dev 222222222222] mid-deployment: deployment ${id} (shop-api-dev:2) in progress`,
      );
      expect(r.stderr).toContain("hint: Wait for the deployment to finish");
      expect(registrations(STAGING)).toBe(before);

      const status = await deployer(["status", "--stage", "staging"]);
      expect(status.stdout).toMatch(/^staging .*dev not ready$/m);
      expect(status.stdout).toContain(`dev: mid-deployment: deployment ${id}`);
    } finally {
      sandbox.admin.completeDeployment(DEV);
    }
  });

  it("promote refuses a source stage split across digests (prod-eu moved, prod-us did not)", async () => {
    const r0 = await deployer(["rollout", "--image", TAG, "--env", "prod-eu"]);
    expect(r0.exitCode, r0.stderr).toBe(0);
    const r = await deployer(["-o", "json", "promote", "--from", "prod", "--stage", "staging", "--yes"]);
    expect(r.exitCode).toBe(1);
    const body = JSON.parse(r.stdout);
    expect(body.errors.map((e: { code: string; target: string }) => `${e.code} ${e.target}`)).toEqual([
      "PROMOTION_REFUSED prod-eu",
      "PROMOTION_REFUSED prod-us",
    ]);
    expect(body.errors[1].message).toContain(
      `stage prod is split across 2 digests (prod-eu sha256:e35bce68d8be, prod-us sha256:6e123955f106); prod-us runs ${SEEDED}`,
    );
    // --env narrows the source to one target of the stage: no longer split.
    const narrowed = await deployer(["promote", "--from", "prod", "--env", "prod-us", "--stage", "staging", "--dry-run"]);
    expect(narrowed.exitCode, narrowed.stderr).toBe(0);
    expect(narrowed.stdout).toContain(
      `Promote prod → staging  image sha256:6e123955f1062c90e12c68545b8aebff5f8a8674464aead08dcf6fecc3033297`,
    );
  });

  it("drift: dev in sync after the rollout; a task definition registered by hand and put into service shows (exit 2)", async () => {
    const clean = await deployer(["drift", "--stage", "dev"]);
    expect(clean.exitCode, clean.stdout + clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^= dev /m);

    const devNow = await runningIn(DEV.account, DEV.cluster);
    const input = JSON.parse(JSON.stringify(devNow.taskDefinition)) as Record<string, unknown>;
    for (const k of ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities", "registeredAt", "registeredBy"])
      delete input[k];
    input.cpu = "512";
    input.memory = "1024";
    const arn = sandbox.admin.registerTaskDefinition({ account: DEV.account, region: DEV.region, input });
    sandbox.admin.startForeignDeployment({ ...DEV, taskDefinition: arn });
    sandbox.admin.completeDeployment(DEV);

    const r = await deployer(["drift", "--stage", "dev"]);
    expect(r.exitCode).toBe(2);
    expect(r.stdout).toContain(`drifted: 2 fields runs shop-api-dev:3 (sha256:e35bce68d8be)`);
    expect(r.stdout).toContain('~ cpu: running "512", expected "256"');
    expect(r.stdout).toContain('~ memory: running "1024", expected "512"');
    expect(r.stdout).toContain(
      "note: shop-api-dev:3 was registered outside deployer by arn:aws:sts::222222222222:assumed-role/admin/human (no deployer tags)",
    );
    expect(r.stdout).not.toContain("0f1e2d3c4b5a"); // the sensitive sentryDsn

    const json = JSON.parse((await deployer(["-o", "json", "drift", "--env", "dev"])).stdout);
    expect(json.drift).toBe(true);
    expect(json.targets[0].changes.map((c: { path: string }) => c.path)).toEqual(["cpu", "memory"]);
  });
});
