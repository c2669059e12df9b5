// Policy variables in ARN conditions and the Resource element, and their default values
// (src/iam/wildcard.ts, conditions.ts, evaluator.ts).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html — where variables
// may be used (Resource element, String and Arn* condition operators), "Policy variables with no value",
// "Specifying default values" (`${aws:PrincipalTag/team, 'company-wide'}`).
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
// — ARNs are matched per colon-separated component.
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../../src/aws/ports.js";
import { evaluateConditions, contextLookup } from "../../../src/iam/conditions.js";
import { evaluateIdentityPolicies } from "../../../src/iam/evaluator.js";
import { arnMatches, matchesPattern } from "../../../src/iam/wildcard.js";

const TASK_DEF = "arn:aws:ecs:eu-west-1:222222222222:task-definition/shop:7";
const SOURCE = "arn:aws:ecs:eu-west-1:222222222222:task/shop/0123";
const allowAll = { Effect: "Allow" as const, Action: "iam:PassRole", Resource: "*" };

function doc(...Statement: PolicyDocument["Statement"][]): PolicyDocument {
  return { Version: "2012-10-17", Statement: Statement.flat() };
}

function passRole(
  policies: PolicyDocument[],
  context: Record<string, string | string[]>,
  resource = "arn:aws:iam::222222222222:role/shop-task",
) {
  return evaluateIdentityPolicies({ policies, action: "iam:PassRole", resource, context });
}

describe("a variable inside an Arn* condition value", () => {
  const denyOwnAccountTasks = {
    Effect: "Deny" as const,
    Action: "iam:PassRole",
    Resource: "*",
    Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:${aws:PrincipalAccount}:task/*" } },
  };

  it("a Deny with ArnLike + ${aws:PrincipalAccount} applies when the ARN is in the principal's account", () => {
    const r = passRole([doc(allowAll, denyOwnAccountTasks)], { "aws:SourceArn": SOURCE, "aws:PrincipalAccount": "222222222222" });
    expect(r.decision).toBe("explicitDeny");
    expect(r.uncertain).toBe(false);
  });

  it("the same Deny does not apply to another account's ARN", () => {
    const r = passRole([doc(allowAll, denyOwnAccountTasks)], { "aws:SourceArn": SOURCE, "aws:PrincipalAccount": "333333333333" });
    expect(r.decision).toBe("allowed");
  });

  it("an Allow with ArnEquals + a variable in the resource part matches", () => {
    const allow = {
      Effect: "Allow" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: {
        ArnEquals: { "ecs:task-definition": "arn:aws:ecs:eu-west-1:${aws:PrincipalAccount}:task-definition/${aws:username}:7" },
      },
    };
    const ctx = { "ecs:task-definition": TASK_DEF, "aws:PrincipalAccount": "222222222222", "aws:username": "shop" };
    expect(passRole([doc(allow)], ctx).decision).toBe("allowed");
    expect(passRole([doc(allow)], { ...ctx, "aws:username": "other" }).decision).toBe("implicitDeny");
  });

  it("ArnNotLike with a variable: the Deny applies to ARNs outside the principal's account only", () => {
    const deny = {
      Effect: "Deny" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { ArnNotLike: { "aws:SourceArn": "arn:aws:ecs:*:${aws:PrincipalAccount}:*" } },
    };
    expect(passRole([doc(allowAll, deny)], { "aws:SourceArn": SOURCE, "aws:PrincipalAccount": "222222222222" }).decision).toBe("allowed");
    expect(passRole([doc(allowAll, deny)], { "aws:SourceArn": SOURCE, "aws:PrincipalAccount": "333333333333" }).decision).toBe(
      "explicitDeny",
    );
  });

  it("a variable whose value has colons stays inside the ARN component it is written in", () => {
    const vars = contextLookup({ "aws:PrincipalArn": "x:y", "aws:PrincipalAccount": "222222222222" });
    expect(
      arnMatches(
        "arn:aws:ecs:eu-west-1:${aws:PrincipalAccount}:task/${aws:PrincipalArn}",
        "arn:aws:ecs:eu-west-1:222222222222:task/x:y",
        vars,
      ),
    ).toBe(true);
    // Substituted first and split after, `x:y` would not shift the components; but a value with colons
    // never fills several components: the account component must not swallow them.
    const shifted = contextLookup({ "aws:PrincipalAccount": "222222222222:task" });
    expect(arnMatches("arn:aws:ecs:eu-west-1:${aws:PrincipalAccount}/0123", "arn:aws:ecs:eu-west-1:222222222222:task/0123", shifted)).toBe(
      false,
    );
  });
});

describe("default values", () => {
  const vars = (ctx: Record<string, string>) => ({ ignoreCase: false, wildcards: true, variables: contextLookup(ctx) });
  const bucket = "arn:aws:s3:::shop-${aws:username, 'company-wide'}";

  it("a missing key gives the default; a present key its value", () => {
    expect(matchesPattern(bucket, "arn:aws:s3:::shop-company-wide", vars({}))).toBe(true);
    expect(matchesPattern(bucket, "arn:aws:s3:::shop-yellow", vars({}))).toBe(false);
    expect(matchesPattern(bucket, "arn:aws:s3:::shop-yellow", vars({ "aws:username": "yellow" }))).toBe(true);
    expect(matchesPattern(bucket, "arn:aws:s3:::shop-company-wide", vars({ "aws:username": "yellow" }))).toBe(false);
  });

  it("the default is a literal: `*` and `?` in it are no wildcards", () => {
    const p = "role/${aws:username, 'team-*'}";
    expect(matchesPattern(p, "role/team-*", vars({}))).toBe(true);
    expect(matchesPattern(p, "role/team-red", vars({}))).toBe(false);
  });

  it("an Allow and a Deny in a condition use the default", () => {
    const deny = {
      Effect: "Deny" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { StringEquals: { "aws:RequestedRegion": "${aws:username, 'eu-west-1'}" } },
    };
    expect(passRole([doc(allowAll, deny)], { "aws:RequestedRegion": "eu-west-1" }).decision).toBe("explicitDeny");
    expect(passRole([doc(allowAll, deny)], { "aws:RequestedRegion": "us-east-1" }).decision).toBe("allowed");
    const allow = { ...allowAll, Resource: "arn:aws:iam::222222222222:role/${aws:username, 'shop-task'}" };
    expect(passRole([doc(allow)], {}).decision).toBe("allowed");
  });

  it("a default in an ArnLike value", () => {
    const deny = {
      Effect: "Deny" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:${aws:ResourceAccount, '222222222222'}:task/*" } },
    };
    expect(passRole([doc(allowAll, deny)], { "aws:SourceArn": SOURCE }).decision).toBe("explicitDeny");
  });

  it("a malformed default (no space after the comma, no quotes) is not read as a key name: a Deny resting on it is uncertain", () => {
    for (const v of ["${aws:username,'x'}", "${aws:username, x}", "${aws:username, 'x}", "${aws:username, 'x', 'y'}"]) {
      const deny = {
        Effect: "Deny" as const,
        Action: "iam:PassRole",
        Resource: "*",
        Condition: { StringNotEquals: { "aws:username": v } },
      };
      const r = passRole([doc(allowAll, deny)], { "aws:username": "alice" });
      expect(r.decision, v).toBe("allowed");
      expect(r.uncertain, v).toBe(true);
      expect(r.uncertainDenies, v).toEqual(["policy[0]#1"]);
    }
  });
});

describe("variables deployer cannot resolve", () => {
  it("a Deny whose ArnLike value uses a tag deployer cannot read is uncertain, never a pass", () => {
    const deny = {
      Effect: "Deny" as const,
      Action: "iam:PassRole",
      Resource: "*",
      Condition: { ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:*:task/${aws:PrincipalTag/team}/*" } },
    };
    const r = passRole([doc(allowAll, deny)], { "aws:SourceArn": SOURCE });
    expect(r.decision).toBe("allowed");
    expect(r.uncertain).toBe(true);
    expect(r.unsupported.join(" ")).toContain("aws:PrincipalTag/team");
  });

  it("every value of the condition that deployer cannot resolve is named, comma-separated", () => {
    const lookup = contextLookup({ "aws:SourceArn": SOURCE });
    const values = ["arn:aws:ecs:*:*:task/${aws:PrincipalTag/team}/*", "arn:aws:ecs:*:*:task/${aws:PrincipalTag/owner}/*"];
    expect(evaluateConditions({ ArnLike: { "aws:SourceArn": values } }, lookup, true).unsupported).toEqual([
      `ArnLike(aws:SourceArn: ${values[0]}, ${values[1]})`,
    ]);
  });

  it("…even with a default: deployer does not know whether the tag is set", () => {
    const deny = {
      Effect: "Deny" as const,
      Action: "iam:PassRole",
      Resource: "arn:aws:iam::*:role/${aws:PrincipalTag/team, 'nobody'}-*",
    };
    const r = passRole([doc(allowAll, deny)], {}, "arn:aws:iam::222222222222:role/shop-task");
    expect(r.uncertain).toBe(true);
    expect(r.uncertainDenies).toEqual(["policy[0]#1"]);
    // What deployer could not evaluate is named, so the message can say which statement to check by hand.
    expect(r.unsupported).toEqual(["Resource(arn:aws:iam::*:role/${aws:PrincipalTag/team, 'nobody'}-*)"]);
  });

  it("a tag deployer was given is used", () => {
    const deny = { Effect: "Deny" as const, Action: "iam:PassRole", Resource: "arn:aws:iam::*:role/${aws:PrincipalTag/team}-*" };
    expect(passRole([doc(allowAll, deny)], { "aws:PrincipalTag/team": "shop" }).decision).toBe("explicitDeny");
    expect(passRole([doc(allowAll, deny)], { "aws:PrincipalTag/team": "web" }).decision).toBe("allowed");
  });

  it("a key absent from a request deployer knows fully keeps IAM's documented null: no match, and Not* operators match", () => {
    const lookup = contextLookup({ "aws:SourceArn": SOURCE });
    expect(evaluateConditions({ ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:${aws:username}:*" } }, lookup, true)).toEqual({
      matches: false,
      supportedMatch: false,
      unsupported: [],
    });
    expect(evaluateConditions({ ArnNotLike: { "aws:SourceArn": "arn:aws:ecs:*:${aws:username}:*" } }, lookup, true).matches).toBe(true);
  });
});
