import { describe, expect, it } from "vitest";
import { checkLiveTaskDefinition, primaryTaskDefinitionArn, readLiveState } from "../../../src/checks/live-task-definition.js";
import { accountOfArn, roleNameOf } from "../../../src/config/aws-names.js";
import type { CheckContext } from "../../../src/checks/context.js";
import { DeployerError } from "../../../src/errors.js";
import { checkContext } from "./check-context.js";
import { healthyWorld } from "../../helpers/fake-aws.js";
import { liveService, makeTarget } from "../../helpers/factories.js";

const target = makeTarget();

describe("check: live-task-definition", () => {
  it("passes naming the live revision and the latest ACTIVE one", async () => {
    const r = await checkLiveTaskDefinition(await checkContext(healthyWorld(target), target));
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe("runs shop-api:1; latest ACTIVE revision of shop-api is 1");
  });

  it("fails when the service runs a revision DescribeTaskDefinition cannot find", async () => {
    const world = healthyWorld(target);
    world
      .account(target.account)
      .services.set("shop-dev/api", liveService(target.account, "shop-dev", "arn:aws:ecs:eu-west-1:222222222222:task-definition/gone:4"));
    const r = await checkLiveTaskDefinition(await checkContext(world, target));
    expect(r.verdict).toBe("fail");
    expect(r.error).toMatchObject({
      code: "AWS_ERROR",
      action: "ecs:DescribeTaskDefinition",
      resource: "arn:aws:ecs:eu-west-1:222222222222:task-definition/gone:4",
    });
    expect(r.message).toBe(
      "the service runs arn:aws:ecs:eu-west-1:222222222222:task-definition/gone:4, which DescribeTaskDefinition does not find",
    );
    expect(r.hint).toBe("The revision was deleted while the service still runs it; deploy with care: there is nothing to roll back to.");
  });

  it("says when the desired family has no revision yet (first deployment of it)", async () => {
    const world = healthyWorld(target);
    const ctx = await checkContext(world, target);
    ctx.desired.taskDefinition.family = "shop-api-v2";
    const r = await checkLiveTaskDefinition(ctx);
    expect(r.verdict).toBe("pass");
    expect(r.message).toContain("shop-api-v2 has no ACTIVE revision yet");
    expect((await readLiveState(ctx)).latestRevision).toBeUndefined();
  });

  it("takes the PRIMARY deployment's task definition over the service field", () => {
    const svc = liveService("222222222222", "c", "arn:td:1", {
      deployments: [
        { id: "a", status: "ACTIVE", taskDefinition: "arn:td:1", desiredCount: 1, runningCount: 1, pendingCount: 0, failedTasks: 0 },
        { id: "p", status: "PRIMARY", taskDefinition: "arn:td:2", desiredCount: 1, runningCount: 0, pendingCount: 1, failedTasks: 0 },
      ],
    });
    expect(primaryTaskDefinitionArn(svc)).toBe("arn:td:2");
  });
});

describe("check: live-task-definition, when reads fail", () => {
  const LIVE = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop-api:1";
  const refused = (what: string) =>
    new DeployerError({ code: "ACCESS_DENIED", message: `not authorized to ${what}`, awsCode: "AccessDenied" });

  /** Makes the read of one task definition (ARN or family) fail. */
  function failRead(ctx: CheckContext, ref: string, error: DeployerError): void {
    const read = ctx.reads.taskDefinition.bind(ctx.reads);
    ctx.reads.taskDefinition = (r) => (r === ref ? Promise.resolve({ ok: false, error }) : read(r));
  }

  it("skips, naming the service, when the service could not be read or does not exist", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeServices", refused("describe services"));
    const r = await checkLiveTaskDefinition(await checkContext(world, target));
    expect(r).toMatchObject({ verdict: "skip", message: "not run: the service shop-dev/api could not be read (see the service check)" });
    const gone = healthyWorld(target);
    gone.account(target.account).services.clear();
    expect((await checkLiveTaskDefinition(await checkContext(gone, target))).verdict).toBe("skip");
  });

  it("fails when the live revision cannot be read: no diff and no rollback target", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    failRead(ctx, LIVE, refused("describe it"));
    const r = await checkLiveTaskDefinition(ctx);
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe(`could not read ${LIVE}: not authorized to describe it`);
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED" });
    expect(await readLiveState(ctx)).toEqual({
      service: expect.objectContaining({ name: "api" }),
      latestRevision: expect.objectContaining({ arn: LIVE }),
    });
  });

  it("fails when the latest revision of the family cannot be read: no idempotent re-run", async () => {
    const ctx = await checkContext(healthyWorld(target), target);
    failRead(ctx, "shop-api", refused("read the family"));
    const r = await checkLiveTaskDefinition(ctx);
    expect(r.verdict).toBe("fail");
    expect(r.message).toBe("could not read the latest revision of shop-api: not authorized to read the family");
    expect(r.error).toMatchObject({ code: "ACCESS_DENIED", message: "not authorized to read the family" });
    const state = await readLiveState(ctx);
    expect(state.latestRevision).toBeUndefined();
    expect(state.liveTaskDefinition?.arn).toBe(LIVE);
  });

  it("records the live and latest revisions and the live tags as evidence", async () => {
    const r = await checkLiveTaskDefinition(await checkContext(healthyWorld(target), target));
    expect(r.evidence).toEqual({ live: LIVE, latest: LIVE, liveTags: { "deployer:run-id": "old" } });
    const ctx = await checkContext(healthyWorld(target), target);
    ctx.desired.taskDefinition.family = "shop-api-v2";
    expect((await checkLiveTaskDefinition(ctx)).evidence).toMatchObject({ live: LIVE, latest: null });
  });

  it("reads nothing live when the service cannot be read, but still the latest revision", async () => {
    const world = healthyWorld(target);
    world.account(target.account).failures.set("describeServices", refused("describe services"));
    const ctx = await checkContext(world, target);
    const state = await readLiveState(ctx);
    expect(state).toEqual({ latestRevision: expect.objectContaining({ arn: LIVE }) });
  });

  it("reads the service and what it runs", async () => {
    const state = await readLiveState(await checkContext(healthyWorld(target), target));
    expect(state.service?.name).toBe("api");
    expect(state.liveTaskDefinition).toMatchObject({ arn: LIVE, family: "shop-api", revision: 1 });
    expect(state.latestRevision).toMatchObject({ arn: LIVE });
  });

  it("falls back to the service's own task definition without a PRIMARY deployment", () => {
    expect(primaryTaskDefinitionArn(liveService("222222222222", "c", "arn:td:1", { deployments: [] }))).toBe("arn:td:1");
  });
});

describe("ARN helpers", () => {
  it("role names drop the path; accounts come from IAM/STS ARNs only", () => {
    expect(roleNameOf("arn:aws:iam::222222222222:role/ecs/tasks/shop-api-task")).toBe("shop-api-task");
    expect(roleNameOf("shop-api-task")).toBe("shop-api-task");
    expect(accountOfArn("arn:aws:iam::222222222222:role/x")).toBe("222222222222");
    expect(accountOfArn("arn:aws:ecs:eu-west-1:222222222222:cluster/x")).toBeUndefined();
  });
});
