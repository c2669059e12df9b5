// ECS deployments over time: healthy rollout to COMPLETED, circuit breaker FAILED + rollback,
// no breaker = IN_PROGRESS forever, a foreign deployment in progress, settle notifications.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DescribeServicesCommand, RegisterTaskDefinitionCommand, UpdateServiceCommand, type Service } from "@aws-sdk/client-ecs";
import { DescribeTaskDefinitionCommand } from "@aws-sdk/client-ecs";
import { startSandbox, type Sandbox } from "../../sandbox/index.js";
import { assumeDeployer } from "./clients.js";

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ port: 0, deploymentSeconds: 0.3 });
});
afterAll(async () => {
  await sb.stop();
});

const DIGEST = {
  good: "sha256:e35bce68d8bea8204f35f88766dbe10f06d6bbfd4719c066b7afb7b3f741622f", // 8d1e4b7
  bad: "sha256:269b27fedbb6b421e204493039d1dc5e7699360744d7a506a6d854631e2adc66", // bad0001
};

type Ecs = Awaited<ReturnType<typeof assumeDeployer>>["ecs"];

async function describe1(ecs: Ecs, cluster: string): Promise<Service> {
  const out = await ecs.send(new DescribeServicesCommand({ cluster, services: ["api"] }));
  return out.services![0]!;
}

/** Polls until `done` holds; collects every observed state. Gives up after `limitMs` (not an assertion on timing). */
async function pollUntil(ecs: Ecs, cluster: string, done: (s: Service) => boolean, limitMs = 8000): Promise<Service[]> {
  const seen: Service[] = [];
  const deadline = Date.now() + limitMs;
  for (;;) {
    const s = await describe1(ecs, cluster);
    seen.push(s);
    if (done(s)) return seen;
    if (Date.now() > deadline)
      throw new Error(`service in ${cluster} never reached the expected state; last: ${JSON.stringify(s.deployments)}`);
    await new Promise((r) => setTimeout(r, 40));
  }
}

/** Registers a new revision of the service's current task definition with another image. */
async function newRevision(ecs: Ecs, family: string, image: string, env: { name: string; value: string }[] = []): Promise<string> {
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
      containerDefinitions: [
        { ...c, image: c.image!.replace(/@sha256:[0-9a-f]+$/, `@${image}`), environment: [...(c.environment ?? []), ...env] },
      ],
    }),
  );
  return out.taskDefinition!.taskDefinitionArn!;
}

describe("sandbox: ECS deployments", () => {
  it("rolls a healthy deployment out: PRIMARY IN_PROGRESS, old ACTIVE drained, then COMPLETED with a steady-state event", async () => {
    const settled: { deploymentId: string; rolloutState: string }[] = [];
    const off = sb.admin.onDeploymentSettled((e) => {
      if (e.account === "333333333333") settled.push(e);
    });
    const staging = await assumeDeployer(sb, "333333333333");
    const arn = await newRevision(staging.ecs, "shop-api-staging", DIGEST.good);
    const before = await describe1(staging.ecs, "shop-staging");
    const oldId = before.deployments![0]!.id!;

    // Long enough that a poll sees the rollout under way even on a loaded machine (restored below).
    sb.admin.setDeploymentSeconds(2);
    const upd = await staging.ecs.send(new UpdateServiceCommand({ cluster: "shop-staging", service: "api", taskDefinition: arn }));
    sb.admin.setDeploymentSeconds(0.3);
    const deps = upd.service!.deployments!;
    expect(deps.map((d) => [d.status, d.rolloutState])).toEqual([
      ["PRIMARY", "IN_PROGRESS"],
      ["ACTIVE", "COMPLETED"],
    ]);
    expect(deps[0]!.taskDefinition).toBe(arn);
    expect(deps[1]!.id).toBe(oldId);
    expect(deps[1]!.runningCount).toBe(2);
    const newId = deps[0]!.id!;

    const seen = await pollUntil(
      staging.ecs,
      "shop-staging",
      (s) => s.deployments!.length === 1 && s.deployments![0]!.rolloutState === "COMPLETED",
    );
    const inProgress = seen.filter((x) => x.deployments![0]!.rolloutState === "IN_PROGRESS");
    // The rollout takes time (deploymentSeconds): at least one snapshot shows it under way, so the loop below checks something.
    expect(inProgress.length).toBeGreaterThan(0);
    for (const s of inProgress) {
      const [primary, old] = s.deployments!;
      expect(primary!.runningCount! + primary!.pendingCount!).toBe(2);
      expect(primary!.runningCount! + old!.runningCount!).toBe(2); // old tasks drain as new ones start
    }
    const last = seen.at(-1)!;
    expect(last.deployments![0]!.id).toBe(newId);
    expect(last.taskDefinition).toBe(arn);
    expect(last.runningCount).toBe(2);
    expect(last.deployments![0]!.rolloutStateReason).toBe(`ECS deployment ${newId} completed.`);
    expect(last.events![0]!.message).toBe("(service api) has reached a steady state.");
    expect(last.events!.map((e) => e.message)).toContain(`(service api) (deployment ${newId}) deployment completed.`);
    expect(settled).toEqual([expect.objectContaining({ deploymentId: newId, rolloutState: "COMPLETED" })]);
    off();
  });

  it("fails a bad image with the circuit breaker and rolls back to the previous task definition", async () => {
    const dev = await assumeDeployer(sb, "222222222222");
    const previous = (await describe1(dev.ecs, "shop-dev")).taskDefinition!;
    const bad = await newRevision(dev.ecs, "shop-api-dev", DIGEST.bad);
    const upd = await dev.ecs.send(new UpdateServiceCommand({ cluster: "shop-dev", service: "api", taskDefinition: bad }));
    const failedId = upd.service!.deployments![0]!.id!;

    const seen = await pollUntil(
      dev.ecs,
      "shop-dev",
      (s) => s.deployments!.length === 1 && s.deployments![0]!.rolloutState === "COMPLETED",
    );
    const failedView = seen.find((s) => s.deployments!.some((d) => d.id === failedId && d.rolloutState === "FAILED"));
    expect(failedView, "the failed deployment was observed").toBeDefined();
    const failed = failedView!.deployments!.find((d) => d.id === failedId)!;
    expect(failed.rolloutStateReason).toBe("ECS deployment circuit breaker: tasks failed to start.");
    expect(failed.failedTasks).toBeGreaterThanOrEqual(3);
    const rollback = failedView!.deployments!.find((d) => d.status === "PRIMARY")!;
    expect(rollback.rolloutStateReason).toMatch(/^ECS deployment circuit breaker: rolling back to deploymentId ecs-svc\/\d+\.$/);
    expect(rollback.taskDefinition).toBe(previous);

    const last = seen.at(-1)!;
    expect(last.taskDefinition).toBe(previous);
    expect(last.events!.map((e) => e.message)).toContain(
      `(service api) (deployment ${failedId}) deployment failed: tasks failed to start.`,
    );
  });

  it("without the circuit breaker, a crashing deployment stays IN_PROGRESS with failing tasks", async () => {
    const us = await assumeDeployer(sb, "555555555555", "us-east-1");
    const crash = await newRevision(us.ecs, "shop-api-prod-us", DIGEST.good, [{ name: "SANDBOX_CRASH", value: "1" }]);
    await us.ecs.send(
      new UpdateServiceCommand({
        cluster: "shop-prod-us",
        service: "api",
        taskDefinition: crash,
        deploymentConfiguration: { deploymentCircuitBreaker: { enable: false, rollback: false } },
      }),
    );
    const seen = await pollUntil(us.ecs, "shop-prod-us", (s) => (s.deployments![0]!.failedTasks ?? 0) > 3);
    const last = seen.at(-1)!;
    expect(last.deployments![0]!.rolloutState).toBe("IN_PROGRESS");
    expect(last.deployments![0]!.runningCount).toBe(0);
    expect(last.deployments![1]!.runningCount).toBe(2); // the old tasks keep serving
    expect(last.events!.some((e) => /has stopped 1 running tasks: .*Essential container in task exited/.test(e.message ?? ""))).toBe(true);
  });

  it("a foreign deployment stays IN_PROGRESS until completed through the admin API", async () => {
    const id = sb.admin.startForeignDeployment({ account: "444444444444", region: "eu-west-1", cluster: "shop-prod-eu", service: "api" });
    const prod = await assumeDeployer(sb, "444444444444");
    await new Promise((r) => setTimeout(r, 400)); // longer than a healthy rollout takes
    const s = await describe1(prod.ecs, "shop-prod-eu");
    expect(s.deployments![0]).toMatchObject({ id, status: "PRIMARY", rolloutState: "IN_PROGRESS" });
    sb.admin.completeDeployment({ account: "444444444444", region: "eu-west-1", cluster: "shop-prod-eu", service: "api" });
    const done = await describe1(prod.ecs, "shop-prod-eu");
    expect(done.deployments!.map((d) => [d.id, d.rolloutState])).toEqual([[id, "COMPLETED"]]);
  });

  it("reports an image the target account cannot pull as a failing deployment (prod-eu is not granted on the central repository)", async () => {
    const prod = await assumeDeployer(sb, "444444444444");
    const cur = (await prod.ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: "shop-api-prod-eu" }))).taskDefinition!;
    const c = cur.containerDefinitions![0]!;
    const central = `111111111111.dkr.ecr.eu-west-1.amazonaws.com/shop/api@${DIGEST.good}`;
    const out = await prod.ecs.send(
      new RegisterTaskDefinitionCommand({
        family: "shop-api-prod-eu",
        taskRoleArn: cur.taskRoleArn,
        executionRoleArn: cur.executionRoleArn,
        networkMode: "awsvpc",
        requiresCompatibilities: ["FARGATE"],
        cpu: cur.cpu,
        memory: cur.memory,
        containerDefinitions: [{ ...c, image: central }],
      }),
    );
    await prod.ecs.send(
      new UpdateServiceCommand({ cluster: "shop-prod-eu", service: "api", taskDefinition: out.taskDefinition!.taskDefinitionArn }),
    );
    const seen = await pollUntil(prod.ecs, "shop-prod-eu", (s) => s.deployments!.some((d) => d.rolloutState === "FAILED"));
    expect(seen.at(-1)!.events!.some((e) => e.message?.includes("CannotPullContainerError") && e.message.includes("403 Forbidden"))).toBe(
      true,
    );
  });
});
