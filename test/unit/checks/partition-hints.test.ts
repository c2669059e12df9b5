// Issue 13 "Partitions": the policy statements pasted in NG hints use the target's partition
// (aws-cn here), never a hard-coded arn:aws.
import { describe, expect, it } from "vitest";
import { checkPassRole } from "../../../src/checks/pass-role.js";
import { checkDeployRolePermissions } from "../../../src/checks/deploy-role.js";
import { walkChecks } from "../../../src/plan/build.js";
import { checkContext } from "./check-context.js";
import { healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const target = makeTarget({
  region: "cn-north-1",
  deployRole: `arn:aws-cn:iam::${A}:role/deployer`,
  taskRole: `arn:aws-cn:iam::${A}:role/shop-api-task`,
  executionRole: `arn:aws-cn:iam::${A}:role/shop-api-exec`,
});

function deniedWorld() {
  const world = healthyWorld(target);
  world.account(A).simulationDefault = "implicitDeny";
  return world;
}

describe("NG hints in the target's partition", () => {
  it("PassRole: the statement names the aws-cn role", async () => {
    const r = await checkPassRole(await checkContext(deniedWorld(), target), "taskRole");
    expect(r.verdict).toBe("fail");
    expect(r.hint).toContain(`"Resource":"arn:aws-cn:iam::${A}:role/shop-api-task"`);
    expect(r.hint).not.toContain("arn:aws:");
  });

  it("the deploy role's writes: task definition and service ARNs of aws-cn", async () => {
    const r = await checkDeployRolePermissions(await checkContext(deniedWorld(), target));
    const failing = walkChecks([r]).filter((c) => c.verdict === "fail" && c.hint);
    expect(failing.length).toBeGreaterThanOrEqual(3);
    for (const c of failing) {
      expect(c.hint, c.id).toMatch(/"Resource":\[?"(arn:aws-cn:|\*)/);
      expect(c.hint, c.id).not.toContain("arn:aws:");
    }
    expect(failing.map((c) => c.hint).join("\n")).toContain(`arn:aws-cn:ecs:cn-north-1:${A}:task-definition/`);
  });
});
