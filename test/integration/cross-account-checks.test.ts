// Issue 18, the runtime cross-account checks end to end against the sandbox (its Cloud Map + RAM
// sharing and cross-account AssumeRole from a task role: sandbox/README.md):
//  - a task role that assumes a role of another account: the task role's policy must allow
//    sts:AssumeRole on it, and the destination's trust must name the task role (read through the
//    viewer role of the destination account's target);
//  - a Service Connect namespace of another account: visible from the target's account only through
//    an accepted RAM share.
// Each broken setup is NG before any write (no RegisterTaskDefinition / UpdateService in the request
// log, the rollout not started); the demo's correct setups pass.
import { afterEach, describe, expect, it } from "vitest";
import { startPipeline, demoFixture, type Pipeline } from "../helpers/pipeline.js";
import { walkChecks } from "../../src/plan/build.js";
import { applyPlan } from "../../src/apply/apply.js";
import type { Plan } from "../../src/plan/types.js";
import type { CheckResult } from "../../src/checks/check-result.js";
import { formatPlanText } from "../../src/report/plan-text.js";
import type { Fixture } from "../../sandbox/index.js";
import { statementsIn } from "../helpers/hint-statements.js";

const NEW_TAG = "8d1e4b7";
const PUBLISHER = "arn:aws:iam::333333333333:role/shop-events-publisher";
const AUDIT_WRITER = "arn:aws:iam::333333333333:role/shop-audit-writer";
const DEV_TASK_ROLE = "arn:aws:iam::222222222222:role/shop-api-task";
const NAMESPACE = "arn:aws:servicediscovery:eu-west-1:111111111111:namespace/ns-shopinternal0001";
const SC = { enabled: true, namespace: NAMESPACE };

let p: Pipeline | undefined;
afterEach(async () => {
  await p?.stop();
  p = undefined;
});

function checksOf(plan: Plan, target: string): CheckResult[] {
  return walkChecks(plan.targets.find((t) => t.target.name === target)!.checks);
}

function top(plan: Plan, target: string, id: string): CheckResult {
  const c = plan.targets.find((t) => t.target.name === target)!.checks.find((x) => x.id === id);
  if (!c) throw new Error(`no check ${id}`);
  return c;
}

function withTarget(patch: (f: Fixture) => void): Fixture {
  const f = demoFixture();
  patch(f);
  return f;
}

/** Plan one target, then try to apply the plan: NG must stop it before any write. */
async function planAndApply(target: string) {
  const { plan, run } = await p!.plan({ envs: [target] }, NEW_TAG);
  await run.sessions.close();
  const report = await applyPlan(plan, { sessions: new Map() });
  return { plan, outcome: report.targets.find((t) => t.target.name === target)?.outcome };
}

describe("cross-account task roles", () => {
  it("the demo's dev task role may assume staging's shop-events-publisher: found in its policy, trust read through staging's viewer role, OK", async () => {
    p = await startPipeline();
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    const check = top(plan, "dev", "task-assumes");
    expect(check.verdict, JSON.stringify(check)).toBe("pass");
    const child = check.children!.find((c) => c.id === `task-assumes:${PUBLISHER}`)!;
    expect(child.verdict).toBe("pass");
    expect(JSON.stringify(child.evidence)).toContain("the task role's policy");
    // The destination's trust was read in 333333333333 as its viewer role, never as a deploy role.
    const reads = p.sandbox.admin.log({ account: "333333333333" }).filter((e) => e.action === "GetRole");
    expect(reads.length).toBeGreaterThan(0);
    for (const e of reads) expect(e.principal).toMatch(/assumed-role\/deployer-viewer\//);
    expect(plan.targets[0]!.action).not.toBe("blocked");
  });

  it("a destination whose trust does not name the task role: NG ROLE_NOT_TRUSTED with the trust statement to paste, nothing written", async () => {
    // dev's task role is allowed to assume shop-audit-writer, whose trust names only staging's own task role.
    p = await startPipeline({ fixture: withTarget((f) => (f.targets!.find((t) => t.name === "dev")!.taskRoleAssumes = [AUDIT_WRITER])) });
    const { plan, outcome } = await planAndApply("dev");
    const check = top(plan, "dev", "task-assumes");
    expect(check.verdict).toBe("fail");
    const trust = checksOf(plan, "dev").find((c) => c.id === `task-assumes:trust:${AUDIT_WRITER}`)!;
    expect(trust.verdict).toBe("fail");
    expect(trust.error?.code).toBe("ROLE_NOT_TRUSTED");
    const [statement] = statementsIn(trust.hint);
    expect(statement).toEqual({ Effect: "Allow", Principal: { AWS: DEV_TASK_ROLE }, Action: "sts:AssumeRole" });
    // The task role's side is fine: its policy allows it.
    expect(checksOf(plan, "dev").find((c) => c.id === `task-assumes:allow:${AUDIT_WRITER}`)!.verdict).toBe("pass");
    expect(plan.targets[0]!.action).toBe("blocked");
    expect(formatPlanText(plan, { color: false })).toMatch(/\[NG\] task role/);
    expect(outcome).toBe("not-started");
    expect(p.writes()).toEqual([]);
  });

  it("a taskAssumes role the task role's policy does not allow: NG with the Allow statement for the task role", async () => {
    p = await startPipeline();
    p.repo.edit(
      "environments/dev.yaml",
      "externalId: shop-deployer-dev\n",
      `externalId: shop-deployer-dev\ntaskAssumes:\n  - ${AUDIT_WRITER}\n`,
    );
    const { plan, outcome } = await planAndApply("dev");
    const allow = checksOf(plan, "dev").find((c) => c.id === `task-assumes:allow:${AUDIT_WRITER}`)!;
    expect(allow.verdict).toBe("fail");
    expect(allow.error?.code).toBe("ACCESS_DENIED");
    const st = statementsIn(allow.hint).find((s) => s.Action === "sts:AssumeRole");
    expect(st).toEqual({ Effect: "Allow", Action: "sts:AssumeRole", Resource: AUDIT_WRITER });
    expect(allow.hint).toContain(DEV_TASK_ROLE);
    expect(outcome).toBe("not-started");
    expect(p.writes()).toEqual([]);
  });

  it("a destination in an account with no target (no viewer role to read it): unverified, with the reason", async () => {
    p = await startPipeline();
    const elsewhere = "arn:aws:iam::777777777777:role/partner-writer";
    p.repo.edit("environments/dev.yaml", "externalId: shop-deployer-dev\n", `externalId: shop-deployer-dev\ntaskAssumes: [${elsewhere}]\n`);
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    const trust = checksOf(plan, "dev").find((c) => c.id === `task-assumes:trust:${elsewhere}`)!;
    expect(trust.verdict).toBe("unverified");
    expect(trust.message).toContain("777777777777 is not an account of the fleet");
  });
});

describe("Service Connect across accounts", () => {
  it("dev uses the namespace shared with it (invitation accepted): OK", async () => {
    p = await startPipeline({ fixture: withTarget((f) => (f.targets!.find((t) => t.name === "dev")!.serviceConnectConfiguration = SC)) });
    const { plan, run } = await p.plan({ stages: ["dev"] }, NEW_TAG);
    await run.sessions.close();
    const check = top(plan, "dev", "service-connect");
    expect(check.verdict, JSON.stringify(check)).toBe("pass");
    expect(check.children!.map((c) => c.id)).toEqual([`service-connect:${NAMESPACE}`]);
    expect(plan.targets[0]!.action).not.toBe("blocked");
    const { report } = await p.rollout({ stages: ["dev"] }, NEW_TAG);
    expect(report.ok).toBe(true);
  });

  it("prod-eu's invitation is PENDING: NG naming the owner account, the share and the invitation to accept, nothing written", async () => {
    p = await startPipeline({
      fixture: withTarget((f) => (f.targets!.find((t) => t.name === "prod-eu")!.serviceConnectConfiguration = SC)),
    });
    const { plan, outcome } = await planAndApply("prod-eu");
    const check = checksOf(plan, "prod-eu").find((c) => c.id === `service-connect:${NAMESPACE}`)!;
    expect(check.verdict).toBe("fail");
    expect(check.error?.code).toBe("NAMESPACE_NOT_SHARED");
    expect(check.message).toContain("111111111111");
    expect(check.message).toContain("shop-service-connect");
    expect(check.message).toContain("PENDING");
    expect(check.hint).toMatch(
      /aws ram accept-resource-share-invitation --region eu-west-1 --resource-share-invitation-arn arn:aws:ram:eu-west-1:111111111111:resource-share-invitation\//,
    );
    expect(plan.targets.find((t) => t.target.name === "prod-eu")!.action).toBe("blocked");
    expect(outcome).toBe("not-started");
    expect(p.writes()).toEqual([]);
  });

  it("a namespace not shared with staging at all: NG saying no share reaches it, with the create-resource-share command", async () => {
    p = await startPipeline({
      fixture: withTarget((f) => {
        f.targets!.find((t) => t.name === "staging")!.serviceConnectConfiguration = SC;
        const ci = f.accounts!.find((a) => a.id === "111111111111")!;
        const share = ci.resourceShares!.find((s) => s.name === "shop-service-connect")!;
        share.principals = share.principals.filter((x) => (typeof x === "string" ? x : x.account) !== "333333333333");
      }),
    });
    const { plan, outcome } = await planAndApply("staging");
    const check = checksOf(plan, "staging").find((c) => c.id === `service-connect:${NAMESPACE}`)!;
    expect(check.verdict).toBe("fail");
    expect(check.error?.code).toBe("NAMESPACE_NOT_SHARED");
    expect(check.message).toContain("no RAM share from 111111111111 reaches 333333333333");
    expect(check.hint).toContain(
      `aws ram create-resource-share --region eu-west-1 --name <name> --resource-arns ${NAMESPACE} --principals 333333333333 --permission-arns arn:aws:ram::aws:permission/AWSRAMPermissionCloudMapECSFullPermission`,
    );
    expect(outcome).toBe("not-started");
    expect(p.writes()).toEqual([]);
  });
});
