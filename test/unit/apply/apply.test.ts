import { describe, expect, it } from "vitest";
import { applyPlan } from "../../../src/apply/apply.js";
import type { RunEvent } from "../../../src/apply/types.js";
import { awsException } from "../../helpers/fake-aws.js";
import { DIGEST_BAD, DIGEST_NEW, DIGEST_OLD, eventsOf, fleet, maxConcurrency, taskDefinition } from "./fixture.js";

const POLL = { initialMs: 2_000, maxMs: 15_000, factor: 1.5 };
const OLD_TD = (account: string) => `arn:aws:ecs:eu-west-1:${account}:task-definition/shop-api:1`;
const NEW_TD = (account: string) => `arn:aws:ecs:eu-west-1:${account}:task-definition/shop-api:2`;

describe("applyPlan: success", () => {
  it("rolls stages in order, at most maxParallel targets of a stage at once", async () => {
    const f = fleet(
      [{ name: "dev" }, { name: "prod", maxParallel: 2 }],
      [
        { name: "dev", stage: "dev", account: "100000000001" },
        { name: "prod-a", stage: "prod", account: "200000000001" },
        { name: "prod-b", stage: "prod", account: "200000000002" },
        { name: "prod-c", stage: "prod", account: "200000000003" },
        { name: "prod-d", stage: "prod", account: "200000000004" },
      ],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });

    expect(report.ok).toBe(true);
    expect(report.error).toBeUndefined();
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["dev", "deployed"],
      ["prod-a", "deployed"],
      ["prod-b", "deployed"],
      ["prod-c", "deployed"],
      ["prod-d", "deployed"],
    ]);
    for (const t of report.targets) {
      const fake = f.ecsOf(t.target.name);
      expect(t.taskDefinitionArn).toBe(NEW_TD(fake.account));
      expect(t.previousTaskDefinitionArn).toBe(OLD_TD(fake.account));
      expect(t.lastStep).toBe("wait-stable");
      expect(t.deploymentId).toMatch(/^ecs-svc\//);
      expect(t.durationMs).toBeGreaterThanOrEqual(60_000);
      expect(fake.count("RegisterTaskDefinition")).toBe(1);
      expect(fake.count("UpdateService")).toBe(1);
      expect(fake.primaryTaskDefinition(t.target.service)).toBe(NEW_TD(fake.account));
      expect(fake.registeredTaskDefinitions().find((d) => d.revision === 2)?.tags).toEqual({
        "deployer:image-digest": DIGEST_NEW,
        "deployer:run-id": "r1",
      });
    }

    // dev finished before prod started.
    const kinds = f.events
      .filter((e) => e.type === "stage-start" || e.type === "stage-done")
      .map((e) => `${e.type}:${"stage" in e ? e.stage : ""}`);
    expect(kinds).toEqual(["stage-start:dev", "stage-done:dev", "stage-start:prod", "stage-done:prod"]);
    const prodStart = f.events.findIndex((e) => e.type === "stage-start" && e.stage === "prod");
    expect(maxConcurrency(f.events.slice(prodStart))).toBe(2);
    // Events for every step of a target.
    const steps = eventsOf(f.events, "prod-c")
      .filter((e) => e.type === "step")
      .map((e) => e.step);
    expect(new Set(steps)).toEqual(new Set(["register-task-definition", "update-service", "wait-stable"]));
  });

  it("runs all targets of a stage at once without maxParallel", async () => {
    const f = fleet(
      [{ name: "prod" }],
      ["a", "b", "c"].map((n, i) => ({ name: n, stage: "prod", account: `30000000000${i}` })),
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.ok).toBe(true);
    expect(maxConcurrency(f.events)).toBe(3);
  });

  it("reports noop targets unchanged without a single call to their account", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [
        { name: "dev-1", stage: "dev", account: "100000000001" },
        { name: "dev-2", stage: "dev", account: "100000000002", action: "noop" },
      ],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.ok).toBe(true);
    const noop = report.targets.find((t) => t.target.name === "dev-2")!;
    expect(noop.outcome).toBe("unchanged");
    expect(noop.taskDefinitionArn).toBe(OLD_TD("100000000002"));
    expect(f.ecsOf("dev-2").calls).toEqual([]);
    expect(f.events).toContainEqual(expect.objectContaining({ type: "target-done", target: "dev-2", outcome: "unchanged" }));
  });

  it("reuses a task definition an earlier run registered: nothing is registered", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    const fake = f.ecsOf("dev");
    const earlier = await fake.registerTaskDefinition(taskDefinition(DIGEST_NEW), { "deployer:run-id": "r0" });
    f.plan.targets[0]!.steps[0] = { kind: "reuse-task-definition", taskDefinitionArn: earlier.arn };
    const registrationsBefore = fake.count("RegisterTaskDefinition");

    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("deployed");
    expect(t.reusedTaskDefinition).toBe(true);
    expect(t.taskDefinitionArn).toBe(earlier.arn);
    expect(fake.count("RegisterTaskDefinition")).toBe(registrationsBefore);
    expect(fake.primaryTaskDefinition("api-dev")).toBe(earlier.arn);
  });

  it("waits for services without rollout state until theirs is the only deployment and fully running", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001", rolloutStates: false }]);
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets[0]!.outcome).toBe("deployed");
    expect(report.targets[0]!.durationMs).toBeGreaterThanOrEqual(60_000);
    const progress = eventsOf(f.events, "dev").filter((e) => e.type === "progress");
    expect(progress.at(-1)).toMatchObject({ running: 2, desired: 2, pending: 0 });
  });

  it("reports only service events that are new since the update, each once", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const messages = eventsOf(f.events, "dev")
      .filter((e) => e.type === "service-event")
      .map((e) => (e as { message: string }).message);
    expect(messages).not.toContain("(service old) has reached a steady state.");
    expect(messages.filter((m) => m.endsWith("deployment completed."))).toHaveLength(1);
    expect(messages.filter((m) => m === "(service api-dev) has reached a steady state.")).toHaveLength(1);
    // Oldest first.
    expect(messages.indexOf("(service api-dev) has reached a steady state.")).toBeGreaterThan(
      messages.findIndex((m) => m.endsWith("deployment completed.")),
    );
  });

  it("rides out a few failed polls with warnings", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    f.ecsOf("dev").failNext("DescribeServices", awsException("ThrottlingException", "Rate exceeded"), 2);
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets[0]!.outcome).toBe("deployed");
    expect(
      f.events.filter(
        (e) => e.type === "warning" && e.message.includes("Rate exceeded") && e.message.startsWith("could not read the service"),
      ),
    ).toHaveLength(2);
  });
});

describe("applyPlan: refusals", () => {
  it("applies nothing when the plan blocks any target", async () => {
    const f = fleet(
      [{ name: "dev" }, { name: "prod" }],
      [
        { name: "dev", stage: "dev", account: "100000000001" },
        { name: "broken", stage: "prod", account: "200000000001", action: "blocked" },
      ],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe("PREFLIGHT_FAILED");
    expect(report.error?.message).toContain("broken");
    expect(report.targets.map((t) => t.outcome)).toEqual(["not-started", "not-started"]);
    const broken = report.targets[1]!;
    expect(broken.error).toMatchObject({
      code: "PREFLIGHT_FAILED",
      target: "broken",
      account: "200000000001",
      hint: "allow iam:PassRole on the task role",
    });
    for (const fake of f.ecs.values()) expect(fake.calls).toEqual([]);
  });

  it("refuses a plan whose target belongs to no stage of the plan, before any call", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    f.plan.stages = [{ name: "staging" }];
    await expect(applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL })).rejects.toMatchObject({
      code: "PLAN_INVALID",
      target: "dev",
    });
    expect(f.ecsOf("dev").calls).toEqual([]);
  });
});

describe("applyPlan: failures and rollbacks", () => {
  it("circuit breaker with rollback: waits for ECS's rollback and reports it", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } }],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({
      code: "DEPLOYMENT_FAILED",
      target: "dev",
      account: "100000000001",
      action: "ecs:UpdateService",
      resource: "arn:aws:ecs:eu-west-1:100000000001:service/main/api-dev",
      awsCode: "FAILED",
      awsMessage: "ECS deployment circuit breaker: tasks failed to start.",
    });
    expect(t.error?.hint).toMatch(/stopped tasks/);
    expect(t.rollback).toEqual({ by: "ecs", trigger: { by: "circuit-breaker" }, toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    const fake = f.ecsOf("dev");
    expect(fake.count("UpdateService")).toBe(1); // deployer did not roll back itself
    expect(fake.primaryTaskDefinition("api-dev")).toBe(OLD_TD("100000000001"));
    expect(fake.snapshot("api-dev").deployments).toHaveLength(1);
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe("DEPLOYMENT_FAILED");
  });

  it("circuit breaker set to roll back but ECS starts no rollback: deployer rolls back after a grace period", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } }],
      undefined,
      { ecsRollsBack: false },
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(t.rollback).toEqual({ by: "deployer", via: "update-service", toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    const updates = f.ecsOf("dev").calls.filter((c) => c.action === "UpdateService");
    expect(updates.map((c) => c.taskDefinition)).toEqual([NEW_TD("100000000001"), OLD_TD("100000000001")]);
    expect(f.events).toContainEqual(
      expect.objectContaining({
        type: "warning",
        target: "dev",
        message: "ECS did not start a rollback within 1m; deployer rolls back itself",
      }),
    );
  });

  it("circuit breaker without rollback: deployer updates back to the previous task definition and waits", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: false } }],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(t.rollback).toEqual({ by: "deployer", via: "update-service", toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    const updates = f.ecsOf("dev").calls.filter((c) => c.action === "UpdateService");
    expect(updates.map((c) => c.taskDefinition)).toEqual([NEW_TD("100000000001"), OLD_TD("100000000001")]);
    expect(f.ecsOf("dev").snapshot("api-dev").deployments).toEqual([
      expect.objectContaining({ taskDefinition: OLD_TD("100000000001"), rolloutState: "COMPLETED" }),
    ]);
  });

  it("no circuit breaker: times out, then deployer rolls back", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, timeoutSeconds: 300 }]);
    const start = f.clock.now();
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({ code: "TIMEOUT", target: "dev", account: "100000000001", action: "ecs:DescribeServices" });
    expect(t.error?.message).toMatch(/did not become stable on api-dev within 5m \(running 0\/2, pending 2/);
    expect(t.rollback).toEqual({ by: "deployer", via: "update-service", toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    const rollbackUpdate = f.ecsOf("dev").calls.filter((c) => c.action === "UpdateService")[1]!;
    expect(rollbackUpdate.taskDefinition).toBe(OLD_TD("100000000001"));
    expect(rollbackUpdate.at - start).toBeGreaterThanOrEqual(300_000);
    expect(f.ecsOf("dev").primaryTaskDefinition("api-dev")).toBe(OLD_TD("100000000001"));
  });

  it("reports a rollback that fails too as ROLLBACK_FAILED", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, timeoutSeconds: 120 }],
      (d) => (d === DIGEST_BAD || d === DIGEST_OLD ? { kind: "stuck" } : { kind: "healthy" }),
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.error?.code).toBe("TIMEOUT");
    expect(t.rollback).toMatchObject({
      by: "deployer",
      ok: false,
      error: { code: "ROLLBACK_FAILED", target: "dev", account: "100000000001" },
    });
    expect(report.error?.code).toBe("ROLLBACK_FAILED");
  });

  it("recognises an ECS rollback that finished between two polls", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } }],
      (d) => (d === DIGEST_BAD ? { kind: "failing", failAfterMs: 2_500 } : { kind: "healthy" }),
      { ecsRollbackMs: 100 },
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(t.error?.message).toMatch(/^deployment ecs-svc\/\d+ of shop-api:2 failed on api-dev: ECS rolled back to shop-api:1$/);
    expect(t.rollback).toMatchObject({ by: "ecs", toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    expect(f.ecsOf("dev").count("UpdateService")).toBe(1);
  });

  it("does not roll back over someone else's deployment that replaced ours", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    const fake = f.ecsOf("dev");
    let theirs = "";
    const onEvent = (e: RunEvent): void => {
      f.onEvent(e);
      if (e.type === "progress" && !theirs)
        theirs = fake.startForeignDeployment("api-dev", taskDefinition("sha256:" + "e".repeat(64)), { kind: "healthy" });
    };
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({ code: "DEPLOYMENT_FAILED", target: "dev", action: "ecs:DescribeServices" });
    expect(t.error?.message).toContain(`shop-api:3) replaced ours on api-dev`);
    expect(t.rollback).toEqual({ by: "none", ok: false });
    expect(fake.count("UpdateService")).toBe(1);
    expect(fake.primaryTaskDefinition("api-dev")).toBe(theirs);
  });

  it("an AWS error on registration names action, resource and AWS's words, and changes nothing", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    f.ecsOf("dev").failNext("RegisterTaskDefinition", awsException("ClientException", "Role is not valid"));
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({
      code: "AWS_ERROR",
      target: "dev",
      account: "100000000001",
      action: "ecs:RegisterTaskDefinition",
      resource: "arn:aws:ecs:eu-west-1:100000000001:task-definition/shop-api",
      awsCode: "ClientException",
      awsMessage: "Role is not valid",
    });
    expect(t.error?.hint).toBeTruthy();
    expect(t.rollback).toBeUndefined();
    expect(f.ecsOf("dev").count("UpdateService")).toBe(0);
  });

  it("does not start the stage's remaining targets after a failure, and never touches later stages", async () => {
    const f = fleet(
      [{ name: "staging", maxParallel: 1 }, { name: "prod" }],
      [
        { name: "stg-1", stage: "staging", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } },
        { name: "stg-2", stage: "staging", account: "100000000002" },
        { name: "stg-3", stage: "staging", account: "100000000003" },
        { name: "prod-1", stage: "prod", account: "200000000001" },
        { name: "prod-2", stage: "prod", account: "200000000002" },
      ],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["stg-1", "failed"],
      ["stg-2", "not-started"],
      ["stg-3", "not-started"],
      ["prod-1", "not-started"],
      ["prod-2", "not-started"],
    ]);
    for (const name of ["stg-2", "stg-3", "prod-1", "prod-2"]) expect(f.ecsOf(name).calls).toEqual([]);
    expect(f.events.some((e) => e.type === "stage-start" && e.stage === "prod")).toBe(false);
    expect(f.events).toContainEqual(
      expect.objectContaining({
        type: "target-done",
        target: "prod-1",
        outcome: "not-started",
        message: "not started: stage staging failed",
      }),
    );
    expect(report.error).toMatchObject({ code: "DEPLOYMENT_FAILED" });
    expect(report.error?.message).toContain("stg-1 failed in stage staging; later stages not started (prod)");
  });

  it("lets in-flight targets of the failed stage finish (deployed) without rollbackStage", async () => {
    const f = fleet(
      [{ name: "prod" }],
      [
        { name: "a", stage: "prod", account: "100000000001" },
        { name: "b", stage: "prod", account: "100000000002", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: true } },
      ],
      (d) => (d === DIGEST_BAD ? { kind: "failing", failAfterMs: 30_000 } : { kind: "healthy", afterMs: 120_000 }),
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets.map((t) => t.outcome)).toEqual(["deployed", "failed"]);
    expect(f.ecsOf("a").primaryTaskDefinition("api-a")).toBe(NEW_TD("100000000001"));
  });

  it("rollbackStage rolls back every updated target of the failed stage", async () => {
    const f = fleet(
      [{ name: "prod" }, { name: "later" }],
      [
        { name: "a", stage: "prod", account: "100000000001" },
        { name: "b", stage: "prod", account: "100000000002", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: false } },
        { name: "c", stage: "prod", account: "100000000003", action: "noop" },
        { name: "z", stage: "later", account: "900000000001" },
      ],
    );
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent, rollbackStage: true });
    expect(report.targets.map((t) => [t.target.name, t.outcome])).toEqual([
      ["a", "rolled-back"],
      ["b", "failed"],
      ["c", "unchanged"],
      ["z", "not-started"],
    ]);
    const a = report.targets[0]!;
    expect(a.rollback).toEqual({ by: "deployer", via: "update-service", toTaskDefinitionArn: OLD_TD("100000000001"), ok: true });
    expect(a.taskDefinitionArn).toBe(NEW_TD("100000000001"));
    expect(
      f
        .ecsOf("a")
        .calls.filter((c) => c.action === "UpdateService")
        .map((c) => c.taskDefinition),
    ).toEqual([NEW_TD("100000000001"), OLD_TD("100000000001")]);
    expect(f.ecsOf("a").primaryTaskDefinition("api-a")).toBe(OLD_TD("100000000001"));
    expect(f.ecsOf("b").primaryTaskDefinition("api-b")).toBe(OLD_TD("100000000002"));
    expect(f.ecsOf("c").calls).toEqual([]);
    expect(f.ecsOf("z").calls).toEqual([]);
  });
});

describe("applyPlan: a deployment someone else started", () => {
  it("waits for it to finish, then deploys and rolls back to what it left running", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", waitForeign: true, circuitBreaker: { enable: true, rollback: false } }],
    );
    const fake = f.ecsOf("dev");
    const start = f.clock.now();
    const foreign = fake.startForeignDeployment("api-dev", taskDefinition("sha256:" + "d".repeat(64)), {
      kind: "healthy",
      afterMs: 120_000,
    });
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("deployed");
    expect(t.previousTaskDefinitionArn).toBe(foreign);
    const register = fake.calls.find((c) => c.action === "RegisterTaskDefinition")!;
    expect(register.at - start).toBeGreaterThanOrEqual(120_000);
    expect(eventsOf(f.events, "dev").some((e) => e.type === "warning" && e.message.includes("shop-api:2"))).toBe(true);
    expect(t.taskDefinitionArn).toBe(`arn:aws:ecs:eu-west-1:100000000001:task-definition/shop-api:3`);
  });

  it("changes nothing when the other deployment does not finish in time", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001", waitForeign: true, timeoutSeconds: 60 }]);
    const fake = f.ecsOf("dev");
    fake.startForeignDeployment("api-dev", taskDefinition("sha256:" + "d".repeat(64)), { kind: "stuck" });
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({ code: "TIMEOUT", target: "dev" });
    expect(t.error?.message).toMatch(/deployer changed nothing/);
    expect(t.rollback).toBeUndefined();
    expect(fake.count("RegisterTaskDefinition")).toBe(0);
    expect(fake.count("UpdateService")).toBe(0);
  });
});

describe("applyPlan: Ctrl-C", () => {
  it("stops waiting, reports the in-flight target with its last step, starts nothing else", async () => {
    const f = fleet(
      [{ name: "dev", maxParallel: 1 }, { name: "prod" }],
      [
        { name: "dev-1", stage: "dev", account: "100000000001" },
        { name: "dev-2", stage: "dev", account: "100000000002" },
        { name: "prod", stage: "prod", account: "200000000001" },
      ],
    );
    const ctl = new AbortController();
    const onEvent = (e: RunEvent): void => {
      f.onEvent(e);
      if (e.type === "progress" && e.target === "dev-1" && e.running === 1) ctl.abort();
    };
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent, signal: ctl.signal });
    expect(report.interrupted).toBe(true);
    expect(report.ok).toBe(false);
    expect(report.error?.code).toBe("INTERRUPTED");
    expect(report.error?.message).toContain("dev-1 was in flight");
    const t = report.targets[0]!;
    expect(t.outcome).toBe("interrupted");
    expect(t.lastStep).toBe("update-service");
    expect(t.error).toMatchObject({ code: "INTERRUPTED", target: "dev-1", account: "100000000001" });
    expect(t.error?.message).toMatch(
      /^interrupted: task definition shop-api:2 registered, service updated, deployment ecs-svc\/\d+ still running in ECS$/,
    );
    expect(t.rollback).toBeUndefined();
    expect(report.targets.slice(1).map((x) => x.outcome)).toEqual(["not-started", "not-started"]);
    expect(f.ecsOf("dev-2").calls).toEqual([]);
    expect(f.ecsOf("prod").calls).toEqual([]);
    expect(f.ecsOf("dev-1").primaryTaskDefinition("api-dev-1")).toBe(NEW_TD("100000000001")); // not rolled back
    expect(f.clock.pendingTimers).toBe(0);
  });

  it("does not wait for a write AWS has not answered, and says it may have happened", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    let release!: () => void;
    f.ecsOf("dev").holdCalls("RegisterTaskDefinition", new Promise<void>((r) => (release = r)));
    const ctl = new AbortController();
    const onEvent = (e: RunEvent): void => {
      f.onEvent(e);
      if (e.type === "step" && e.step === "register-task-definition") setImmediate(() => ctl.abort());
    };
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent, signal: ctl.signal });
    release();
    const t = report.targets[0]!;
    expect(t.outcome).toBe("interrupted");
    expect(t.lastStep).toBeUndefined();
    expect(t.error?.message).toBe("interrupted: RegisterTaskDefinition was sent but not answered (a revision may have been registered)");
    expect(t.error?.hint).toMatch(/converges/);
    expect(f.ecsOf("dev").count("UpdateService")).toBe(0);
  });
});

describe("applyPlan: resuming a deployment an earlier (killed) run started", () => {
  function resumePlan(script: { kind: "healthy"; afterMs: number } | { kind: "failing" }, timeoutSeconds = 900) {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001", timeoutSeconds }]);
    const fake = f.ecsOf("dev");
    // What the killed run left: the service updated to the new definition, its deployment still rolling out.
    const arn = fake.startForeignDeployment("api-dev", taskDefinition(DIGEST_NEW), script);
    const primary = fake.snapshot("api-dev").deployments.find((d) => d.status === "PRIMARY")!;
    const t = f.plan.targets[0]!;
    t.steps = [
      {
        kind: "resume-wait",
        deploymentId: primary.id,
        taskDefinitionArn: arn,
        previousTaskDefinitionArn: OLD_TD("100000000001"),
        timeoutSeconds,
      },
    ];
    t.diff = [];
    return { f, fake, arn };
  }

  it("waits for it and reports the target deployed, registering and updating nothing", async () => {
    const { f, fake, arn } = resumePlan({ kind: "healthy", afterMs: 60_000 });
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("deployed");
    expect(t.taskDefinitionArn).toBe(arn);
    expect(t.lastStep).toBe("wait-stable");
    expect(t.resumedDeployment).toBe(true);
    expect(fake.count("RegisterTaskDefinition")).toBe(0);
    expect(fake.count("UpdateService")).toBe(0);
  });

  it("rolls back to the previous definition when it never becomes healthy", async () => {
    const { f, fake } = resumePlan({ kind: "failing" }, 120);
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.rollback).toMatchObject({ by: "deployer", ok: true, toTaskDefinitionArn: OLD_TD("100000000001") });
    expect(fake.primaryTaskDefinition("api-dev")).toBe(OLD_TD("100000000001"));
  });
});

describe("applyPlan: a service that cannot be read (issue 11)", () => {
  it("reads failing for the whole wait end the target 'unknown' with the read's own error: no rollback, no second UpdateService", async () => {
    const f = fleet(
      [{ name: "dev" }, { name: "prod" }],
      [
        {
          name: "dev",
          stage: "dev",
          account: "100000000001",
          digest: DIGEST_BAD,
          circuitBreaker: { enable: true, rollback: false },
          timeoutSeconds: 600,
        },
        { name: "prod", stage: "prod", account: "200000000001" },
      ],
    );
    const fake = f.ecsOf("dev");
    const expired = Object.assign(new Error("The security token included in the request is expired"), { name: "ExpiredTokenException" });
    const onEvent = (e: RunEvent): void => {
      f.onEvent(e);
      // From the moment the service is updated, every read fails (expired credentials, throttling, network…).
      if (e.type === "step" && e.target === "dev" && e.step === "update-service" && e.message.startsWith("service updated"))
        fake.failNext("DescribeServices", expired, 10_000);
    };
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent });
    const dev = report.targets[0]!;
    expect(dev.outcome).toBe("unknown");
    expect(dev.rollback).toBeUndefined();
    expect(dev.error).toMatchObject({ target: "dev", action: "ecs:DescribeServices", awsCode: "ExpiredTokenException" });
    expect(fake.count("UpdateService")).toBe(1);
    expect(report.targets[1]!.outcome).toBe("not-started");
    expect(report.error).toMatchObject({ code: "STATE_UNKNOWN" });
    expect(report.error!.hint).toContain("deployer status --env dev");
    expect(f.events).toContainEqual(
      expect.objectContaining({
        type: "target-done",
        target: "dev",
        outcome: "unknown",
        message: expect.stringContaining("look with `deployer status --env dev`"),
      }),
    );
  });

  it("a failure without a known-good revision is not rolled back (ROLLBACK_REFUSED), and says how to roll back by hand", async () => {
    const f = fleet(
      [{ name: "dev" }],
      [{ name: "dev", stage: "dev", account: "100000000001", digest: DIGEST_BAD, circuitBreaker: { enable: true, rollback: false } }],
    );
    delete f.plan.targets[0]!.rollbackTo;
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.error?.code).toBe("DEPLOYMENT_FAILED");
    expect(t.rollback).toMatchObject({ by: "none", ok: false, error: { code: "ROLLBACK_REFUSED" } });
    expect(t.rollback!.error!.hint).toContain("deployer rollback --env dev --to");
    expect(f.ecsOf("dev").count("UpdateService")).toBe(1);
  });
});

describe("applyPlan: the service is read again right before UpdateService (issue 11)", () => {
  it("a deployment someone else started after the plan stops the target without writing to the service", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    const fake = f.ecsOf("dev");
    fake.startForeignDeployment("api-dev", taskDefinition("sha256:" + "e".repeat(64)), { kind: "stuck" });
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    const t = report.targets[0]!;
    expect(t.outcome).toBe("failed");
    expect(t.error).toMatchObject({ code: "DEPLOYMENT_IN_PROGRESS" });
    expect(t.error!.message).toMatch(/api-dev moved since preflight: .*deployer did not update it/);
    expect(fake.count("UpdateService")).toBe(0);
  });

  it("a deployment that finished since the plan (PRIMARY changed) counts as moved too", async () => {
    const f = fleet([{ name: "dev" }], [{ name: "dev", stage: "dev", account: "100000000001" }]);
    const fake = f.ecsOf("dev");
    f.plan.targets[0]!.live!.primaryDeploymentId = "ecs-svc/planned-one";
    const report = await applyPlan(f.plan, { sessions: f.sessions, clock: f.clock, poll: POLL, onEvent: f.onEvent });
    expect(report.targets[0]!.error?.message).toMatch(/replaced ecs-svc\/planned-one/);
    expect(fake.count("UpdateService")).toBe(0);
  });
});
