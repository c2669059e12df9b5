// The evaluator's decisions (src/iam/evaluator.ts) against AWS's policy evaluation logic:
// - an explicit Deny in any policy wins; otherwise an Allow is needed; with a permissions boundary
//   the boundary must allow too (the effective permissions are the intersection), and an Allow in the
//   boundary alone grants nothing:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_boundaries.html
// - Effect is Allow or Deny, case-sensitive:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_effect.html
// - NotAction / NotResource match everything but the listed ones:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notaction.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notresource.html
// - Statement, Action, Resource take one value or a list (policy grammar):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html
// - NotPrincipal with Deny denies everyone but the listed principals:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_notprincipal.html
// - policy variables need Version 2012-10-17:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_version.html
// What is deployer's own (not AWS's): an operator it does not evaluate makes the answer "uncertain"
// (src/iam/conditions.ts), never an explicit deny and never a pass.
import { describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyStatement } from "../../../src/aws/ports.js";
import { evaluateIdentityPolicies, evaluateResourcePolicy, evaluateTrustPolicy } from "../../../src/iam/evaluator.js";

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const ROLE = "arn:aws:iam::222222222222:role/shop-api-task";
const OTHER = "arn:aws:iam::222222222222:role/admin";
const PASS = { action: "iam:PassRole", resource: ROLE, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } };
const allowPass: PolicyStatement = { Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: ROLE };
const maybe = (Effect: "Allow" | "Deny", Sid: string): PolicyStatement => ({
  Sid,
  Effect,
  Action: "*",
  Resource: "*",
  Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
});

describe("identity policies: explicit Deny, Allow, implicit deny", () => {
  it("an Allow grants; without one the request is implicitly denied", () => {
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass)] })).toEqual({
      decision: "allowed",
      matched: ["policy[0]#Pass"],
      statements: [{ id: "policy[0]#Pass", policy: "policy[0]", effect: "Allow", statement: allowPass }],
      unsupported: [],
      uncertain: false,
      uncertainDenies: [],
    });
    expect(evaluateIdentityPolicies({ ...PASS, policies: [] })).toEqual({
      decision: "implicitDeny",
      matched: [],
      statements: [],
      unsupported: [],
      uncertain: false,
      uncertainDenies: [],
    });
  });

  it("an explicit Deny in any policy wins over every Allow, and the Denies are what the answer rests on", () => {
    const deny: PolicyStatement = { Sid: "NoPass", Effect: "Deny", Action: "iam:PassRole", Resource: "*" };
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(allowPass), { name: "guard", document: doc(deny) }, doc({ Effect: "Allow", Action: "*", Resource: "*" })],
    });
    expect(r.decision).toBe("explicitDeny");
    expect(r.matched).toEqual(["guard#NoPass"]);
    expect(r.statements).toEqual([{ id: "guard#NoPass", policy: "guard", effect: "Deny", statement: deny }]);
  });

  it("every Allow that applies is named, in policy order", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc({ Effect: "Allow", Action: "iam:*", Resource: "*" }, allowPass), { name: "inline:b", document: doc(allowPass) }],
    });
    expect(r.matched).toEqual(["policy[0]#0", "policy[0]#Pass", "inline:b#Pass"]);
  });

  it("Effect is case-sensitive: a statement whose Effect is neither Allow nor Deny is ignored", () => {
    const lower = { ...allowPass, Effect: "allow" } as unknown as PolicyStatement;
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(lower)] }).decision).toBe("implicitDeny");
    const lowerDeny = { ...allowPass, Effect: "deny" } as unknown as PolicyStatement;
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass, lowerDeny)] }).decision).toBe("allowed");
  });

  it("a statement given as one object, and Action/Resource given as lists", () => {
    const single = { Version: "2012-10-17", Statement: allowPass } as unknown as PolicyDocument;
    expect(evaluateIdentityPolicies({ ...PASS, policies: [single] }).decision).toBe("allowed");
    const lists: PolicyStatement = { Effect: "Allow", Action: ["ecs:RegisterTaskDefinition", "iam:PassRole"], Resource: [OTHER, ROLE] };
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(lists)] }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc({ ...lists, Resource: [OTHER] })] }).decision).toBe("implicitDeny");
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc({ ...lists, Action: ["ecs:*"] })] }).decision).toBe("implicitDeny");
  });

  it("a policy without statements, or with an empty one, grants nothing and breaks nothing", () => {
    const empty = { Version: "2012-10-17" } as unknown as PolicyDocument;
    const withNull = { Version: "2012-10-17", Statement: [null, allowPass] } as unknown as PolicyDocument;
    expect(evaluateIdentityPolicies({ ...PASS, policies: [empty] }).decision).toBe("implicitDeny");
    expect(evaluateIdentityPolicies({ ...PASS, policies: [withNull] }).matched).toEqual(["policy[0]#Pass"]);
  });

  it("a named policy whose document is missing (could not be read) grants nothing and does not stop the evaluation", () => {
    const unread = { name: "inline:unread", document: undefined } as unknown as { name: string; document: PolicyDocument };
    expect(evaluateIdentityPolicies({ ...PASS, policies: [unread, doc(allowPass)] }).matched).toEqual(["policy[1]#Pass"]);
    expect(evaluateIdentityPolicies({ ...PASS, policies: [unread] }).decision).toBe("implicitDeny");
  });

  it("a named policy keeps its name; a bare document is named by its position", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [
        doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" }),
        { name: "arn:aws:iam::aws:policy/PowerUser", document: doc(allowPass) },
      ],
    });
    expect(r.matched).toEqual(["arn:aws:iam::aws:policy/PowerUser#Pass"]);
    // A document that happens to have a `name` member but no `document` is still a document.
    const odd = { name: "x", Version: "2012-10-17", Statement: [allowPass] } as unknown as PolicyDocument;
    expect(evaluateIdentityPolicies({ ...PASS, policies: [odd] }).matched).toEqual(["policy[0]#Pass"]);
  });
});

describe("NotAction and NotResource", () => {
  it("an Allow with NotAction allows every action but the listed ones", () => {
    const st: PolicyStatement = { Effect: "Allow", NotAction: ["iam:*"], Resource: "*" };
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(st)] }).decision).toBe("implicitDeny");
    expect(evaluateIdentityPolicies({ ...PASS, action: "ecs:UpdateService", policies: [doc(st)] }).decision).toBe("allowed");
  });

  it("a Deny with NotAction denies every action but the listed ones", () => {
    const policies = [doc({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", NotAction: "ecs:*", Resource: "*" })];
    expect(evaluateIdentityPolicies({ ...PASS, policies }).decision).toBe("explicitDeny");
    expect(evaluateIdentityPolicies({ ...PASS, action: "ecs:UpdateService", policies }).decision).toBe("allowed");
  });

  it("NotResource: every resource but the listed ones", () => {
    const st: PolicyStatement = { Effect: "Allow", Action: "iam:PassRole", NotResource: [OTHER] };
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(st)] }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...PASS, resource: OTHER, policies: [doc(st)] }).decision).toBe("implicitDeny");
    const deny = doc({ Effect: "Allow", Action: "*", Resource: "*" }, { Effect: "Deny", Action: "*", NotResource: ROLE });
    expect(evaluateIdentityPolicies({ ...PASS, policies: [deny] }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...PASS, resource: OTHER, policies: [deny] }).decision).toBe("explicitDeny");
  });

  it("NotResource patterns take policy variables (Version 2012-10-17)", () => {
    const st: PolicyStatement = { Effect: "Deny", Action: "*", NotResource: "arn:aws:iam::222222222222:role/${aws:PrincipalTag/app}-*" };
    const policies = [doc({ Effect: "Allow", Action: "*", Resource: "*" }, st)];
    const context = { ...PASS.context, "aws:PrincipalTag/app": "shop-api" };
    expect(evaluateIdentityPolicies({ ...PASS, context, policies }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...PASS, context: { ...context, "aws:PrincipalTag/app": "web" }, policies }).decision).toBe(
      "explicitDeny",
    );
  });

  it("a resource policy statement may omit Resource (the policy's resource is implied); an identity statement may not", () => {
    const st: PolicyStatement = { Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "ecr:BatchGetImage" };
    const req = { action: "ecr:BatchGetImage", resource: "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api", context: {} };
    expect(evaluateResourcePolicy({ ...req, principal: { type: "AWS", id: "333333333333" }, policy: doc(st) }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...req, policies: [doc({ Effect: "Allow", Action: "ecr:BatchGetImage" })] }).decision).toBe(
      "implicitDeny",
    );
    // When a resource policy names Resource, it must match.
    expect(
      evaluateResourcePolicy({
        ...req,
        principal: { type: "AWS", id: "333333333333" },
        policy: doc({ ...st, Resource: "arn:aws:ecr:*:*:repository/other" }),
      }).decision,
    ).toBe("implicitDeny");
  });
});

describe("permissions boundary", () => {
  const boundaryAllowing = (action: string): PolicyDocument => doc({ Sid: "B", Effect: "Allow", Action: action, Resource: "*" });

  it("both the identity policies and the boundary must allow; the answer names both Allows", () => {
    const r = evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass)], boundary: boundaryAllowing("iam:PassRole") });
    expect(r.decision).toBe("allowed");
    expect(r.matched).toEqual(["policy[0]#Pass", "boundary#B"]);
    expect(evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass)], boundary: boundaryAllowing("ecs:*") }).decision).toBe(
      "implicitDeny",
    );
    expect(evaluateIdentityPolicies({ ...PASS, policies: [], boundary: boundaryAllowing("*") }).decision).toBe("implicitDeny");
  });

  it("a Deny in the boundary is an explicit deny", () => {
    const boundary = {
      name: "arn:aws:iam::222222222222:policy/guard",
      document: doc({ Sid: "D", Effect: "Deny", Action: "iam:*", Resource: "*" }),
    };
    const r = evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass)], boundary });
    expect([r.decision, r.matched]).toEqual(["explicitDeny", ["arn:aws:iam::222222222222:policy/guard#D"]]);
  });

  it("a boundary Allow that may apply (unevaluated operator) makes a boundary denial uncertain, only when nothing in the boundary allows for sure", () => {
    const alone = evaluateIdentityPolicies({ ...PASS, policies: [doc(allowPass)], boundary: doc(maybe("Allow", "MaybeB")) });
    expect([alone.decision, alone.uncertain, alone.unsupported]).toEqual(["implicitDeny", true, ["IpAddress"]]);
    const settled = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(allowPass)],
      boundary: doc(maybe("Allow", "MaybeB"), { Effect: "Allow", Action: "*", Resource: "*" }),
    });
    expect([settled.decision, settled.uncertain]).toEqual(["allowed", false]);
  });

  it("a boundary's possible Allow does not make an identity-side denial uncertain when the boundary already allows", () => {
    // Nothing in the identity policies allows; the boundary allows for sure and may allow again.
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" })],
      boundary: doc({ Effect: "Allow", Action: "*", Resource: "*" }, maybe("Allow", "MaybeB")),
    });
    expect([r.decision, r.uncertain]).toEqual(["implicitDeny", false]);
  });

  it("a boundary Deny that may apply makes an Allow uncertain", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(allowPass)],
      boundary: { name: "b", document: doc({ Effect: "Allow", Action: "*", Resource: "*" }, maybe("Deny", "MaybeD")) },
    });
    expect([r.decision, r.uncertain, r.uncertainDenies]).toEqual(["allowed", true, ["b#MaybeD"]]);
  });
});

describe("uncertain answers (deployer's own rule)", () => {
  it("a possible Deny makes an Allow uncertain, names the Deny, and reports each operator once", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(allowPass, maybe("Deny", "D1")), doc(maybe("Deny", "D2"))],
    });
    expect(r).toMatchObject({
      decision: "allowed",
      uncertain: true,
      uncertainDenies: ["policy[0]#D1", "policy[1]#D2"],
      unsupported: ["IpAddress"],
    });
  });

  it("a possible Allow does not make an explicit deny uncertain, and an explicit deny lists no uncertain Denies", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(maybe("Allow", "A"), maybe("Deny", "D"), { Sid: "Hard", Effect: "Deny", Action: "*", Resource: "*" })],
    });
    expect(r).toMatchObject({ decision: "explicitDeny", uncertain: false, uncertainDenies: [], matched: ["policy[0]#Hard"] });
  });

  it("a possible Deny beside an implicit deny changes nothing: denied either way", () => {
    const r = evaluateIdentityPolicies({ ...PASS, policies: [doc(maybe("Deny", "D"))] });
    expect([r.decision, r.uncertain]).toEqual(["implicitDeny", false]);
    expect(r.uncertainDenies).toEqual(["policy[0]#D"]);
  });

  it("a statement that does not apply for another reason is not 'possible', whatever its operators", () => {
    const r = evaluateIdentityPolicies({
      ...PASS,
      policies: [doc(allowPass, { ...maybe("Deny", "D"), Action: "ecs:*" })],
    });
    expect([r.decision, r.uncertain, r.uncertainDenies]).toEqual(["allowed", false, []]);
    // Its operator is not even reported: the statement was ruled out before its Condition.
    expect(r.unsupported).toEqual([]);
  });
});

describe("resource policies and trust policies", () => {
  const REPO = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
  const pull = { action: "ecr:BatchGetImage", resource: REPO, context: {} };
  const puller = { type: "AWS" as const, id: "arn:aws:sts::333333333333:assumed-role/shop-api-exec/ecs-task" };

  it("a Deny for the principal wins; the answer names it", () => {
    const r = evaluateResourcePolicy({
      ...pull,
      principal: puller,
      policy: doc(
        { Sid: "Pull", Effect: "Allow", Principal: "*", Action: "ecr:*" },
        { Sid: "Not333", Effect: "Deny", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "ecr:*" },
      ),
    });
    expect([r.decision, r.matched]).toEqual(["explicitDeny", ["resource-policy#Not333"]]);
  });

  it("Deny with NotPrincipal denies everyone but the listed principals", () => {
    const policy = doc(
      { Effect: "Allow", Principal: "*", Action: "ecr:*" },
      { Effect: "Deny", NotPrincipal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "ecr:*" },
    );
    expect(evaluateResourcePolicy({ ...pull, principal: puller, policy }).decision).toBe("allowed");
    expect(evaluateResourcePolicy({ ...pull, principal: { type: "AWS", id: "arn:aws:iam::444444444444:role/x" }, policy }).decision).toBe(
      "explicitDeny",
    );
  });

  it("a resource policy's possible Deny makes its Allow uncertain; its possible Allow makes a denial uncertain", () => {
    const deny = evaluateResourcePolicy({
      ...pull,
      principal: puller,
      policy: {
        name: "repo",
        document: doc({ Effect: "Allow", Principal: "*", Action: "ecr:*" }, { ...maybe("Deny", "Net"), Principal: "*" }),
      },
    });
    expect([deny.decision, deny.uncertain, deny.uncertainDenies]).toEqual(["allowed", true, ["repo#Net"]]);
    const allow = evaluateResourcePolicy({ ...pull, principal: puller, policy: doc({ ...maybe("Allow", "Net"), Principal: "*" }) });
    expect([allow.decision, allow.uncertain]).toEqual(["implicitDeny", true]);
  });

  it("trust: the action asked is sts:AssumeRole unless another is given (sts:TagSession)", () => {
    const trust = doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" });
    const principal = { type: "Service" as const, id: "ecs-tasks.amazonaws.com" };
    expect(evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, context: {} }).decision).toBe("allowed");
    expect(evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, action: "sts:TagSession", context: {} }).decision).toBe(
      "implicitDeny",
    );
    const r = evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, context: {} });
    expect(r.matched).toEqual(["trust-policy#0"]);
  });

  it("trust: the role is the resource a statement's Resource must match", () => {
    const principal = { type: "Service" as const, id: "ecs-tasks.amazonaws.com" };
    const trust = doc({ Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole", Resource: OTHER });
    expect(evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, context: {} }).decision).toBe("implicitDeny");
    expect(evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: OTHER, context: {} }).decision).toBe("allowed");
  });

  it("trust: conditions see the request context (aws:SourceAccount)", () => {
    const principal = { type: "Service" as const, id: "ecs-tasks.amazonaws.com" };
    const trust = doc({
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
      Condition: { StringEquals: { "aws:SourceAccount": "222222222222" } },
    });
    expect(
      evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, context: { "aws:SourceAccount": "222222222222" } }).decision,
    ).toBe("allowed");
    expect(
      evaluateTrustPolicy({ trustPolicy: trust, principal, roleArn: ROLE, context: { "aws:SourceAccount": "333333333333" } }).decision,
    ).toBe("implicitDeny");
  });
});
