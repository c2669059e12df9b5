// Issue 15: a new deploy repository goes from nothing to a clean `plan` against the sandbox with
// `deployer init --from-service` and no hand edits; a second import adds only its environment file
// and shows how its service differs from the template; plain `init` writes an example that
// validates. Through the built CLI, in empty temporary directories; one sandbox for the file.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  RegisterTaskDefinitionCommand,
  UpdateServiceCommand,
} from "@aws-sdk/client-ecs";
import type { RegisterTaskDefinitionCommandInput } from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { describeRun, runCli, type CliResult } from "../helpers/sandbox-cli.js";
import { assumeDeployer } from "../sandbox/clients.js";
import { projectRoot } from "../fixtures/config/repo.js";

let sb: Sandbox;
const dirs: string[] = [];

beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
});
afterAll(async () => {
  await sb?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function emptyDir(): string {
  const d = mkdtempSync(path.join(tmpdir(), "deployer-init-"));
  dirs.push(d);
  return d;
}

const run = (dir: string, args: string[]): Promise<CliResult> =>
  runCli(args, { cwd: dir, sandbox: sb, timeoutMs: 90_000, env: { DEPLOYER_POLL_INTERVAL_MS: "100" } });

const fromService = (env: string, account: string, cluster: string, extra: string[] = []) => [
  "init",
  "--from-service",
  "--cluster",
  cluster,
  "--service",
  "api",
  "--deploy-role",
  `arn:aws:iam::${account}:role/deployer`,
  "--external-id",
  `shop-deployer-${env}`,
  "--env",
  env,
  ...extra,
];

const files = (dir: string) =>
  readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
    .sort();

describe("deployer init --from-service", () => {
  const dir = emptyDir();

  it("from nothing to a clean plan: init reads the live service through its deploy role, plan shows no change", async () => {
    const init = await run(dir, fromService("dev", "222222222222", "shop-dev"));
    expect(init.exitCode, describeRun(init)).toBe(0);
    expect(files(dir)).toEqual(["deployer.yaml", "environments/dev.yaml", "templates/task-definition.json.hbs"]);
    expect(init.stdout).toContain("the template renders exactly what it runs: deployer plan shows no change for it");
    // It went through the deploy role, as every command does.
    expect(sb.admin.log({ account: "222222222222", action: "DescribeServices" }).length).toBeGreaterThan(0);

    const template = readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8");
    expect(template).toContain('"family": "{{service}}-{{target.name}}"');
    expect(template).toContain('"image": "{{image}}"');
    expect(template).toContain('"taskRoleArn": "{{taskRole}}"');
    expect(template).toContain('"awslogs-group": "/ecs/{{service}}/{{target.name}}"');
    expect(template).toContain('"cpu": "{{vars.cpu}}"');
    expect(template).not.toMatch(/222222222222|shop-dev|eu-west-1/);
    const env = readFileSync(path.join(dir, "environments/dev.yaml"), "utf8");
    expect(env).toMatch(/^account: "222222222222"/m);
    expect(env).toMatch(/^externalId: shop-deployer-dev$/m);
    expect(env).toMatch(/^ {2}cpu: 256$/m);

    const next = /\$ (deployer plan --image \S+ --env dev)/.exec(init.stdout)?.[1];
    expect(next, init.stdout).toBeDefined();
    expect((await run(dir, ["validate"])).exitCode).toBe(0);
    const plan = await run(dir, [...next!.split(" ").slice(1), "--detailed-exitcode"]);
    expect(plan.exitCode, describeRun(plan)).toBe(0);
    expect(plan.stdout).toContain("No changes");
  });

  it("again for another target's service: only its environment file is added, the template is the same, plan stays clean", async () => {
    const template = readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8");
    const init = await run(dir, fromService("staging", "333333333333", "shop-staging", ["--stage", "dev"]));
    expect(init.exitCode, describeRun(init)).toBe(0);
    expect(init.stdout).toMatch(/^wrote environments\/staging\.yaml$/m);
    expect(init.stdout).not.toMatch(/wrote (deployer\.yaml|templates)/);
    expect(init.stdout).toContain("the template (unchanged) is the one this service gives");
    expect(readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8")).toBe(template);
    const plan = await run(dir, ["plan", "--image", "3f2a9c1", "--detailed-exitcode"]);
    expect(plan.exitCode, describeRun(plan)).toBe(0);
  });

  it("a service that differs from the template: its file is added, the difference shown as a diff, the template left alone", async () => {
    // prod-us runs a definition with one more environment variable (registered by hand, as a team would).
    const { ecs } = await assumeDeployer(sb, "555555555555", "us-east-1");
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-prod-us", services: ["api"] }))).services![0]!;
    const td = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition! }))).taskDefinition!;
    const input = {
      family: td.family!,
      taskRoleArn: td.taskRoleArn,
      executionRoleArn: td.executionRoleArn,
      networkMode: td.networkMode,
      requiresCompatibilities: td.requiresCompatibilities,
      cpu: td.cpu,
      memory: td.memory,
      runtimePlatform: td.runtimePlatform,
      containerDefinitions: td.containerDefinitions!.map((c) => ({
        ...c,
        environment: [...(c.environment ?? []), { name: "FEATURE_X", value: "on" }],
      })),
    } as RegisterTaskDefinitionCommandInput;
    const registered = await ecs.send(new RegisterTaskDefinitionCommand(input));
    await ecs.send(
      new UpdateServiceCommand({ cluster: "shop-prod-us", service: "api", taskDefinition: registered.taskDefinition!.taskDefinitionArn! }),
    );

    const template = readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8");
    const init = await run(dir, fromService("prod-us", "555555555555", "shop-prod-us", ["--stage", "dev", "--region", "us-east-1"]));
    expect(init.exitCode, describeRun(init)).toBe(0);
    expect(init.stdout).toMatch(/^wrote environments\/prod-us\.yaml$/m);
    expect(init.stdout).toContain("the template was left as it is; this service would give another one");
    expect(init.stdout).toMatch(/^\+ +"name": "FEATURE_X",$/m);
    expect(init.stdout).toContain("deployer plan will show 1 change for this target:");
    expect(init.stdout).toContain('~ containers[app].environment.FEATURE_X: "on" → (none)');
    expect(readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8")).toBe(template);
  });

  it("never overwrites: the same target again, or a stage deployer.yaml does not have, is refused", async () => {
    const again = await run(dir, fromService("dev", "222222222222", "shop-dev"));
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain('target "dev" already exists (environments/dev.yaml)');
    const stage = await run(dir, fromService("prod-eu", "444444444444", "shop-prod-eu", ["--stage", "prod"]));
    expect(stage.exitCode).toBe(1);
    expect(stage.stderr).toContain('stage "prod" is not in deployer.yaml');
    expect(existsSync(path.join(dir, "environments/prod-eu.yaml"))).toBe(false);
  });

  it("--force re-imports a target: its environment file is replaced, nothing else", async () => {
    const envFile = path.join(dir, "environments/dev.yaml");
    const before = readFileSync(envFile, "utf8");
    writeFileSync(envFile, before.replace(/^ {2}cpu: 256$/m, "  cpu: 1024"));
    const template = readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8");
    const init = await run(dir, fromService("dev", "222222222222", "shop-dev", ["--force"]));
    expect(init.exitCode, describeRun(init)).toBe(0);
    expect(init.stdout).toMatch(/^replaced environments\/dev\.yaml$/m);
    expect(init.stdout.match(/^(wrote|replaced) /gm)).toHaveLength(1);
    expect(readFileSync(envFile, "utf8")).toBe(before);
    expect(readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8")).toBe(template);
  });
});

describe("deployer init", () => {
  it("writes a commented example that validates; a second init is refused", async () => {
    const dir = emptyDir();
    const r = await run(dir, ["init", "--name", "shop-api"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(files(dir)).toEqual(["deployer.yaml", "environments/dev.yaml", "templates/task-definition.json.hbs"]);
    expect(readFileSync(path.join(dir, "deployer.yaml"), "utf8")).toMatch(/^# /);
    expect(readFileSync(path.join(dir, "environments/dev.yaml"), "utf8")).toContain("# Replace the example values");
    const v = await run(dir, ["validate"]);
    expect(v.exitCode, describeRun(v)).toBe(0);
    const again = await run(dir, ["init"]);
    expect(again.exitCode).toBe(1);
    expect(again.stderr).toContain("init does not overwrite a file without --force");
  });

  it("--force replaces the files init writes, and says which it replaced", async () => {
    const dir = emptyDir();
    expect((await run(dir, ["init", "--name", "shop-api"])).exitCode).toBe(0);
    writeFileSync(path.join(dir, "templates/task-definition.json.hbs"), "edited by hand\n");
    const r = await run(dir, ["init", "--name", "shop-api", "--force"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/^replaced templates\/task-definition\.json\.hbs$/m);
    expect(readFileSync(path.join(dir, "templates/task-definition.json.hbs"), "utf8")).toContain('"image": "{{image}}"');
    expect((await run(dir, ["validate"])).exitCode).toBe(0);
  });

  it("the files point editors at the schemas installed with the package", async () => {
    const dir = emptyDir();
    expect((await run(dir, ["init"])).exitCode).toBe(0);
    const schemaOf = (file: string) => /^# yaml-language-server: \$schema=(\S+)$/m.exec(readFileSync(path.join(dir, file), "utf8"))?.[1];
    // Where they are once the package is installed (package.json "files" ships schemas/).
    expect(path.resolve(dir, schemaOf("deployer.yaml")!)).toBe(
      path.join(dir, "node_modules/ecs-fleet-deployer/schemas/deployer.schema.json"),
    );
    expect(path.resolve(dir, "environments", schemaOf("environments/dev.yaml")!)).toBe(
      path.join(dir, "node_modules/ecs-fleet-deployer/schemas/environment.schema.json"),
    );
    expect(existsSync(path.join(projectRoot, "schemas/deployer.schema.json"))).toBe(true);
    expect(existsSync(path.join(projectRoot, "schemas/environment.schema.json"))).toBe(true);
  });

  it("--help teaches: both modes with examples, what --force does, and what to run next", async () => {
    const r = await run(emptyDir(), ["init", "--help"]);
    expect(r.exitCode).toBe(0);
    expect(r.stdout).toContain("deployer init --from-service --cluster shop-dev --service api");
    expect(r.stdout).toMatch(/--force\s+replace the files init writes/);
    expect(r.stdout).toContain("deployer plan --image 3f2a9c1 --env dev");
  });

  it("--cluster without --from-service, or --from-service without its flags, is refused before anything is read", async () => {
    const dir = emptyDir();
    const a = await run(dir, ["init", "--cluster", "x"]);
    expect(a.exitCode).toBe(1);
    expect(a.stderr).toContain("--cluster only apply with --from-service");
    const b = await run(dir, ["init", "--from-service", "--cluster", "x"]);
    expect(b.exitCode).toBe(1);
    expect(b.stderr).toContain("init --from-service needs --service, --deploy-role");
    expect(files(dir)).toEqual([]);
  });
});
