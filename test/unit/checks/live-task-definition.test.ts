import { describe, expect, it } from "vitest";
import { checkLiveTaskDefinition, primaryTaskDefinitionArn, readLiveState } from "../../../src/checks/live-task-definition.js";
import { accountOfArn, roleNameOf } from "../../../src/config/aws-names.js";
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

describe("ARN helpers", () => {
  it("role names drop the path; accounts come from IAM/STS ARNs only", () => {
    expect(roleNameOf("arn:aws:iam::222222222222:role/ecs/tasks/shop-api-task")).toBe("shop-api-task");
    expect(roleNameOf("shop-api-task")).toBe("shop-api-task");
    expect(accountOfArn("arn:aws:iam::222222222222:role/x")).toBe("222222222222");
    expect(accountOfArn("arn:aws:ecs:eu-west-1:222222222222:cluster/x")).toBeUndefined();
  });
});
