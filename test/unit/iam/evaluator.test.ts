// Evaluator behaviour the differential battery cannot cover (the oracle refuses such input, or the
// question is deployer-specific): unsupported operators, evidence ids, account-wide principals.
import { describe, expect, it } from "vitest";
import type { PolicyDocument, PolicyStatement } from "../../../src/aws/ports.js";
import { evaluateIdentityPolicies, evaluateResourcePolicy, evaluateTrustPolicy } from "../../../src/iam/evaluator.js";
import { parseOperator } from "../../../src/iam/conditions.js";

const doc = (...Statement: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement });
const ROLE = "arn:aws:iam::222222222222:role/shop-api-task";
const base = { action: "iam:PassRole", resource: ROLE, context: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } };

describe("evaluateIdentityPolicies", () => {
  it("names matched statements policy#Sid, or policy#index without a Sid", () => {
    const r = evaluateIdentityPolicies({
      ...base,
      policies: [
        { name: "inline:deploy", document: doc({ Sid: "Pass", Effect: "Allow", Action: "iam:PassRole", Resource: ROLE }) },
        doc({ Effect: "Allow", Action: "ecs:*", Resource: "*" }, { Effect: "Allow", Action: "iam:*", Resource: "*" }),
      ],
    });
    expect(r.decision).toBe("allowed");
    expect(r.matched).toEqual(["inline:deploy#Pass", "policy[1]#1"]);
  });

  it("an Allow with an unknown operator never applies, and says why", () => {
    const r = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc({ Effect: "Allow", Action: "iam:PassRole", Resource: "*", Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } } }),
      ],
    });
    expect(r.decision).toBe("implicitDeny");
    expect(r.unsupported).toEqual(["IpAddress"]);
  });

  it("a Deny with an unknown operator is uncertain, never an explicit deny", () => {
    const r = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc(
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Sid: "Net", Effect: "Deny", Action: "*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
        ),
      ],
    });
    expect(r.decision).not.toBe("explicitDeny");
    expect(r.uncertain).toBe(true);
    expect(r.uncertainDenies).toEqual(["policy[0]#Net"]);
    expect(r.unsupported).toEqual(["NotIpAddress"]);
  });

  it("an Allow with an unknown operator makes a denial uncertain; another Allow that applies settles it", () => {
    const maybe = {
      Effect: "Allow" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { IpAddress: { "aws:SourceIp": "10.0.0.0/8" } },
    };
    const alone = evaluateIdentityPolicies({ ...base, policies: [doc(maybe)] });
    expect([alone.decision, alone.uncertain]).toEqual(["implicitDeny", true]);
    const settled = evaluateIdentityPolicies({
      ...base,
      policies: [doc(maybe, { Effect: "Allow", Action: "iam:PassRole", Resource: ROLE })],
    });
    expect([settled.decision, settled.uncertain]).toEqual(["allowed", false]);
  });

  it("a condition on a key deployer cannot know (aws:SourceVpce, aws:PrincipalTag/…) is uncertain, not a denial", () => {
    const vpce = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc(
          { Effect: "Allow", Action: "*", Resource: "*" },
          {
            Sid: "OnlyVpce",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b" } },
          },
        ),
      ],
    });
    expect([vpce.decision, vpce.uncertain, vpce.unsupported]).toEqual(["allowed", true, ["StringNotEquals(aws:SourceVpce)"]]);
    const abac = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc({
          Effect: "Allow",
          Action: "iam:PassRole",
          Resource: "*",
          Condition: { StringEquals: { "iam:ResourceTag/team": "${aws:PrincipalTag/team}" } },
        }),
      ],
    });
    expect([abac.decision, abac.uncertain]).toEqual(["implicitDeny", true]);
    // Given in the context, the key is evaluated as any other.
    const known = evaluateIdentityPolicies({
      ...base,
      context: { ...base.context, "aws:SourceVpce": "vpce-other" },
      policies: [
        doc(
          { Effect: "Allow", Action: "*", Resource: "*" },
          {
            Sid: "OnlyVpce",
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringNotEquals: { "aws:SourceVpce": "vpce-1a2b" } },
          },
        ),
      ],
    });
    expect([known.decision, known.uncertain]).toEqual(["explicitDeny", false]);
  });

  it("a Deny that applies for sure is explicit even beside an uncertain one", () => {
    const r = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc(
          { Effect: "Allow", Action: "*", Resource: "*" },
          { Sid: "Net", Effect: "Deny", Action: "*", Resource: "*", Condition: { NotIpAddress: { "aws:SourceIp": "10.0.0.0/8" } } },
          { Sid: "Hard", Effect: "Deny", Action: "iam:PassRole", Resource: ROLE },
        ),
      ],
    });
    expect([r.decision, r.uncertain, r.matched]).toEqual(["explicitDeny", false, ["policy[0]#Hard"]]);
  });

  it("a Deny whose supported conditions fail does not apply even next to an unknown operator", () => {
    const r = evaluateIdentityPolicies({
      ...base,
      policies: [
        doc(
          { Effect: "Allow", Action: "*", Resource: "*" },
          {
            Effect: "Deny",
            Action: "*",
            Resource: "*",
            Condition: { StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" }, BinaryEquals: { "aws:x": "AA==" } },
          },
        ),
      ],
    });
    expect(r.decision).toBe("allowed");
  });

  it("ignores statements without Action/NotAction or Resource/NotResource (invalid for identity policies)", () => {
    expect(evaluateIdentityPolicies({ ...base, policies: [doc({ Effect: "Allow", Resource: "*" })] }).decision).toBe("implicitDeny");
    expect(evaluateIdentityPolicies({ ...base, policies: [doc({ Effect: "Allow", Action: "*" })] }).decision).toBe("implicitDeny");
  });

  it("resolves policy variables only in Version 2012-10-17 policies", () => {
    const st: PolicyStatement = {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::222222222222:role/${aws:PrincipalTag/app}-task",
    };
    const context = { ...base.context, "aws:PrincipalTag/app": "shop-api" };
    expect(evaluateIdentityPolicies({ ...base, context, policies: [doc(st)] }).decision).toBe("allowed");
    expect(evaluateIdentityPolicies({ ...base, context, policies: [{ Version: "2008-10-17", Statement: [st] }] }).decision).toBe(
      "implicitDeny",
    );
  });

  it("treats wildcard characters from a policy variable's value literally", () => {
    const st: PolicyStatement = {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::222222222222:role/${aws:PrincipalTag/app}",
    };
    expect(evaluateIdentityPolicies({ ...base, context: { "aws:PrincipalTag/app": "*" }, policies: [doc(st)] }).decision).toBe(
      "implicitDeny",
    );
  });

  it("matches Null, Bool and numeric values given as JSON booleans and numbers", () => {
    const st: PolicyStatement = {
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: "*",
      Condition: {
        Bool: { "aws:SecureTransport": true },
        NumericLessThan: { "aws:MultiFactorAuthAge": 3600 },
        Null: { "aws:TokenIssueTime": false },
      },
    };
    const context = { "aws:SecureTransport": "true", "aws:MultiFactorAuthAge": "60", "aws:TokenIssueTime": "2026-01-01T00:00:00Z" };
    expect(evaluateIdentityPolicies({ ...base, context, policies: [doc(st)] }).decision).toBe("allowed");
    expect(
      evaluateIdentityPolicies({ ...base, context: { ...context, "aws:SecureTransport": "false" }, policies: [doc(st)] }).decision,
    ).toBe("implicitDeny");
  });
});

describe("evaluateResourcePolicy / evaluateTrustPolicy", () => {
  const REPO = "arn:aws:ecr:eu-west-1:111111111111:repository/shop/api";
  const pull = { action: "ecr:BatchGetImage", resource: REPO, context: {} };

  it("an account id principal is granted by account grants, not by grants to one of its roles", () => {
    const account = { type: "AWS" as const, id: "333333333333" };
    expect(
      evaluateResourcePolicy({
        ...pull,
        principal: account,
        policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:root" }, Action: "ecr:*" }),
      }).decision,
    ).toBe("allowed");
    expect(
      evaluateResourcePolicy({
        ...pull,
        principal: account,
        policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:role/x" }, Action: "ecr:*" }),
      }).decision,
    ).toBe("implicitDeny");
  });

  it("a wildcard inside a Principal ARN is not a wildcard", () => {
    const principal = { type: "AWS" as const, id: "arn:aws:iam::333333333333:role/x" };
    expect(
      evaluateResourcePolicy({
        ...pull,
        principal,
        policy: doc({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::333333333333:role/*" }, Action: "ecr:*" }),
      }).decision,
    ).toBe("implicitDeny");
  });

  it("a statement without Principal or NotPrincipal grants nothing in a resource policy", () => {
    const principal = { type: "AWS" as const, id: "333333333333" };
    expect(evaluateResourcePolicy({ ...pull, principal, policy: doc({ Effect: "Allow", Action: "ecr:*", Resource: "*" }) }).decision).toBe(
      "implicitDeny",
    );
  });

  it("trust: service principal names compare case-insensitively; other principal types do not match", () => {
    const principal = { type: "Service" as const, id: "ecs-tasks.amazonaws.com" };
    const trust = (p: PolicyStatement["Principal"]) =>
      evaluateTrustPolicy({
        trustPolicy: doc({ Effect: "Allow", Principal: p, Action: "sts:AssumeRole" }),
        principal,
        roleArn: ROLE,
        context: {},
      }).decision;
    expect(trust({ Service: "ECS-TASKS.amazonaws.com" })).toBe("allowed");
    expect(trust({ Federated: "token.actions.githubusercontent.com" })).toBe("implicitDeny");
    expect(trust({ AWS: "arn:aws:iam::222222222222:root" })).toBe("implicitDeny");
  });

  it("trust: defaults to sts:AssumeRole and reports the matched statement", () => {
    const r = evaluateTrustPolicy({
      trustPolicy: {
        name: "trust:shop-api-task",
        document: doc({ Sid: "Ecs", Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }),
      },
      principal: { type: "Service", id: "ecs-tasks.amazonaws.com" },
      roleArn: ROLE,
      context: {},
    });
    expect(r).toMatchObject({ decision: "allowed", matched: ["trust:shop-api-task#Ecs"] });
  });
});

describe("parseOperator", () => {
  it.each([
    ["StringEquals", { base: "stringequals", ifExists: false }],
    ["ForAnyValue:StringLikeIfExists", { set: "ForAnyValue", base: "stringlike", ifExists: true }],
    ["forallvalues:arnlike", { set: "ForAllValues", base: "arnlike", ifExists: false }],
    ["Null", { base: "null", ifExists: false }],
  ])("%s", (name, expected) => {
    expect(parseOperator(name)).toMatchObject(expected);
  });
  it.each(["IpAddress", "BinaryEquals", "StringEqualz", "Sometimes:StringEquals", "NullIfExists", "ForAnyValue:Null"])(
    "refuses %s",
    (name) => {
      expect(parseOperator(name)).toBeUndefined();
    },
  );
});
