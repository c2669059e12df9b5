// check task-assumes when the task role's policies cannot be read (issue 18): with nothing declared,
// whether the task assumes a role of another account is unknown — unverified (WARN; --strict fails),
// never a silent skip. An explicit `taskAssumes: []` says "none": then it is skipped, with the reason.
import { describe, expect, it } from "vitest";
import { checkTaskAssumes } from "../../../src/checks/task-assumes.js";
import { checkContext } from "./check-context.js";
import { accessDenied, healthyWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";

describe("check task-assumes with the task role's policies unreadable", () => {
  it("is unverified (ACCESS_DENIED) when taskAssumes is not declared, naming the reads to grant", async () => {
    const target = makeTarget();
    const w = healthyWorld(target);
    w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.taskRole));
    const r = await checkTaskAssumes(await checkContext(w, target));
    expect(r.verdict, r.message).toBe("unverified");
    expect(r.error?.code).toBe("ACCESS_DENIED");
    expect(r.message).toContain("could not read the task role's policies");
    expect(r.hint).toContain("iam:ListRolePolicies");
    expect(r.hint).toContain("taskAssumes");
  });

  it("is skipped, with the reason, when taskAssumes is declared empty", async () => {
    const target = makeTarget({ taskAssumes: [] });
    const w = healthyWorld(target);
    w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.taskRole));
    const r = await checkTaskAssumes(await checkContext(w, target));
    expect(r.verdict, r.message).toBe("skip");
    expect(r.message).toContain("declares no role");
  });

  it("passes when the policies are readable and name no role of another account", async () => {
    const target = makeTarget();
    const r = await checkTaskAssumes(await checkContext(healthyWorld(target), target));
    expect(r.verdict, r.message).toBe("pass");
  });
});
