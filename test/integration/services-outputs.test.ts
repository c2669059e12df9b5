// Issue 17, every output knows services, end to end: the example project (api with a migrate task,
// worker) against the sandbox through the built CLI. dev runs api@8d1e4b7 and worker@c0ffee1; promote
// staging carries each service's digest; status shows a SERVICE column grouped by environment; the
// run report lists the one-off task. The tests run in order and share the sandbox.
import path from "node:path";
import { execa } from "execa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { servicesRepo, projectRoot, type TempRepo } from "../fixtures/config/repo.js";
import { assumeDeployer } from "../sandbox/clients.js";

const bin = path.join(projectRoot, "bin/deployer.js");
const API = { tag: "8d1e4b7", digest: "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f" };
const WORKER = { tag: "c0ffee1", digest: "sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901" };
const STAGING = "333333333333";

let sandbox: Sandbox;
let repo: TempRepo;

beforeAll(async () => {
  sandbox = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
  repo = servicesRepo();
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
      DEPLOYER_POLL_INTERVAL_MS: "100",
      AWS_ENDPOINT_URL: sandbox.endpoint,
      AWS_ACCESS_KEY_ID: sandbox.credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: sandbox.credentials.secretAccessKey,
      AWS_REGION: "eu-west-1",
    },
  });
}

async function imageOf(account: string, cluster: string, service: string): Promise<{ image: string; tags: Record<string, string> }> {
  const { ecs } = await assumeDeployer(sandbox, account);
  const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: [service] }))).services![0]!;
  const td = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition!, include: ["TAGS"] }));
  return {
    image: td.taskDefinition!.containerDefinitions![0]!.image!,
    tags: Object.fromEntries((td.tags ?? []).map((t) => [t.key!, t.value!])),
  };
}

describe("two services end to end", () => {
  it("rollout dev with an image per service: the run report has a SERVICE column and the migrate task", async () => {
    const r = await deployer(["rollout", "--image", `api=${API.tag}`, "--image", `worker=${WORKER.tag}`, "--stage", "dev", "--yes"]);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const out = `${r.stdout}\n${r.stderr}`;
    expect(out).toMatch(/^ENV\s+SERVICE\s+STAGE\s+ACCOUNT\s+OUTCOME\s+TASKS/m);
    expect(out).toMatch(/^dev\s+api\s+dev\s+222222222222\s+deployed\s+migrate ✓/m);
    expect(out).toMatch(/^\s+worker\s+deployed\s/m);
    expect(out).toMatch(/One-off tasks\n {2}dev\/api {2}migrate {2}succeeded \(exit 0\)/);
  });

  it("status: SERVICE column, the environment once; staging's units promotable per service", async () => {
    const text = await deployer(["status"]);
    expect(text.exitCode, text.stderr).toBe(0);
    const lines = text.stdout.split("\n");
    expect(lines.find((l) => l.startsWith("ENV"))).toMatch(/^ENV\s+SERVICE\s+STAGE/);
    const dev = lines.findIndex((l) => l.startsWith("dev "));
    expect(lines[dev]).toMatch(/^dev\s+api\s+dev\s+222222222222/);
    expect(lines[dev + 1]).toMatch(/^\s+worker\s/);
    const json = JSON.parse((await deployer(["-o", "json", "status"])).stdout) as {
      rows: Array<{ target: { name: string; env: string; serviceKey: string }; promotion: { state: string; digest?: string } }>;
    };
    const row = (name: string) => json.rows.find((r) => r.target.name === name)!;
    expect(row("staging/worker").target).toMatchObject({ env: "staging", serviceKey: "worker" });
    expect(row("staging/api").promotion).toMatchObject({ state: "promotable", digest: API.digest });
    expect(row("staging/worker").promotion).toMatchObject({ state: "promotable", digest: WORKER.digest });
  });

  it("promote --stage staging carries each service's digest", async () => {
    const dry = await deployer(["-o", "json", "promote", "--stage", "staging", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    const summary = (JSON.parse(dry.stdout) as { promotion: { services: Record<string, { digest: string }> } }).promotion;
    expect(summary.services).toMatchObject({ api: { digest: API.digest }, worker: { digest: WORKER.digest } });

    const r = await deployer(["promote", "--stage", "staging", "--yes"]);
    expect(r.exitCode, `${r.stdout}\n${r.stderr}`).toBe(0);
    const api = await imageOf(STAGING, "shop-staging", "api");
    const worker = await imageOf(STAGING, "shop-staging", "worker");
    expect(api.image).toMatch(new RegExp(`@${API.digest}$`));
    expect(worker.image).toMatch(new RegExp(`@${WORKER.digest}$`));
    expect(api.tags).toMatchObject({ "deployer:promoted-from": "dev/api", "deployer:image-digest": API.digest });
    expect(worker.tags).toMatchObject({ "deployer:promoted-from": "dev/worker", "deployer:image-digest": WORKER.digest });
  });
});
