// Check `task-assumes` (issue 18): the roles the task's application assumes with its task role must
// let it, on both sides of a cross-account AssumeRole: the task role's identity policy allows
// sts:AssumeRole on the destination (asked of IAM), and the destination's trust policy names the task
// role or its account (read through the fleet's viewer role in the destination account). Otherwise
// the mismatch surfaces only as AccessDenied inside the running application.
import { describe, expect, it } from "vitest";
import { assumedRolesIn, checkTaskAssumes } from "../../../src/checks/task-assumes.js";
import type { CheckContext, FleetSession } from "../../../src/checks/context.js";
import type { IamPort, PolicyDocument, RoleInfo } from "../../../src/aws/ports.js";
import type { Target } from "../../../src/config/types.js";
import { TargetReads } from "../../../src/checks/target-reads.js";
import { checkContext } from "./check-context.js";
import { accessDenied, awsException, doc, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const DEST_ACCOUNT = "333333333333";
const DEST = `arn:aws:iam::${DEST_ACCOUNT}:role/dev-events`;
const DEST2 = `arn:aws:iam::444444444444:role/dev-payments`;
const VIEWER = `arn:aws:iam::${DEST_ACCOUNT}:role/deployer-viewer`;
const TASK_ROLE = `arn:aws:iam::${A}:role/shop-api-task`;
const DEPLOY_SESSION = `arn:aws:sts::${A}:assumed-role/deployer/test`;
const DEV_FILE = "test/fixtures/config/one-service/environments/dev.yaml";
const TRUST_STATEMENT = JSON.stringify({ Effect: "Allow", Principal: { AWS: TASK_ROLE }, Action: "sts:AssumeRole" });

const trusting = (principal: string, extra: Record<string, unknown> = {}): PolicyDocument =>
  doc({ Effect: "Allow", Principal: { AWS: principal }, Action: "sts:AssumeRole", ...extra });

interface Setup {
  /** Destination roles readable through the fleet (ARN → trust policy); an Error: GetRole throws. */
  destinations?: Map<string, PolicyDocument | Error>;
  /** The fleet: "none" (no FleetReader), or why there is no session in the destination account. */
  fleet?: "none" | { reason: string; error?: ReturnType<typeof accessDenied> };
  /** The task role's inline policies. */
  policies?: Record<string, PolicyDocument>;
  world?: (w: FakeWorld) => void;
}

async function assumesContext(t: Target, s: Setup = {}): Promise<{ ctx: CheckContext; asked: string[] }> {
  const w = healthyWorld(t);
  if (s.policies) w.account(t.account).inline.set("shop-api-task", s.policies);
  s.world?.(w);
  const ctx = await checkContext(w, t);
  ctx.session = { ...ctx.session, identity: { ...ctx.session.identity, arn: DEPLOY_SESSION } };
  const asked: string[] = [];
  if (s.fleet !== "none") {
    const roles = s.destinations ?? new Map<string, PolicyDocument | Error>();
    const iam = {
      getRole: async (arn: string): Promise<RoleInfo | undefined> => {
        asked.push(arn);
        const trust = roles.get(arn);
        if (trust instanceof Error) throw trust;
        return trust ? { arn, name: arn.split("/").pop()!, trustPolicy: trust } : undefined;
      },
    } as unknown as IamPort;
    ctx.fleet = {
      session: async (account): Promise<FleetSession> => {
        if (s.fleet !== undefined && s.fleet !== "none")
          return { ok: false, reason: s.fleet.reason, ...(s.fleet.error ? { error: s.fleet.error } : {}) };
        return { ok: true, session: { ...ctx.session, iam }, role: `arn:aws:iam::${account}:role/deployer-viewer`, target: "events" };
      },
    };
  }
  return { ctx, asked };
}

async function run(t: Target, s: Setup = {}) {
  const { ctx, asked } = await assumesContext(t, s);
  const r = await checkTaskAssumes(ctx);
  const child = r.children?.[0];
  const [allow, trust] = child?.children ?? [];
  return { r, child, allow, trust, asked };
}

const declared = (...arns: string[]) => makeTarget({ taskAssumes: arns });

describe("check task-assumes: the destinations", () => {
  it("passes with nothing declared and no role of another account in the task role's policies", async () => {
    const { r } = await run(makeTarget(), {
      policies: { own: doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: `arn:aws:iam::${A}:role/helper` }) },
    });
    expect(r.verdict).toBe("pass");
    expect(r.message).toBe("the task role assumes no role of another account (none in taskAssumes, none in its policies)");
    expect(r.evidence).toEqual({ taskRole: TASK_ROLE });
  });

  it("an empty taskAssumes with readable policies passes too (declaring none is not an error)", async () => {
    const { r } = await run(declared());
    expect(r.verdict).toBe("pass");
  });

  it("empty taskAssumes and unreadable policies: skipped, naming the read that failed", async () => {
    const { r } = await run(declared(), {
      world: (w) => w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", TASK_ROLE)),
    });
    expect(r.verdict).toBe("skip");
    expect(r.message).toBe("`taskAssumes` declares no role, and the task role's policies could not be read (AccessDenied)");
    expect(r.evidence).toEqual({ taskRole: TASK_ROLE });
  });

  it("nothing declared and unreadable policies: unverified with the error, its code in the message", async () => {
    const { r } = await run(makeTarget(), {
      world: (w) => w.account(A).failures.set("listAttachedPolicies", awsException("ServiceFailure", "IAM is down")),
    });
    expect(r.verdict).toBe("unverified");
    expect(r.message).toBe(
      "could not read the task role's policies (ServiceFailure): the roles of other accounts it may assume are not known",
    );
    expect(r.hint).toContain(`Let the reading role (viewer, else deploy role) read ${TASK_ROLE}'s policies (`);
    expect(r.hint).toContain("iam:ListAttachedRolePolicies, iam:GetPolicy, iam:GetPolicyVersion");
    expect(r.hint).toMatch(/an empty list when it assumes none\)\. --strict turns this warning into an error\.$/);
    expect(r.error).toMatchObject({ awsCode: "ServiceFailure", action: "iam:ListAttachedRolePolicies" });
    expect(r.evidence).toEqual({ taskRole: TASK_ROLE });
  });

  it("a declared destination is checked even when the task role's policies are unreadable", async () => {
    const { r, child } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", TASK_ROLE)),
    });
    expect(r.verdict).toBe("pass");
    expect(child!.id).toBe(`task-assumes:${DEST}`);
    expect(child!.title).toBe(`task role may assume ${DEST}`);
    expect(child!.children!.map((c) => c.title)).toEqual([
      `task role's policy allows sts:AssumeRole on ${DEST}`,
      `${DEST} trusts the task role`,
    ]);
  });

  it("finds the roles of other accounts the task role's policies allow, each once, taskAssumes first", async () => {
    const { r } = await run(declared(DEST), {
      destinations: new Map([
        [DEST, trusting(TASK_ROLE)],
        [DEST2, trusting(`arn:aws:iam::${A}:root`)],
      ]),
      policies: {
        events: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "sts:AssumeRole", Resource: [DEST, DEST2] } as never },
        again: doc({ Effect: "Allow", Action: "sts:AssumeRole", Resource: DEST2 }),
      },
    });
    expect(r.verdict, r.message).toBe("pass");
    expect(r.message).toBe("the task role may assume 2 roles");
    expect(r.children!.map((c) => [c.id, c.evidence])).toEqual([
      [`task-assumes:${DEST}`, { roleArn: DEST, from: `taskAssumes (${DEV_FILE})` }],
      [`task-assumes:${DEST2}`, { roleArn: DEST2, from: "the task role's policy inline:events" }],
    ]);
    expect(r.children![1]!.message).toBe(`${TASK_ROLE} may assume ${DEST2} (from the task role's policy inline:events)`);
  });

  it("taskAssumes at its line when the file position is known", async () => {
    const t = declared(DEST);
    t.locations = { ...t.locations, taskAssumes: { file: t.file, line: 12, column: 1 } };
    const { child } = await run(t, { destinations: new Map([[DEST, trusting(TASK_ROLE)]]) });
    expect(child!.evidence).toEqual({ roleArn: DEST, from: `taskAssumes (${DEV_FILE}:12)` });
  });

  it("one role: 'role', singular", async () => {
    const { r } = await run(declared(DEST), { destinations: new Map([[DEST, trusting(TASK_ROLE)]]) });
    expect(r.message).toBe("the task role may assume 1 role");
  });
});

describe("check task-assumes: the task role's side (its identity policy)", () => {
  it("asks IAM once, with the task role as policy source, for every destination", async () => {
    const t = declared(DEST, DEST2);
    const { ctx } = await assumesContext(t, {
      destinations: new Map([
        [DEST, trusting(TASK_ROLE)],
        [DEST2, trusting(TASK_ROLE)],
      ]),
    });
    const calls: unknown[][] = [];
    const iam = ctx.session.iam;
    ctx.session = {
      ...ctx.session,
      iam: {
        ...iam,
        simulatePrincipalPolicy: (...args) => {
          calls.push(args);
          return iam.simulatePrincipalPolicy(...args);
        },
      },
    };
    ctx.reads = new TargetReads(t, ctx.session);
    const r = await checkTaskAssumes(ctx);
    expect(r.verdict).toBe("pass");
    expect(calls).toEqual([[TASK_ROLE, ["sts:AssumeRole"], [DEST, DEST2], []]]);
    expect(r.children![0]!.children![0]).toMatchObject({
      id: `task-assumes:allow:${DEST}`,
      verdict: "pass",
      message: `${TASK_ROLE} may sts:AssumeRole on ${DEST}`,
      evidence: { method: "iam:SimulatePrincipalPolicy", taskRole: TASK_ROLE, roleArn: DEST, matched: [] },
    });
  });

  it("no Allow in the task role's policies: fails ACCESS_DENIED with the statement to add", async () => {
    const { r, allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => w.account(A).simulation.set(`sts:AssumeRole ${DEST}`, "implicitDeny"),
    });
    expect(r.verdict).toBe("fail");
    expect(allow!.verdict).toBe("fail");
    expect(allow!.error).toMatchObject({ code: "ACCESS_DENIED", action: "sts:AssumeRole", resource: DEST });
    expect(allow!.message).toBe(`no policy of ${TASK_ROLE} allows sts:AssumeRole on ${DEST}`);
    expect(allow!.hint).toBe(
      `Add to a policy of the task role ${TASK_ROLE}: ${JSON.stringify({ Effect: "Allow", Action: "sts:AssumeRole", Resource: DEST })}`,
    );
    expect(allow!.evidence).toMatchObject({ denier: "no-allow" });
    // The parent names the failing side.
    expect(r.message).toBe(allow!.message);
  });

  it("a destination in another account: IAM's implicitDeny with the task role's statement matched is its side allowing", async () => {
    // SimulatePrincipalPolicy cannot see the other account's trust policy: its identity side is what counts here.
    const { allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => {
        w.account(A).simulation.set(`sts:AssumeRole ${DEST}`, "implicitDeny");
        w.account(A).simulationDetails.set(`sts:AssumeRole ${DEST}`, { matchedStatements: ["shop-api-task-events"] });
      },
    });
    expect(allow).toMatchObject({ verdict: "pass", evidence: { matched: ["shop-api-task-events"] } });
  });

  it("an explicit Deny: fails naming the statement, and the hint says to narrow it", async () => {
    const { allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => {
        w.account(A).simulation.set(`sts:AssumeRole ${DEST}`, "explicitDeny");
        w.account(A).simulationDetails.set(`sts:AssumeRole ${DEST}`, { matchedStatements: ["NoCrossAccount"] });
      },
    });
    expect(allow!.verdict).toBe("fail");
    expect(allow!.message).toBe(`a Deny statement (NoCrossAccount) forbids ${TASK_ROLE} sts:AssumeRole on ${DEST}`);
    expect(allow!.hint).toMatch(/^Narrow the Deny \(NoCrossAccount\) so it no longer covers this request/);
    expect(allow!.evidence).toMatchObject({ denier: "explicit-deny" });
  });

  it("IAM's answer depends on context: unverified, without an error (the simulation worked)", async () => {
    const { allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => {
        w.account(A).simulation.set(`sts:AssumeRole ${DEST}`, "implicitDeny");
        w.account(A).simulationDetails.set(`sts:AssumeRole ${DEST}`, { missingContextValues: ["aws:SourceIp"] });
      },
    });
    expect(allow!.verdict).toBe("unverified");
    expect(allow!.message).toContain(`whether ${TASK_ROLE} may sts:AssumeRole on ${DEST} is unknown: `);
    expect(allow!.message).toContain("aws:SourceIp");
    expect(allow!.hint).toBe(
      `Allow arn:aws:iam::${A}:role/deployer (or the viewer role) iam:SimulatePrincipalPolicy on ${TASK_ROLE} so deployer can ask IAM. The task role needs: ${JSON.stringify({ Effect: "Allow", Action: "sts:AssumeRole", Resource: DEST })}. --strict turns this warning into an error.`,
    );
    expect(allow!.error).toBeUndefined();
  });

  it("simulation refused and policies unreadable: unverified, carrying the simulation's error", async () => {
    const { allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      world: (w) => {
        w.account(A).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", TASK_ROLE));
        w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", TASK_ROLE));
      },
    });
    expect(allow!.verdict).toBe("unverified");
    expect(allow!.error).toMatchObject({ code: "ACCESS_DENIED", action: "iam:SimulatePrincipalPolicy" });
  });

  it("simulation refused: the task role's own policies are evaluated locally", async () => {
    const { allow } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(TASK_ROLE)]]),
      policies: { events: doc({ Sid: "Events", Effect: "Allow", Action: "sts:AssumeRole", Resource: DEST }) },
      world: (w) => w.account(A).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", TASK_ROLE)),
    });
    expect(allow).toMatchObject({ verdict: "pass", evidence: { method: "local-evaluation" } });
  });

  it("a role of the task's own account: its trust policy alone decides (no identity side)", async () => {
    const own = `arn:aws:iam::${A}:role/helper`;
    const { r, allow, trust, asked } = await run(declared(own), {
      world: (w) => {
        w.account(A).roles.set("helper", { arn: own, name: "helper", trustPolicy: trusting(TASK_ROLE) });
        w.account(A).simulation.set(`sts:AssumeRole ${own}`, "implicitDeny");
      },
    });
    expect(r.verdict, r.message).toBe("pass");
    expect(allow).toMatchObject({ verdict: "skip", message: `${own} is in the task's own account: its trust policy decides` });
    // Read with the target's own session, not a fleet viewer.
    expect(asked).toEqual([]);
    expect(trust!.evidence).toMatchObject({ via: DEPLOY_SESSION });
  });
});

describe("check task-assumes: the destination's side (its trust policy)", () => {
  it("passes when the trust policy names the task role, read as the viewer of the destination account", async () => {
    const { trust, asked } = await run(declared(DEST), { destinations: new Map([[DEST, trusting(TASK_ROLE)]]) });
    expect(asked).toEqual([DEST]);
    expect(trust).toMatchObject({ id: `task-assumes:trust:${DEST}`, verdict: "pass" });
    expect(trust!.message).toBe(`${DEST}'s trust policy names ${TASK_ROLE} (or its account)`);
    expect(trust!.evidence).toMatchObject({ method: "iam:GetRole + local-evaluation", via: VIEWER, roleArn: DEST, decision: "allowed" });
  });

  it("passes when it names the task role's account", async () => {
    const { trust } = await run(declared(DEST), { destinations: new Map([[DEST, trusting(`arn:aws:iam::${A}:root`)]]) });
    expect(trust!.verdict).toBe("pass");
  });

  it("evaluates conditions on the task role's ARN and account (the principal is a task session of it)", async () => {
    const cond = (key: string, value: string) => trusting(`arn:aws:iam::${A}:root`, { Condition: { StringEquals: { [key]: value } } });
    const byArn = await run(declared(DEST), { destinations: new Map([[DEST, cond("aws:PrincipalArn", TASK_ROLE)]]) });
    expect(byArn.trust!.verdict).toBe("pass");
    const byAccount = await run(declared(DEST), { destinations: new Map([[DEST, cond("aws:PrincipalAccount", A)]]) });
    expect(byAccount.trust!.verdict).toBe("pass");
    const otherRole = await run(declared(DEST), {
      destinations: new Map([[DEST, cond("aws:PrincipalArn", `arn:aws:iam::${A}:role/other`)]]),
    });
    expect(otherRole.trust!.verdict).toBe("fail");
  });

  it("fails ROLE_NOT_TRUSTED when the trust policy names neither, with the statement to add", async () => {
    const { r, trust } = await run(declared(DEST), {
      destinations: new Map([[DEST, trusting(`arn:aws:iam::999999999999:root`)]]),
    });
    expect(r.verdict).toBe("fail");
    expect(trust!.error).toMatchObject({ code: "ROLE_NOT_TRUSTED", action: "sts:AssumeRole", resource: DEST });
    expect(trust!.message).toBe(
      `${DEST}'s trust policy does not name the task role ${TASK_ROLE} or its account ${A}: the task's AssumeRole will be AccessDenied`,
    );
    expect(trust!.hint).toBe(
      `Add this statement to the trust policy of ${DEST} (in account ${DEST_ACCOUNT}: aws iam update-assume-role-policy), or name the whole account (arn:aws:iam::${A}:root) there: ${TRUST_STATEMENT}`,
    );
    expect(trust!.evidence).toMatchObject({ decision: "implicitDeny" });
  });

  it("fails ROLE_NOT_TRUSTED naming the Deny statement that refuses the task role", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([
        [
          DEST,
          doc(
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "sts:AssumeRole" },
            { Sid: "NoShop", Effect: "Deny", Principal: { AWS: TASK_ROLE }, Action: "sts:AssumeRole" },
          ),
        ],
      ]),
    });
    expect(trust!.error?.code).toBe("ROLE_NOT_TRUSTED");
    expect(trust!.message).toBe(`${DEST}'s trust policy denies ${TASK_ROLE} (trust:dev-events#NoShop)`);
    expect(trust!.hint).toBe(`Remove or narrow the Deny (trust:dev-events#NoShop) in the trust policy of ${DEST}.`);
  });

  it("conditions deployer cannot evaluate: unverified, with the statement to check by hand", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([
        [DEST, trusting(TASK_ROLE, { Condition: { "ForAllValues:StringEqualsIgnoreCaseNope": { "aws:TagKeys": "x" } } })],
      ]),
    });
    expect(trust!.verdict).toBe("unverified");
    expect(trust!.message).toMatch(new RegExp(`^${DEST}'s trust policy uses conditions deployer does not evaluate \\(.+\\)$`));
    expect(trust!.hint).toBe(`Check by hand that it lets ${TASK_ROLE} assume it: ${TRUST_STATEMENT}`);
  });

  it("two conditions it cannot evaluate: both named, comma-separated", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([
        [DEST, trusting(TASK_ROLE, { Condition: { FirstNope: { "aws:TagKeys": "x" }, SecondNope: { "aws:TagKeys": "y" } } })],
      ]),
    });
    expect(trust!.verdict).toBe("unverified");
    expect(trust!.message).toBe(`${DEST}'s trust policy uses conditions deployer does not evaluate (FirstNope, SecondNope)`);
  });

  it("two Deny statements refusing the task role: both named in the message and the hint", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([
        [
          DEST,
          doc(
            { Effect: "Allow", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "sts:AssumeRole" },
            { Sid: "NoShop", Effect: "Deny", Principal: { AWS: TASK_ROLE }, Action: "sts:AssumeRole" },
            { Sid: "NoTasks", Effect: "Deny", Principal: { AWS: `arn:aws:iam::${A}:root` }, Action: "sts:*" },
          ),
        ],
      ]),
    });
    expect(trust!.error?.code).toBe("ROLE_NOT_TRUSTED");
    expect(trust!.message).toBe(`${DEST}'s trust policy denies ${TASK_ROLE} (trust:dev-events#NoShop, trust:dev-events#NoTasks)`);
    expect(trust!.hint).toBe(
      `Remove or narrow the Deny (trust:dev-events#NoShop, trust:dev-events#NoTasks) in the trust policy of ${DEST}.`,
    );
  });

  it("fails ROLE_NOT_FOUND when the destination role does not exist", async () => {
    const { trust } = await run(declared(DEST));
    expect(trust!.verdict).toBe("fail");
    expect(trust!.error).toMatchObject({ code: "ROLE_NOT_FOUND", action: "iam:GetRole", resource: DEST, awsCode: "NoSuchEntity" });
    expect(trust!.message).toBe(`role ${DEST} (from taskAssumes (${DEV_FILE})) does not exist`);
    expect(trust!.hint).toBe(
      `Create it in account ${DEST_ACCOUNT} with this trust statement, or fix taskAssumes (${DEV_FILE}): ${TRUST_STATEMENT}`,
    );
    expect(trust!.evidence).toEqual({ method: "iam:GetRole", via: VIEWER, roleArn: DEST });
  });

  it("GetRole AccessDenied: unverified, naming the role to allow", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([[DEST, accessDenied("iam:GetRole", DEST)]]),
    });
    expect(trust!.verdict).toBe("unverified");
    expect(trust!.message).toBe(`could not read ${DEST} as ${VIEWER}: Access denied: iam:GetRole on ${DEST}`);
    expect(trust!.hint).toBe(
      `Allow ${VIEWER} iam:GetRole on ${DEST} so deployer can check its trust policy; it must name the task role: ${TRUST_STATEMENT}. --strict turns this warning into an error.`,
    );
    expect(trust!.error).toMatchObject({ code: "ACCESS_DENIED" });
    expect(trust!.evidence).toEqual({ method: "iam:GetRole", via: VIEWER, roleArn: DEST });
  });

  it("any other GetRole failure fails, with the error's own hint", async () => {
    const { trust } = await run(declared(DEST), {
      destinations: new Map([[DEST, awsException("ServiceFailure", "IAM is down")]]),
    });
    expect(trust!.verdict).toBe("fail");
    expect(trust!.error).toMatchObject({ awsCode: "ServiceFailure", action: "iam:GetRole", resource: DEST });
    expect(trust!.hint).toBe(trust!.error!.hint);
  });

  it("no session in the destination account: unverified, saying how to let deployer check it", async () => {
    const { trust } = await run(declared(DEST), { fleet: "none" });
    expect(trust!.verdict).toBe("unverified");
    expect(trust!.message).toBe(`the trust policy of ${DEST} was not read: deployer has no session in account ${DEST_ACCOUNT}`);
    expect(trust!.hint).toBe(
      `Make sure its trust policy names the task role (or account ${A}): ${TRUST_STATEMENT}. To have deployer check it, give a target in account ${DEST_ACCOUNT} a viewRole that may iam:GetRole it. --strict turns this warning into an error.`,
    );
    expect(trust!.evidence).toEqual({ roleArn: DEST, from: `taskAssumes (${DEV_FILE})` });
    expect(trust!.error).toBeUndefined();
  });

  it("the viewer session could not be had: unverified with its reason and error", async () => {
    const error = accessDenied("sts:AssumeRole", VIEWER);
    const { trust } = await run(declared(DEST), { fleet: { reason: "assuming the viewer role failed", error } });
    expect(trust!.message).toBe(`the trust policy of ${DEST} was not read: assuming the viewer role failed`);
    expect(trust!.error).toMatchObject({ code: "ACCESS_DENIED", action: "sts:AssumeRole" });
    const noError = await run(declared(DEST), { fleet: { reason: "no target in account 333333333333 has a viewRole" } });
    expect(noError.trust!.verdict).toBe("unverified");
    expect(noError.trust!.error).toBeUndefined();
  });

  it("what is not a role ARN is never read: unverified, saying so", async () => {
    const { trust, asked } = await run(declared("arn:aws:s3:::not-a-role"));
    expect(trust!.message).toBe("the trust policy of arn:aws:s3:::not-a-role was not read: arn:aws:s3:::not-a-role is not a role ARN");
    expect(trust!.hint).toContain("give a target in account ? a viewRole");
    expect(asked).toEqual([]);
  });
});

describe("assumedRolesIn", () => {
  it("reads Action lists, wildcard actions, and skips statements without Action (NotAction) or Resource", () => {
    expect(
      assumedRolesIn(
        [
          { Effect: "Allow", NotAction: "s3:*", Resource: DEST } as never,
          { Effect: "Allow", Action: "sts:Assume*", Resource: DEST },
          { Effect: "Allow", Action: "sts:AssumeRole" },
          { Effect: "Allow", Action: "sts:AssumeRole", Resource: "arn:aws:iam::444444444444:role/dev-?" },
        ],
        A,
      ),
    ).toEqual([DEST]);
  });
});
