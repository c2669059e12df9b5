// The sandbox's service deployments and revisions (ListServiceDeployments, DescribeServiceDeployments,
// DescribeServiceRevisions, StopServiceDeployment), CloudWatch alarm failures, deployments that fail
// without rollback, INACTIVE revisions refused, and the ECS-native BLUE_GREEN / LINEAR strategies —
// each through the real SDK client, as the ECS documentation describes them.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ClientException,
  ConflictException,
  DeregisterTaskDefinitionCommand,
  DescribeServiceDeploymentsCommand,
  DescribeServiceRevisionsCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  InvalidParameterException,
  ListServiceDeploymentsCommand,
  RegisterTaskDefinitionCommand,
  StopServiceDeploymentCommand,
  UpdateServiceCommand,
  type ServiceDeployment,
} from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { demoFixture } from "../helpers/pipeline.js";
import { assumeDeployer } from "./clients.js";

const DIGEST = {
  good: "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f", // 8d1e4b7
  other: "sha256:5292a8330c8b749e883e7108ad7fa9062f4d6796ebef1f6ff4d5d29bf120d901", // c0ffee1
  bad: "sha256:269b27fedbb6b421e204493039d1dc5e7699360744d7a506a6d854631e2adc66", // bad0001
};

let sb: Sandbox;
beforeAll(async () => {
  const fixture = demoFixture();
  for (const t of fixture.targets ?? []) {
    // staging: CloudWatch deployment alarms with rollback; prod-eu: BLUE_GREEN without the breaker; prod-us: LINEAR.
    if (t.name === "staging") t.deploymentConfiguration = { alarms: { alarmNames: ["api-5xx"], enable: true, rollback: true } };
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
  }
  // 1.2 s per deployment: long enough that the first read after UpdateService still sees IN_PROGRESS on a loaded machine.
  sb = await startSandbox({ port: 0, fixture, deploymentSeconds: 1.2, minuteSeconds: 0.2 });
});
afterAll(async () => {
  await sb?.stop();
});

type Ecs = Awaited<ReturnType<typeof assumeDeployer>>["ecs"];

async function newRevision(ecs: Ecs, family: string, digest: string): Promise<string> {
  const cur = (await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: family }))).taskDefinition!;
  const c = cur.containerDefinitions![0]!;
  const out = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      taskRoleArn: cur.taskRoleArn,
      executionRoleArn: cur.executionRoleArn,
      networkMode: cur.networkMode,
      requiresCompatibilities: cur.requiresCompatibilities,
      cpu: cur.cpu,
      memory: cur.memory,
      containerDefinitions: [{ ...c, image: c.image!.replace(/@sha256:[0-9a-f]+$/, `@${digest}`) }],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

async function describeDeployment(ecs: Ecs, arn: string): Promise<ServiceDeployment> {
  return (await ecs.send(new DescribeServiceDeploymentsCommand({ serviceDeploymentArns: [arn] }))).serviceDeployments![0]!;
}

/** Polls the service deployment until `done`; every state seen, in order. */
async function followDeployment(
  ecs: Ecs,
  arn: string,
  done: (d: ServiceDeployment) => boolean,
  limitMs = 10_000,
): Promise<ServiceDeployment[]> {
  const seen: ServiceDeployment[] = [];
  for (const end = Date.now() + limitMs; ;) {
    const d = await describeDeployment(ecs, arn);
    seen.push(d);
    if (done(d)) return seen;
    if (Date.now() > end) throw new Error(`service deployment never reached the expected state; last: ${JSON.stringify(d)}`);
    await new Promise((r) => setTimeout(r, 30));
  }
}

async function taskDefinitionOfRevision(ecs: Ecs, revisionArn: string): Promise<string> {
  return (await ecs.send(new DescribeServiceRevisionsCommand({ serviceRevisionArns: [revisionArn] }))).serviceRevisions![0]!
    .taskDefinition!;
}

describe("sandbox: service deployments and revisions", () => {
  it("records each deployment: IN_PROGRESS then SUCCESSFUL, newest first, with source and target revisions", async () => {
    const { ecs } = await assumeDeployer(sb, "222222222222");
    const before = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: "shop-dev", service: "api" }))).serviceDeployments!;
    expect(before).toHaveLength(1);
    expect(before[0]).toMatchObject({ status: "SUCCESSFUL" });
    const seededRevision = before[0]!.targetServiceRevisionArn!;
    expect(seededRevision).toMatch(/^arn:aws:ecs:eu-west-1:222222222222:service-revision\/shop-dev\/api\/\d{19}$/);

    const arn = await newRevision(ecs, "shop-api-dev", DIGEST.good);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", taskDefinition: arn }));
    const sdArn = upd.service!.currentServiceDeployment!;
    expect(sdArn).toMatch(/^arn:aws:ecs:eu-west-1:222222222222:service-deployment\/shop-dev\/api\/[A-Za-z0-9]{21}$/);
    const seen = await followDeployment(ecs, sdArn, (d) => d.status === "SUCCESSFUL");
    expect(seen[0]!.status).toBe("IN_PROGRESS");
    const done = seen.at(-1)!;
    expect(done.sourceServiceRevisions!.map((r) => r.arn)).toEqual([seededRevision]);
    expect(done.finishedAt).toBeInstanceOf(Date);
    expect(done.deploymentCircuitBreaker).toMatchObject({ status: "MONITORING_COMPLETE", failureCount: 0, threshold: 3 });
    expect(done.alarms).toEqual({ status: "DISABLED" });
    expect(await taskDefinitionOfRevision(ecs, done.targetServiceRevision!.arn!)).toBe(arn);

    const after = (await ecs.send(new ListServiceDeploymentsCommand({ cluster: "shop-dev", service: "api" }))).serviceDeployments!;
    expect(after.map((d) => d.serviceDeploymentArn)).toEqual([sdArn, before[0]!.serviceDeploymentArn]);
    const page = await ecs.send(new ListServiceDeploymentsCommand({ cluster: "shop-dev", service: "api", maxResults: 1 }));
    expect(page.serviceDeployments).toHaveLength(1);
    expect(page.nextToken).toBeDefined();
  });

  it("a circuit-breaker failure with rollback: ROLLBACK_IN_PROGRESS, then ROLLBACK_SUCCESSFUL back to the revision that ran", async () => {
    const { ecs } = await assumeDeployer(sb, "222222222222");
    const running = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!.taskDefinition!;
    const bad = await newRevision(ecs, "shop-api-dev", DIGEST.bad);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", taskDefinition: bad }));
    const seen = await followDeployment(ecs, upd.service!.currentServiceDeployment!, (d) => d.status === "ROLLBACK_SUCCESSFUL");
    expect(seen.map((d) => d.status)).toContain("ROLLBACK_IN_PROGRESS");
    const done = seen.at(-1)!;
    expect(done.deploymentCircuitBreaker!.status).toBe("TRIGGERED");
    expect(done.rollback!.reason).toMatch(/circuit breaker/i);
    expect(await taskDefinitionOfRevision(ecs, done.rollback!.serviceRevisionArn!)).toBe(running);
  });

  it("a failure without rollback: the service deployment is STOPPED and the PRIMARY stays FAILED with 0 tasks", async () => {
    const { ecs } = await assumeDeployer(sb, "222222222222");
    const bad = await newRevision(ecs, "shop-api-dev", DIGEST.bad);
    const upd = await ecs.send(
      new UpdateServiceCommand({
        cluster: "shop-dev",
        service: "api",
        taskDefinition: bad,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: false } },
      }),
    );
    const seen = await followDeployment(ecs, upd.service!.currentServiceDeployment!, (d) => d.status === "STOPPED");
    expect(seen.at(-1)!.stoppedAt).toBeInstanceOf(Date);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-dev", services: ["api"] }))).services![0]!;
    const primary = svc.deployments!.find((d) => d.status === "PRIMARY")!;
    expect(primary).toMatchObject({ taskDefinition: bad, rolloutState: "FAILED", runningCount: 0 });
    // Put the breaker's rollback back for the tests after this one.
    await ecs.send(
      new UpdateServiceCommand({
        cluster: "shop-dev",
        service: "api",
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: true, rollback: true } },
      }),
    );
  });

  it("refuses UpdateService to an INACTIVE (deregistered) task definition", async () => {
    const { ecs } = await assumeDeployer(sb, "222222222222");
    const arn = await newRevision(ecs, "shop-api-dev", DIGEST.other);
    await ecs.send(new DeregisterTaskDefinitionCommand({ taskDefinition: arn }));
    const err = await ecs
      .send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", taskDefinition: arn }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ClientException);
    expect((err as Error).message).toMatch(/inactive/i);
  });

  it("CloudWatch alarms: an image that trips them fails the deployment and ECS rolls back, naming the alarm", async () => {
    sb.admin.markImageAlarming(DIGEST.other);
    const { ecs } = await assumeDeployer(sb, "333333333333");
    const svc0 = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-staging", services: ["api"] }))).services![0]!;
    expect(svc0.deploymentConfiguration!.alarms).toEqual({ alarmNames: ["api-5xx"], enable: true, rollback: true });
    const arn = await newRevision(ecs, "shop-api-staging", DIGEST.other);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-staging", service: "api", taskDefinition: arn }));
    const failedId = upd.service!.deployments![0]!.id!;
    const seen = await followDeployment(ecs, upd.service!.currentServiceDeployment!, (d) => d.status === "ROLLBACK_SUCCESSFUL");
    const done = seen.at(-1)!;
    expect(done.alarms).toMatchObject({ status: "TRIGGERED", alarmNames: ["api-5xx"], triggeredAlarmNames: ["api-5xx"] });
    expect(done.deploymentCircuitBreaker!.status).not.toBe("TRIGGERED");
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-staging", services: ["api"] }))).services![0]!;
    expect(svc.taskDefinition).toBe(svc0.taskDefinition);
    expect(svc.events!.map((e) => e.message)).toContain(
      `(service api) (deployment ${failedId}) deployment failed: alarm(s) api-5xx in ALARM state.`,
    );
  });

  it("BLUE_GREEN: lifecycle stages in order, no rolloutState, both revisions running, SUCCESSFUL after the bake time", async () => {
    const { ecs } = await assumeDeployer(sb, "444444444444");
    const arn = await newRevision(ecs, "shop-api-prod-eu", DIGEST.good);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-prod-eu", service: "api", taskDefinition: arn }));
    expect(upd.service!.deploymentConfiguration).toMatchObject({ strategy: "BLUE_GREEN", bakeTimeInMinutes: 1 });
    expect(upd.service!.deployments!.map((d) => [d.status, d.rolloutState])).toEqual([
      ["PRIMARY", undefined],
      ["ACTIVE", undefined],
    ]);
    const seen = await followDeployment(ecs, upd.service!.currentServiceDeployment!, (d) => d.status === "SUCCESSFUL");
    const stages = [...new Set(seen.map((d) => d.lifecycleStage))];
    expect(stages.indexOf("SCALE_UP")).toBeLessThan(stages.indexOf("BAKE_TIME"));
    expect(stages).toContain("POST_TEST_TRAFFIC_SHIFT");
    expect(stages.at(-1)).toBe("CLEAN_UP");
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-prod-eu", services: ["api"] }))).services![0]!;
    expect(svc.deployments!.map((d) => d.taskDefinition)).toEqual([arn]);
    expect(svc.runningCount).toBe(3);
  });

  it("BLUE_GREEN without the breaker: a bad image stays in SCALE_UP; StopServiceDeployment ROLLBACK returns to blue", async () => {
    const { ecs } = await assumeDeployer(sb, "444444444444");
    const blue = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-prod-eu", services: ["api"] }))).services![0]!
      .taskDefinition!;
    const bad = await newRevision(ecs, "shop-api-prod-eu", DIGEST.bad);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-prod-eu", service: "api", taskDefinition: bad }));
    const sdArn = upd.service!.currentServiceDeployment!;
    await new Promise((r) => setTimeout(r, 700)); // longer than a healthy scale-up takes
    expect(await describeDeployment(ecs, sdArn)).toMatchObject({ status: "IN_PROGRESS", lifecycleStage: "SCALE_UP" });

    const abort = await ecs
      .send(new StopServiceDeploymentCommand({ serviceDeploymentArn: sdArn, stopType: "ABORT" }))
      .catch((e: unknown) => e);
    expect(abort).toBeInstanceOf(InvalidParameterException);
    await ecs.send(new StopServiceDeploymentCommand({ serviceDeploymentArn: sdArn, stopType: "ROLLBACK" }));
    const seen = await followDeployment(ecs, sdArn, (d) => d.status === "ROLLBACK_SUCCESSFUL");
    expect(seen[0]!.status).toMatch(/^ROLLBACK_(REQUESTED|IN_PROGRESS)$/);
    expect(await taskDefinitionOfRevision(ecs, seen.at(-1)!.rollback!.serviceRevisionArn!)).toBe(blue);
    const svc = (await ecs.send(new DescribeServicesCommand({ cluster: "shop-prod-eu", services: ["api"] }))).services![0]!;
    expect(svc.taskDefinition).toBe(blue);
    expect(svc.deployments!.map((d) => [d.status, d.taskDefinition])).toEqual([["PRIMARY", blue]]);

    const again = await ecs
      .send(new StopServiceDeploymentCommand({ serviceDeploymentArn: sdArn, stopType: "ROLLBACK" }))
      .catch((e: unknown) => e);
    expect(again).toBeInstanceOf(ConflictException);
  });

  it("LINEAR: production traffic shifts in steps with the step bake time between them", async () => {
    const { ecs } = await assumeDeployer(sb, "555555555555", "us-east-1");
    const arn = await newRevision(ecs, "shop-api-prod-us", DIGEST.good);
    const upd = await ecs.send(new UpdateServiceCommand({ cluster: "shop-prod-us", service: "api", taskDefinition: arn }));
    expect(upd.service!.deploymentConfiguration).toMatchObject({
      strategy: "LINEAR",
      linearConfiguration: { stepPercent: 50, stepBakeTimeInMinutes: 1 },
    });
    const seen = await followDeployment(ecs, upd.service!.currentServiceDeployment!, (d) => d.status === "SUCCESSFUL");
    // Two 50% steps with one 0.2 s "minute" of bake between them: PRODUCTION_TRAFFIC_SHIFT is seen for a while.
    expect(seen.filter((d) => d.lifecycleStage === "PRODUCTION_TRAFFIC_SHIFT").length).toBeGreaterThan(1);
  });

  it("refuses a BLUE_GREEN configuration without bakeTimeInMinutes", async () => {
    const { ecs } = await assumeDeployer(sb, "222222222222");
    const err = await ecs
      .send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", deploymentConfiguration: { strategy: "BLUE_GREEN" } }))
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidParameterException);
    expect((err as Error).message).toContain("bakeTimeInMinutes");
  });
});
