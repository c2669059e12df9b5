// Issue 11, "Never make a bad deployment worse", every case through the built CLI (`node
// bin/deployer.js`, as users run it) against the local sandbox: rollback targets, unknown states,
// re-runs over failed deployments, stale preflights, alarm rollbacks, ECS-native strategies and
// services scaled to zero. Each test has its own sandbox and deploy repository.
import { readFileSync } from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { DeregisterTaskDefinitionCommand, DescribeServicesCommand, DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startSandbox, type Fixture, type Sandbox, type StartSandboxOptions, type TargetFixture } from "../../sandbox/index.js";
import { exampleRepo, type TempRepo } from "../fixtures/config/repo.js";
import { demoFixture } from "../helpers/pipeline.js";
import { describeRun, runCli, spawnCli, type CliOptions, type CliResult } from "../helpers/sandbox-cli.js";
import { assumeDeployer } from "../sandbox/clients.js";

const DEV = "222222222222";
const PROD_EU = "444444444444";
const PROD_US = "555555555555";
const DIGEST = {
  "3f2a9c1": "sha256:6e123955f1062c90e12c68545b8aebff5f8a8674464aead08dcf6fecc3033297",
  "8d1e4b7": "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f",
  c0ffee1: "sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901",
};
const td = (n: number, family = "shop-api-dev", account = DEV, region = "eu-west-1") =>
  `arn:aws:ecs:${region}:${account}:task-definition/${family}:${n}`;

interface Env {
  sb: Sandbox;
  repo: TempRepo;
  run(args: string[], extra?: Partial<CliOptions>): Promise<CliResult>;
  spawn(args: string[], extra?: Partial<CliOptions>): ReturnType<typeof spawnCli>;
  /** The run report a command wrote with --report. */
  report(file: string): Report;
  /** What a target's service runs now. */
  running(
    account?: string,
    cluster?: string,
    region?: string,
  ): Promise<{ taskDefinition: string; image: string; tags: Record<string, string> }>;
  /** Successful calls of `action` in `account`. */
  calls(action: string, account?: string): number;
}

interface Report {
  ok: boolean;
  error?: { code: string; message: string; hint?: string };
  targets: Array<{
    target: { name: string };
    outcome: string;
    taskDefinitionArn?: string;
    error?: { code: string; message: string; hint?: string };
    rollback?: {
      by: string;
      via?: string;
      ok: boolean;
      toTaskDefinitionArn?: string;
      trigger?: { by: string; alarms?: string[] };
      error?: { code: string; message: string };
    };
  }>;
}

let env: Env | undefined;
afterEach(async () => {
  await env?.sb.stop();
  env?.repo.cleanup();
  env = undefined;
});

/** A sandbox from the demo fixture, its targets patched by `patch`. */
async function start(patch: (t: TargetFixture) => void = () => undefined, opts: StartSandboxOptions = {}): Promise<Env> {
  const fixture: Fixture = demoFixture();
  for (const t of fixture.targets ?? []) patch(t);
  const sb = await startSandbox({ port: 0, fixture, deploymentSeconds: 0.3, ...opts });
  const repo = exampleRepo();
  const options = (extra: Partial<CliOptions> = {}): CliOptions => ({
    cwd: repo.dir,
    sandbox: sb,
    timeoutMs: 90_000,
    ...extra,
    env: { DEPLOYER_POLL_INTERVAL_MS: "100", ...extra.env },
  });
  env = {
    sb,
    repo,
    run: (args, extra) => runCli(args, options(extra)),
    spawn: (args, extra) => spawnCli(args, options(extra)),
    report: (file) => JSON.parse(readFileSync(path.join(repo.dir, file), "utf8")) as Report,
    async running(account = DEV, cluster = "shop-dev", region = "eu-west-1") {
      const { ecs } = await assumeDeployer(sb, account, region);
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }))).services![0]!;
      const out = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: svc.taskDefinition!, include: ["TAGS"] }));
      return {
        taskDefinition: svc.taskDefinition!,
        image: out.taskDefinition!.containerDefinitions![0]!.image!,
        tags: Object.fromEntries((out.tags ?? []).map((t) => [t.key!, t.value!])),
      };
    },
    calls: (action, account) => sb.admin.log({ action, ...(account ? { account } : {}) }).filter((e) => e.status === 200).length,
  };
  return env;
}

async function ok(e: Env, args: string[]): Promise<CliResult> {
  const r = await e.run(args);
  expect(r.exitCode, describeRun(r)).toBe(0);
  return r;
}

async function until(what: string, condition: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  for (const end = Date.now() + timeoutMs; !(await condition());) {
    if (Date.now() > end) throw new Error(`test setup: ${what} never happened`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("issue 11: rollback goes only to a revision that ran healthy", () => {
  /** dev: :2 (8d1e4b7) good; :3 (bad0001) fails and ECS rolls back to :2; :4 (c0ffee1) good. */
  async function badThenGood(e: Env): Promise<void> {
    await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
    const bad = await e.run(["rollout", "--image", "bad0001", "--stage", "dev", "--out-report", "bad.json"]);
    expect(bad.exitCode, describeRun(bad)).toBe(1);
    expect(e.report("bad.json").targets[0]!.rollback).toMatchObject({ by: "ecs", ok: true, toTaskDefinitionArn: td(2) });
    await ok(e, ["rollout", "--image", "c0ffee1", "--stage", "dev"]);
    expect((await e.running()).taskDefinition).toBe(td(4));
  }

  it("bad → good → rollback returns to the good revision before, from the service deployment history", async () => {
    const e = await start();
    await badThenGood(e);
    const r = await e.run(["rollback", "--yes", "--env", "dev", "--out-report", "rollback.json"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    // The plan names the revision with its image tag and its last outcome.
    expect(r.stdout).toMatch(
      /put back shop-api-dev:2 \(image 8d1e4b7 sha256:e35bce68d8be; ECS rolled deployment \S+ back to it \(ROLLBACK_SUCCESSFUL\)\)/,
    );
    expect((await e.running()).taskDefinition).toBe(td(2));
    expect(e.calls("RegisterTaskDefinition", DEV)).toBe(3); // :2, :3, :4 — the rollback registered nothing
  });

  it("without the service deployment history, the deployer:previous-task-definition tag leads back to the same revision", async () => {
    const e = await start();
    await badThenGood(e);
    expect((await e.running()).tags["deployer:previous-task-definition"]).toBe(td(2));
    e.sb.admin.setFaults({ withoutActions: ["ListServiceDeployments", "DescribeServiceDeployments", "DescribeServiceRevisions"] });
    const r = await e.run(["rollback", "--yes", "--env", "dev"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout).toContain("put back shop-api-dev:2 (image 8d1e4b7");
    expect(r.stdout).toContain(
      "known good by the deployer:previous-task-definition tag of shop-api-dev:4; its last deployment is not known",
    );
    expect((await e.running()).taskDefinition).toBe(td(2));
  });

  it("with nothing known to have run healthy before, rollback refuses and names --to", async () => {
    const e = await start();
    e.sb.admin.setFaults({ withoutActions: ["ListServiceDeployments", "DescribeServiceDeployments", "DescribeServiceRevisions"] });
    const r = await e.run(["rollback", "--yes", "--env", "dev"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stderr + r.stdout).toContain("ROLLBACK_REFUSED");
    expect(r.stderr + r.stdout).toContain("--to FAMILY:REVISION");
    expect(e.calls("UpdateService")).toBe(0);
  });

  it("rollback --to a revision whose deployment failed is refused unless --force", async () => {
    const e = await start();
    await badThenGood(e);
    const refused = await e.run(["rollback", "--yes", "--env", "dev", "--to", "shop-api-dev:3"]);
    expect(refused.exitCode, describeRun(refused)).toBe(1);
    expect(refused.stdout).toMatch(/shop-api-dev:3.*its last deployment FAILED/);
    expect(e.calls("UpdateService", DEV)).toBe(3);
  });
});

describe("issue 11: a rollback target that is INACTIVE", () => {
  it("rollback warns, registers an identical copy of the deregistered revision and deploys it; --strict refuses", async () => {
    const e = await start();
    await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
    await ok(e, ["rollout", "--image", "c0ffee1", "--stage", "dev"]);
    const { ecs } = await assumeDeployer(e.sb, DEV);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: td(2) }));

    const strict = await e.run(["rollback", "--yes", "--env", "dev", "--strict"]);
    expect(strict.exitCode, describeRun(strict)).toBe(1);
    expect(strict.stdout).toMatch(/shop-api-dev:2 .*INACTIVE/);
    expect(e.calls("RegisterTaskDefinition", DEV)).toBe(2);

    const r = await e.run(["rollback", "--yes", "--env", "dev"]);
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/WARN.*shop-api-dev:2 .*INACTIVE \(deregistered\).*identical copy/);
    expect(r.stdout).toContain("register an identical copy of shop-api-dev:2");
    const now = await e.running();
    expect(now.taskDefinition).toBe(td(4));
    expect(now.image).toContain(DIGEST["8d1e4b7"]);
    expect(now.tags["deployer:copy-of"]).toBe(td(2));
  });

  it("a rollout whose rollback target was deregistered rolls back to an identical copy instead of failing", async () => {
    const e = await start((t) => {
      if (t.name === "dev") t.circuitBreaker = { enable: true, rollback: false };
    });
    await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
    const { ecs } = await assumeDeployer(e.sb, DEV);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: td(2) })); // still running, now INACTIVE
    const r = await e.run(["rollout", "--image", "bad0001", "--stage", "dev", "--out-report", "r.json"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stdout).toMatch(/a failure rolls back to shop-api-dev:2 .*INACTIVE/);
    const t = e.report("r.json").targets[0]!;
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(t.rollback).toMatchObject({ by: "deployer", via: "update-service", ok: true, toTaskDefinitionArn: td(4) });
    const now = await e.running();
    expect(now).toMatchObject({ taskDefinition: td(4), tags: { "deployer:copy-of": td(2) } });
    expect(now.image).toContain(DIGEST["8d1e4b7"]);
  });
});

describe("issue 11: a re-run after a failed deployment", () => {
  it("is never 'unchanged': the failed definition is refused (or redeployed with --force), another is deployed over it", async () => {
    const e = await start((t) => {
      if (t.name === "dev") t.circuitBreaker = { enable: true, rollback: false };
    });
    // A run killed right after UpdateService; the deployment then fails, and ECS does not roll back.
    const killed = e.spawn(["rollout", "--image", "bad0001", "--stage", "dev"]);
    await killed.waitForOutput(/\[dev\] service updated/);
    killed.kill("SIGKILL");
    await killed.result;
    await until("the deployment FAILED", async () => {
      const { ecs } = await assumeDeployer(e.sb, DEV);
      const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!;
      return svc.deployments!.some((d) => d.status === "PRIMARY" && d.rolloutState === "FAILED");
    });

    const again = await e.run(["rollout", "--image", "bad0001", "--stage", "dev"]);
    expect(again.exitCode, describeRun(again)).toBe(1);
    expect(again.stdout).not.toMatch(/unchanged: already runs|no change/);
    expect(again.stdout).toMatch(/the last deployment of shop-api-dev:2 — the definition this plan wants — FAILED/);
    expect(again.stdout).toContain("--force");
    expect(e.calls("UpdateService", DEV)).toBe(1);

    const forced = await e.run(["rollout", "--image", "bad0001", "--stage", "dev", "--force", "--out-report", "forced.json"]);
    expect(forced.exitCode, describeRun(forced)).toBe(1);
    const t = e.report("forced.json").targets[0]!;
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    // It failed again; deployer rolled back to the revision that still ran beside it (COMPLETED), never to the failed one.
    expect(t.rollback).toMatchObject({ by: "deployer", ok: true, toTaskDefinitionArn: td(1) });

    await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
    expect((await e.running()).image).toContain(DIGEST["8d1e4b7"]);
  });
});

describe("issue 11: a service that cannot be read is 'unknown', never rolled back", () => {
  it("DescribeServices failing for the whole wait: the target ends unknown, nothing more is written; a target that completed stays completed", async () => {
    const e = await start();
    const p = e.spawn(["rollout", "--image", "8d1e4b7", "--stage", "prod", "--timeout", "4s", "--out-report", "r.json"]);
    await p.waitForOutput(/\[prod-us\] service updated/);
    e.sb.admin.setFaults({ actions: ["DescribeServices"], accounts: [PROD_US], errorRate: 1 });
    const r = await p.result;
    expect(r.exitCode, describeRun(r)).toBe(1);
    const report = e.report("r.json");
    const byName = Object.fromEntries(report.targets.map((t) => [t.target.name, t]));
    expect(byName["prod-eu"]!.outcome).toBe("deployed");
    expect(byName["prod-us"]!.outcome).toBe("unknown");
    expect(byName["prod-us"]!.rollback).toBeUndefined();
    expect(byName["prod-us"]!.error).toMatchObject({ action: "ecs:DescribeServices" });
    expect(report.error).toMatchObject({ code: "STATE_UNKNOWN" });
    expect(report.error!.hint).toContain("deployer status --env prod-us");
    expect(r.stdout).toMatch(/\[prod-us\] \? state unknown: could not read api/);
    expect(r.stdout).toContain("deployer status --env prod-us");
    // Exactly the one UpdateService of the rollout: no rollback on a read failure.
    expect(e.sb.admin.log({ account: PROD_US, action: "UpdateService" })).toHaveLength(1);
  });
});

describe("issue 11: the service is read again right before UpdateService", () => {
  async function foreignDuringRegistration(e: Env, args: string[]): Promise<CliResult> {
    // Registration is slow, so a deployment by someone else can start between preflight and update.
    e.sb.admin.setFaults({ perActionLatencyMs: { RegisterTaskDefinition: 1_500 } });
    const p = e.spawn(args);
    await p.waitForOutput(/\[dev\] registering a new revision/);
    e.sb.admin.startForeignDeployment({
      account: DEV,
      region: "eu-west-1",
      cluster: "shop-dev",
      service: "api",
      taskDefinition: "shop-api-dev:1",
    });
    return p.result;
  }

  it("a deployment someone else started after preflight stops the stage: nothing deployed over it", async () => {
    const e = await start();
    const r = await foreignDuringRegistration(e, ["rollout", "--image", "8d1e4b7", "--through", "staging", "--out-report", "r.json"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    const report = e.report("r.json");
    expect(report.targets[0]!.error).toMatchObject({ code: "DEPLOYMENT_IN_PROGRESS" });
    expect(report.targets[0]!.error!.message).toMatch(/api moved since preflight: .*deployer did not update it/);
    expect(report.targets[1]!.outcome).toBe("not-started");
    expect(e.calls("UpdateService", DEV)).toBe(0);
  });

  it("with --wait-for-in-progress deployer waits for it, then deploys", async () => {
    const e = await start();
    const done = foreignDuringRegistration(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev", "--wait-for-in-progress"]);
    await until("deployer waits for the other deployment", () => e.sb.admin.log({ account: DEV, action: "DescribeServices" }).length > 6);
    e.sb.admin.completeDeployment({ account: DEV, region: "eu-west-1", cluster: "shop-dev", service: "api" });
    const r = await done;
    expect(r.exitCode, describeRun(r)).toBe(0);
    expect(r.stdout).toMatch(/moved since preflight: .*waiting for it \(--wait-for-in-progress\)/);
    expect((await e.running()).image).toContain(DIGEST["8d1e4b7"]);
  });
});

describe("issue 11: CloudWatch alarm rollback", () => {
  it("an alarm that fails the deployment with rollback: deployer waits for ECS and reports 'rolled back by ecs (alarm NAME)'", async () => {
    const e = await start((t) => {
      // The breaker does not roll back; the alarms do: deployer must follow the alarms' rollback, not race it.
      if (t.name === "dev") {
        t.circuitBreaker = { enable: true, rollback: false };
        t.deploymentConfiguration = { alarms: { alarmNames: ["api-5xx"], enable: true, rollback: true } };
      }
    });
    e.sb.admin.markImageAlarming(DIGEST.c0ffee1);
    const r = await e.run(["rollout", "--image", "c0ffee1", "--stage", "dev", "--out-report", "r.json"]);
    expect(r.exitCode, describeRun(r)).toBe(1);
    expect(r.stdout).toMatch(/\[dev\] ✖ failed: .*; rolled back by ecs \(alarm api-5xx\) to shop-api-dev:1/);
    const t = e.report("r.json").targets[0]!;
    expect(t.rollback).toEqual({ by: "ecs", trigger: { by: "alarm", alarms: ["api-5xx"] }, toTaskDefinitionArn: td(1), ok: true });
    expect(t.error!.hint).toContain("api-5xx");
    expect(e.calls("UpdateService", DEV)).toBe(1); // ECS rolled back; deployer did not
    expect((await e.running()).taskDefinition).toBe(td(1));
  });
});

describe("issue 11: ECS-native BLUE_GREEN and LINEAR deployments", () => {
  const native = (t: TargetFixture): void => {
    if (t.name === "prod-eu") {
      t.circuitBreaker = { enable: false, rollback: false };
      t.deploymentConfiguration = {
        strategy: "BLUE_GREEN",
        bakeTimeInMinutes: 1,
        lifecycleHooks: [
          { hookTargetArn: "arn:aws:lambda:eu-west-1:444444444444:function:smoke", lifecycleStages: ["POST_TEST_TRAFFIC_SHIFT"] },
        ],
      };
    }
    if (t.name === "prod-us")
      t.deploymentConfiguration = {
        strategy: "LINEAR",
        bakeTimeInMinutes: 0,
        linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 },
      };
  };

  it("deploys both through their service deployments (bake time, lifecycle stages); a failing one is rolled back with StopServiceDeployment", async () => {
    const e = await start(native, { minuteSeconds: 0.3 });
    const good = await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "prod"]);
    expect(good.stdout).toMatch(/\[prod-eu\] .*BLUE_GREEN service deployment/);
    expect(good.stdout).toMatch(/\[prod-eu\] lifecycle stage POST_TEST_TRAFFIC_SHIFT \(lifecycle hook running\)/);
    expect(good.stdout).toMatch(/\[prod-eu\] lifecycle stage BAKE_TIME/);
    expect(good.stdout).toMatch(/\[prod-us\] lifecycle stage PRODUCTION_TRAFFIC_SHIFT/);
    expect(good.stdout).toMatch(/\[prod-eu\] shop-api-prod-eu:2 is live: service deployment \S+ SUCCESSFUL/);
    expect((await e.running(PROD_EU, "shop-prod-eu")).taskDefinition).toBe(td(2, "shop-api-prod-eu", PROD_EU));

    // bad0001 never gets healthy: prod-eu (no breaker) stays in SCALE_UP until deployer stops it with a
    // rollback; prod-us (breaker with rollback) is rolled back by ECS itself.
    const bad = await e.run(["rollout", "--image", "bad0001", "--stage", "prod", "--timeout", "3s", "--out-report", "bad.json"]);
    expect(bad.exitCode, describeRun(bad)).toBe(1);
    const byName = Object.fromEntries(e.report("bad.json").targets.map((t) => [t.target.name, t]));
    expect(byName["prod-eu"]!.error?.code).toBe("TIMEOUT");
    expect(byName["prod-eu"]!.rollback).toMatchObject({
      by: "deployer",
      via: "stop-service-deployment",
      ok: true,
      toTaskDefinitionArn: td(2, "shop-api-prod-eu", PROD_EU),
    });
    expect(byName["prod-us"]!.rollback).toMatchObject({ by: "ecs", ok: true });
    expect(e.sb.admin.log({ account: PROD_EU, action: "StopServiceDeployment" }).filter((x) => x.status === 200)).toHaveLength(1);
    expect(e.calls("UpdateService", PROD_EU)).toBe(2); // the good rollout and the bad one: the rollback was no second UpdateService
    expect((await e.running(PROD_EU, "shop-prod-eu")).taskDefinition).toBe(td(2, "shop-api-prod-eu", PROD_EU));
    expect((await e.running(PROD_US, "shop-prod-us", "us-east-1")).taskDefinition).toBe(td(2, "shop-api-prod-us", PROD_US, "us-east-1"));
  });
});

describe("issue 11: a service at desiredCount 0", () => {
  it("is 'scaled to zero' in status, never healthy, and promote does not carry its digest", async () => {
    const e = await start((t) => {
      if (t.name === "dev") t.desiredCount = 0;
    });
    await ok(e, ["rollout", "--image", "8d1e4b7", "--stage", "dev"]);
    const status = await e.run(["-o", "json", "status"]);
    expect(status.exitCode, describeRun(status)).toBe(0);
    const dev = (
      JSON.parse(status.stdout) as { rows: Array<{ target: { name: string }; health: { state: string }; promotion: { state: string } }> }
    ).rows.find((r) => r.target.name === "dev")!;
    expect(dev.health.state).toBe("scaled-to-zero");
    const text = await e.run(["status"]);
    expect(text.stdout).toMatch(/^dev\s.*scaled to zero/m);
    expect(text.stdout).toContain("1 scaled to zero");

    const promote = await e.run(["promote", "--stage", "staging", "--yes"]);
    expect(promote.exitCode, describeRun(promote)).toBe(1);
    expect(promote.stdout + promote.stderr).toContain(`scaled to zero (desiredCount 0): ${DIGEST["8d1e4b7"]} never ran there`);
    expect(e.calls("UpdateService", "333333333333")).toBe(0);
  });
});
