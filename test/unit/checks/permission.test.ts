// "May this role do that?" (src/checks/permission.ts): IAM's simulation first; what it cannot answer
// (no result, an undocumented decision, the simulation refused) from the role's own policies
// evaluated locally; when neither is possible, unverified — never a guessed "allowed".
import { describe, expect, it } from "vitest";
import { answerPermissions, contextEntries, type PermissionAsk } from "../../../src/checks/permission.js";
import type { SimulationQuestion } from "../../../src/checks/target-reads.js";
import { DeployerError } from "../../../src/errors.js";
import { checkContext } from "./check-context.js";
import { accessDenied, doc, healthyWorld, type FakeWorld } from "../../helpers/fake-aws.js";
import { makeTarget } from "../../helpers/factories.js";

const A = "222222222222";
const target = makeTarget({ account: A });
const BOUNDARY = `arn:aws:iam::${A}:policy/cap`;
const OTHER_ROLE = `arn:aws:iam::${A}:role/other`;
const SERVICE = `arn:aws:ecs:eu-west-1:${A}:service/shop-dev/api`;
const PASSED = { "iam:PassedToService": "ecs-tasks.amazonaws.com" };

const passTask: PermissionAsk = { action: "iam:PassRole", resource: target.taskRole };
const passExec: PermissionAsk = { action: "iam:PassRole", resource: target.executionRole };
const update: PermissionAsk = { action: "ecs:UpdateService", resource: SERVICE };

function question(overrides: Partial<SimulationQuestion> = {}): SimulationQuestion {
  return {
    key: "q",
    policySourceArn: target.deployRole,
    actions: ["iam:PassRole", "ecs:UpdateService"],
    resources: [target.taskRole, target.executionRole, SERVICE],
    context: contextEntries(PASSED),
    ...overrides,
  };
}

const allowPass = doc({
  Sid: "Pass",
  Effect: "Allow",
  Action: "iam:PassRole",
  Resource: target.taskRole,
  Condition: { StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } },
});

/** A world whose simulation is refused: every ask is answered from the deploy role's policies. */
function refusedWorld(): FakeWorld {
  const w = healthyWorld(target);
  w.account(A).failures.set("simulatePrincipalPolicy", accessDenied("iam:SimulatePrincipalPolicy", target.deployRole));
  return w;
}

async function answer(w: FakeWorld, asks: PermissionAsk[], q = question()) {
  return answerPermissions(await checkContext(w, target), q, asks);
}

const localReads = (w: FakeWorld) => w.calls.filter((c) => c.method === "listInlinePolicies" || c.method === "listAttachedPolicies");

describe("contextEntries", () => {
  it("a string is a string entry, a list a stringList entry", () => {
    expect(contextEntries({ "iam:PassedToService": "ecs-tasks.amazonaws.com", "aws:TagKeys": ["a", "b"] })).toEqual([
      { key: "iam:PassedToService", type: "string", values: ["ecs-tasks.amazonaws.com"] },
      { key: "aws:TagKeys", type: "stringList", values: ["a", "b"] },
    ]);
    expect(contextEntries({})).toEqual([]);
  });
});

describe("answerPermissions from IAM's simulation", () => {
  it("allowed / denied (and by whom) / unverified on missing keys, each from its own result, no local reads", async () => {
    const w = healthyWorld(target);
    const acct = w.account(A);
    acct.simulationDetails.set(`iam:PassRole ${target.taskRole}`, { matchedStatements: ["inline:deploy#Pass"] });
    acct.simulation.set(`iam:PassRole ${target.executionRole}`, "implicitDeny");
    acct.simulationDetails.set(`iam:PassRole ${target.executionRole}`, { allowedByPermissionsBoundary: false, matchedStatements: ["m"] });
    acct.simulation.set(`ecs:UpdateService ${SERVICE}`, "explicitDeny");
    acct.simulationDetails.set(`ecs:UpdateService ${SERVICE}`, { missingContextValues: ["aws:SourceVpce", "aws:SourceIp"] });
    const r = await answer(w, [passTask, passExec, update]);
    expect(r).toEqual({
      answers: [
        { verdict: "allowed", method: "iam:SimulatePrincipalPolicy", matched: ["inline:deploy#Pass"] },
        { verdict: "denied", by: "boundary", method: "iam:SimulatePrincipalPolicy", matched: ["m"] },
        {
          verdict: "unverified",
          method: "iam:SimulatePrincipalPolicy",
          missing: ["aws:SourceVpce", "aws:SourceIp"],
          why: "IAM's answer (explicitDeny) depends on condition keys deployer cannot know before the task runs (aws:SourceVpce, aws:SourceIp)",
        },
      ],
    });
    expect(localReads(w)).toEqual([]);
    // Asked with the question as given.
    const call = w.calls.find((c) => c.method === "simulatePrincipalPolicy")!;
    expect(call.args).toEqual([target.deployRole, question().actions, question().resources, question().context]);
  });

  it("decisions are read case-insensitively (IAM's documented values in any case are trusted)", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(target.taskRole, "ExplicitDeny");
    w.account(A).simulation.set(target.executionRole, "ALLOWED");
    const r = await answer(w, [passTask, passExec]);
    expect(r.answers.map((a) => [a.verdict, a.method])).toEqual([
      ["denied", "iam:SimulatePrincipalPolicy"],
      ["allowed", "iam:SimulatePrincipalPolicy"],
    ]);
    expect(r.answers[0]).toMatchObject({ by: "explicit-deny" });
  });

  it("a cross-account resource allowed on the identity side only is allowed, identityOnly", async () => {
    const w = healthyWorld(target);
    const repo = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
    w.account(A).simulation.set(repo, "implicitDeny");
    w.account(A).simulationDetails.set(repo, { matchedStatements: ["inline:pull#Pull"] });
    const q = question({ actions: ["ecr:BatchGetImage"], resources: [repo], context: [] });
    const cross = await answer(w, [{ action: "ecr:BatchGetImage", resource: repo, crossAccountResource: true }], q);
    expect(cross.answers).toEqual([
      { verdict: "allowed", method: "iam:SimulatePrincipalPolicy", matched: ["inline:pull#Pull"], identityOnly: true },
    ]);
    const same = await answer(healthyWorld(target), [{ action: "ecr:BatchGetImage", resource: repo }], q);
    expect(same.answers[0]).not.toHaveProperty("identityOnly");
  });

  it("asks without a usable answer (none for them, an undocumented decision) come from the role's policies, in place", async () => {
    const w = healthyWorld(target);
    const acct = w.account(A);
    acct.inline.set("deployer", { deploy: allowPass });
    acct.simulation.set(`iam:PassRole ${target.taskRole}`, "maybe");
    acct.simulation.set(`ecs:UpdateService ${SERVICE}`, "explicitDeny");
    const asks = [passTask, update, { action: "iam:PassRole", resource: OTHER_ROLE }];
    const r = await answer(w, asks);
    expect(r.answers).toEqual([
      expect.objectContaining({ verdict: "allowed", method: "local-evaluation", matched: ["inline:deploy#Pass"] }),
      { verdict: "denied", by: "explicit-deny", method: "iam:SimulatePrincipalPolicy", matched: [] },
      { verdict: "denied", by: "no-allow", method: "local-evaluation", matched: [] },
    ]);
    expect(r.policiesRead).toEqual(["inline:deploy"]);
    expect(r).not.toHaveProperty("simulateError");
    expect(r).not.toHaveProperty("readError");
  });

  it("…and unverified, never allowed, when the role's policies cannot be read either (saying why)", async () => {
    const w = healthyWorld(target);
    w.account(A).simulation.set(target.taskRole, "maybe");
    w.account(A).failures.set("listInlinePolicies", accessDenied("iam:ListRolePolicies", target.deployRole));
    const r = await answer(w, [passTask, update]);
    expect(r.answers).toEqual([
      {
        verdict: "unverified",
        method: "none",
        why: "iam:SimulatePrincipalPolicy gave no usable answer and reading the role's policies failed (iam:ListRolePolicies: AccessDenied)",
      },
      { verdict: "allowed", method: "iam:SimulatePrincipalPolicy", matched: [] },
    ]);
    expect(r.readError).toMatchObject({ action: "iam:ListRolePolicies" });
    expect(r).not.toHaveProperty("simulateError");
  });
});

describe("answerPermissions when the simulation is refused: the role's policies, evaluated locally", () => {
  it("allowed (with what matched and what it cannot see), saying why the simulation was not used and what was read", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", { deploy: allowPass });
    w.account(A).attached.set("deployer", { [`arn:aws:iam::${A}:policy/ecs`]: doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" }) });
    const r = await answer(w, [passTask, update]);
    expect(r.answers).toEqual([
      {
        verdict: "allowed",
        method: "local-evaluation",
        matched: ["inline:deploy#Pass"],
        note: "evaluated locally from the role's identity policies and boundary; SCPs and session policies are not visible to it",
      },
      expect.objectContaining({ verdict: "allowed", method: "local-evaluation", matched: [`arn:aws:iam::${A}:policy/ecs#0`] }),
    ]);
    expect(r.answers[0]).not.toHaveProperty("identityOnly");
    expect(r.simulateError).toMatchObject({ code: "ACCESS_DENIED", action: "iam:SimulatePrincipalPolicy" });
    expect(r.policiesRead).toEqual(["inline:deploy", `arn:aws:iam::${A}:policy/ecs`]);
    expect(r).not.toHaveProperty("boundaryArn");
    expect(r).not.toHaveProperty("readError");
  });

  it("a cross-account resource allowed locally is identity-side only", async () => {
    const w = refusedWorld();
    const repo = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
    w.account(A).inline.set("deployer", { pull: doc({ Sid: "Pull", Effect: "Allow", Action: "ecr:BatchGetImage", Resource: repo }) });
    const r = await answer(w, [{ action: "ecr:BatchGetImage", resource: repo, crossAccountResource: true }]);
    expect(r.answers[0]).toMatchObject({ verdict: "allowed", method: "local-evaluation", identityOnly: true });
  });

  it("the request context of the question counts: iam:PassedToService, lists as lists", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      deploy: allowPass,
      tag: doc({
        Sid: "Tag",
        Effect: "Allow",
        Action: "ecs:TagResource",
        Resource: "*",
        Condition: { "ForAllValues:StringEquals": { "aws:TagKeys": ["deployer:run-id"] } },
      }),
    });
    const tag = { action: "ecs:TagResource", resource: "*" };
    const withPassed = await answer(
      w,
      [passTask, tag],
      question({ context: contextEntries({ ...PASSED, "aws:TagKeys": ["deployer:run-id"] }) }),
    );
    expect(withPassed.answers.map((a) => a.verdict)).toEqual(["allowed", "allowed"]);
    // Another service, and a tag key the policy does not allow among the keys: both denied.
    const w2 = refusedWorld();
    w2.account(A).inline.set("deployer", w.account(A).inline.get("deployer")!);
    const other = await answer(
      w2,
      [passTask, tag],
      question({ context: contextEntries({ "iam:PassedToService": "lambda.amazonaws.com", "aws:TagKeys": ["deployer:run-id", "team"] }) }),
    );
    expect(other.answers.map((a) => a.verdict)).toEqual(["denied", "denied"]);
  });

  it("the principal's ARN and account are in the context (aws:PrincipalArn, aws:PrincipalAccount)", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      self: doc({
        Sid: "Self",
        Effect: "Allow",
        Action: "ecs:UpdateService",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": A }, ArnEquals: { "aws:PrincipalArn": target.deployRole } },
      }),
    });
    expect((await answer(w, [update])).answers[0]?.verdict).toBe("allowed");
  });

  it("a policy source that is no ARN: the principal's account is the target's", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      self: doc({
        Sid: "Self",
        Effect: "Allow",
        Action: "ecs:UpdateService",
        Resource: "*",
        Condition: { StringEquals: { "aws:PrincipalAccount": A } },
      }),
    });
    const ctx = await checkContext(w, target);
    const r = await answerPermissions(ctx, question({ policySourceArn: "deployer" }), [update]);
    expect(r.answers[0]?.verdict).toBe("allowed");
  });

  it("an explicit Deny in the role's policies: denied by it, naming it", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      deploy: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
      guard: doc({ Sid: "NoUpdate", Effect: "Deny", Action: "ecs:UpdateService", Resource: "*" }),
    });
    const r = await answer(w, [update]);
    expect(r.answers).toEqual([{ verdict: "denied", by: "explicit-deny", method: "local-evaluation", matched: ["inline:guard#NoUpdate"] }]);
  });

  it("a Deny in the permissions boundary: denied by the boundary; a Deny in both: the role's own Deny is named", async () => {
    const w = refusedWorld();
    const acct = w.account(A);
    acct.inline.set("deployer", { deploy: doc({ Effect: "Allow", Action: "*", Resource: "*" }) });
    acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    acct.managed.set(
      BOUNDARY,
      doc({ Effect: "Allow", Action: "*", Resource: "*" }, { Sid: "NoPass", Effect: "Deny", Action: "iam:PassRole", Resource: "*" }),
    );
    const r = await answer(w, [passTask]);
    expect(r.answers).toEqual([
      { verdict: "denied", by: "boundary", method: "local-evaluation", matched: [`boundary:${BOUNDARY}#NoPass`] },
    ]);
    expect(r.boundaryArn).toBe(BOUNDARY);

    const both = refusedWorld();
    const b = both.account(A);
    b.inline.set("deployer", {
      deploy: doc({ Effect: "Allow", Action: "*", Resource: "*" }),
      guard: doc({ Sid: "NoPass", Effect: "Deny", Action: "iam:PassRole", Resource: "*" }),
    });
    b.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    b.managed.set(BOUNDARY, acct.managed.get(BOUNDARY)!);
    expect((await answer(both, [passTask])).answers[0]).toMatchObject({ verdict: "denied", by: "explicit-deny" });
  });

  it("no Allow: denied by the boundary when the role's policies allow it, else by no Allow", async () => {
    const w = refusedWorld();
    const acct = w.account(A);
    acct.inline.set("deployer", { deploy: allowPass });
    acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    acct.managed.set(BOUNDARY, doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" }));
    const r = await answer(w, [passTask, passExec]);
    expect(r.answers).toEqual([
      { verdict: "denied", by: "boundary", method: "local-evaluation", matched: [] },
      { verdict: "denied", by: "no-allow", method: "local-evaluation", matched: [] },
    ]);

    const plain = refusedWorld();
    plain.account(A).inline.set("deployer", { deploy: allowPass });
    expect((await answer(plain, [passExec])).answers[0]).toMatchObject({ verdict: "denied", by: "no-allow" });
  });

  it("allowed by the policies but the boundary unreadable: unverified, naming the boundary and why", async () => {
    const refused = refusedWorld();
    const acct = refused.account(A);
    acct.inline.set("deployer", { deploy: allowPass });
    acct.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    acct.failures.set("getManagedPolicy", accessDenied("iam:GetPolicyVersion", BOUNDARY));
    const r = await answer(refused, [passTask]);
    expect(r.answers).toEqual([
      {
        verdict: "unverified",
        method: "local-evaluation",
        why: `the role's policies allow it, but its permissions boundary ${BOUNDARY} could not be read (Access denied: iam:GetPolicyVersion on ${BOUNDARY})`,
      },
    ]);
    expect(r.boundaryArn).toBe(BOUNDARY);

    const noPort = refusedWorld();
    const n = noPort.account(A);
    n.canReadManagedPolicies = false;
    n.inline.set("deployer", { deploy: allowPass });
    n.roles.get("deployer")!.permissionsBoundaryArn = BOUNDARY;
    expect((await answer(noPort, [passTask])).answers[0]).toMatchObject({
      verdict: "unverified",
      why: `the role's policies allow it, but its permissions boundary ${BOUNDARY} could not be read (no way to read managed policies)`,
    });
  });

  it("a condition operator deployer does not evaluate: unverified, naming it", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      deploy: doc({
        Sid: "FromOffice",
        Effect: "Allow",
        Action: "ecs:UpdateService",
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
      }),
    });
    const r = await answer(w, [update]);
    expect(r.answers).toEqual([
      {
        verdict: "unverified",
        method: "local-evaluation",
        unsupported: ["IpAddress"],
        why: "the role's policies use condition operators deployer does not evaluate (IpAddress)",
      },
    ]);
  });

  it("the policies unreadable too: every ask unverified (method none), with both errors", async () => {
    const w = refusedWorld();
    w.account(A).failures.set(
      "listAttachedPolicies",
      new DeployerError({ code: "AWS_ERROR", message: "throttled", action: "iam:ListAttachedRolePolicies" }),
    );
    const r = await answer(w, [passTask, update]);
    const why =
      "iam:SimulatePrincipalPolicy failed (AccessDenied) and reading the role's policies failed (iam:ListAttachedRolePolicies: AWS_ERROR)";
    expect(r.answers).toEqual([
      { verdict: "unverified", method: "none", why },
      { verdict: "unverified", method: "none", why },
    ]);
    expect(r.simulateError).toMatchObject({ awsCode: "AccessDenied" });
    expect(r.readError).toMatchObject({ code: "AWS_ERROR" });
    expect(r).not.toHaveProperty("policiesRead");
  });

  it("several operators deployer does not evaluate are all named", async () => {
    const w = refusedWorld();
    w.account(A).inline.set("deployer", {
      deploy: doc({
        Effect: "Allow",
        Action: "ecs:UpdateService",
        Resource: "*",
        Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, BinaryEquals: { "aws:x": "AA==" } },
      }),
    });
    expect((await answer(w, [update])).answers[0]).toMatchObject({
      verdict: "unverified",
      why: "the role's policies use condition operators deployer does not evaluate (IpAddress, BinaryEquals)",
    });
  });

  it("a read error that names no action is taken as ListRolePolicies'", async () => {
    const w = refusedWorld();
    w.account(A).failures.set("listInlinePolicies", new DeployerError({ code: "AWS_ERROR", message: "throttled" }));
    expect((await answer(w, [update])).answers[0]).toMatchObject({
      verdict: "unverified",
      why: "iam:SimulatePrincipalPolicy failed (AccessDenied) and reading the role's policies failed (iam:ListRolePolicies: AWS_ERROR)",
    });
  });

  it("a simulation error without an AWS code is named by deployer's code", async () => {
    const w = healthyWorld(target);
    w.account(A).failures.set("simulatePrincipalPolicy", new DeployerError({ code: "ENDPOINT_UNREACHABLE", message: "no route" }));
    w.account(A).failures.set("getRole", new DeployerError({ code: "ENDPOINT_UNREACHABLE", message: "no route", action: "iam:GetRole" }));
    const r = await answer(w, [update]);
    expect(r.answers[0]).toMatchObject({
      verdict: "unverified",
      why: "iam:SimulatePrincipalPolicy failed (ENDPOINT_UNREACHABLE) and reading the role's policies failed (iam:GetRole: ENDPOINT_UNREACHABLE)",
    });
  });
});
