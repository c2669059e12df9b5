// The Condition element (src/iam/conditions.ts), against the AWS documentation:
// - operators, negation, a key missing from the request (false for a positive operator, true for a
//   negated one), ...IfExists (true when the key is missing), Null, Numeric, Date (ISO 8601 or epoch
//   seconds), Bool, Arn*:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
// - several operators in one Condition, several keys in one operator: AND; several values for one key:
//   OR; condition key names are case-insensitive:
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition.html
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-logic-multiple-context-keys-or-values.html
// - ForAnyValue (false for a missing key or an empty set) and ForAllValues (true for a missing key or
//   an empty set):
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html
// - policy variables in condition values: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
import { describe, expect, it } from "vitest";
import { contextLookup, evaluateConditions, parseOperator, UNKNOWABLE_KEY, type ConditionBlock } from "../../../src/iam/conditions.js";

function holds(condition: ConditionBlock, context: Record<string, string | string[]> = {}, variables = true): boolean {
  const r = evaluateConditions(condition, contextLookup(context), variables);
  return r.matches;
}

describe("combining", () => {
  it("no Condition holds", () => {
    expect(evaluateConditions(undefined, contextLookup({}), true)).toEqual({ matches: true, supportedMatch: true, unsupported: [] });
  });

  it("the values of one key: any may match", () => {
    const c = { StringEquals: { "aws:PrincipalAccount": ["111111111111", "222222222222"] } };
    expect(holds(c, { "aws:PrincipalAccount": "222222222222" })).toBe(true);
    expect(holds(c, { "aws:PrincipalAccount": "333333333333" })).toBe(false);
  });

  it("the keys of one operator: all must match", () => {
    const c = { StringEquals: { "aws:PrincipalAccount": "111111111111", "sts:ExternalId": "shop" } };
    expect(holds(c, { "aws:PrincipalAccount": "111111111111", "sts:ExternalId": "shop" })).toBe(true);
    expect(holds(c, { "aws:PrincipalAccount": "111111111111", "sts:ExternalId": "other" })).toBe(false);
    expect(holds(c, { "aws:PrincipalAccount": "999999999999", "sts:ExternalId": "shop" })).toBe(false);
  });

  it("the operators of one Condition: all must match, whichever fails", () => {
    const c = { StringEquals: { "sts:ExternalId": "shop" }, ArnLike: { "aws:SourceArn": "arn:aws:ecs:*:222222222222:*" } };
    const ok = { "sts:ExternalId": "shop", "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/x" };
    expect(holds(c, ok)).toBe(true);
    expect(holds(c, { ...ok, "sts:ExternalId": "x" })).toBe(false);
    expect(holds(c, { ...ok, "aws:SourceArn": "arn:aws:ecs:eu-west-1:333333333333:task/x" })).toBe(false);
    const r = evaluateConditions(c, contextLookup({ ...ok, "sts:ExternalId": "x" }), true);
    expect(r).toEqual({ matches: false, supportedMatch: false, unsupported: [] });
  });

  it("condition keys are case-insensitive, their values are not (StringEquals)", () => {
    expect(holds({ StringEquals: { "AWS:SourceAccount": "222222222222" } }, { "aws:sourceaccount": "222222222222" })).toBe(true);
    expect(
      holds({ StringEquals: { "iam:PassedToService": "ECS-TASKS.amazonaws.com" } }, { "iam:PassedToService": "ecs-tasks.amazonaws.com" }),
    ).toBe(false);
  });
});

describe("string operators", () => {
  const ctx = { "iam:PassedToService": "ecs-tasks.amazonaws.com" };

  it("StringEquals / StringNotEquals: exact, no wildcards", () => {
    expect(holds({ StringEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }, ctx)).toBe(true);
    expect(holds({ StringEquals: { "iam:PassedToService": "ecs-*" } }, ctx)).toBe(false);
    expect(holds({ StringNotEquals: { "iam:PassedToService": "ecs-tasks.amazonaws.com" } }, ctx)).toBe(false);
    expect(holds({ StringNotEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "ecs-*"] } }, ctx)).toBe(true);
    // Negated: the request value must match none of the listed values.
    expect(holds({ StringNotEquals: { "iam:PassedToService": ["lambda.amazonaws.com", "ecs-tasks.amazonaws.com"] } }, ctx)).toBe(false);
  });

  it("StringEqualsIgnoreCase / StringNotEqualsIgnoreCase", () => {
    expect(holds({ StringEqualsIgnoreCase: { "iam:PassedToService": "ECS-Tasks.AmazonAWS.com" } }, ctx)).toBe(true);
    expect(holds({ StringEqualsIgnoreCase: { "iam:PassedToService": "ecs-tasks.*" } }, ctx)).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { "iam:PassedToService": "ECS-TASKS.AMAZONAWS.COM" } }, ctx)).toBe(false);
    expect(holds({ StringNotEqualsIgnoreCase: { "iam:PassedToService": "LAMBDA.AMAZONAWS.COM" } }, ctx)).toBe(true);
  });

  it("StringLike / StringNotLike: `*` and `?`, case-sensitive", () => {
    expect(holds({ StringLike: { "iam:PassedToService": "ecs-*.amazonaws.com" } }, ctx)).toBe(true);
    expect(holds({ StringLike: { "iam:PassedToService": "ECS-*" } }, ctx)).toBe(false);
    expect(holds({ StringLike: { "iam:PassedToService": "ecs-task?.amazonaws.com" } }, ctx)).toBe(true);
    expect(holds({ StringNotLike: { "iam:PassedToService": "ecs-*" } }, ctx)).toBe(false);
    expect(holds({ StringNotLike: { "iam:PassedToService": "lambda*" } }, ctx)).toBe(true);
  });

  it("policy variables in values resolve only when the policy version enables them", () => {
    const c = { StringEquals: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } };
    const context = { "aws:ResourceTag/team": "shop", "aws:PrincipalTag/team": "shop" };
    expect(holds(c, context)).toBe(true);
    expect(holds(c, { ...context, "aws:PrincipalTag/team": "other" })).toBe(false);
    expect(holds(c, context, false)).toBe(false);
    expect(holds(c, { ...context, "aws:ResourceTag/team": "${aws:PrincipalTag/team}" }, false)).toBe(true);
    // StringLike and ArnLike resolve them too.
    expect(
      holds({ StringLike: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}*" } }, { ...context, "aws:ResourceTag/team": "shop-a" }),
    ).toBe(true);
    expect(
      holds(
        { ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/${aws:PrincipalTag/team}/*" } },
        { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/shop/1", "aws:PrincipalTag/team": "shop" },
      ),
    ).toBe(true);
    expect(
      holds(
        { StringEqualsIgnoreCase: { "aws:ResourceTag/team": "${aws:PrincipalTag/team}" } },
        { "aws:ResourceTag/team": "SHOP", "aws:PrincipalTag/team": "shop" },
      ),
    ).toBe(true);
  });
});

describe("ARN operators", () => {
  const ctx = { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/0123" };

  it("ArnLike / ArnEquals match part by part with wildcards; ArnNotLike / ArnNotEquals negate", () => {
    expect(holds({ ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:*" } }, ctx)).toBe(true);
    expect(holds({ ArnEquals: { "aws:SourceArn": "arn:aws:ecs:*:222222222222:task/*" } }, ctx)).toBe(true);
    expect(holds({ ArnLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:333333333333:*" } }, ctx)).toBe(false);
    expect(holds({ ArnNotLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:333333333333:*" } }, ctx)).toBe(true);
    expect(holds({ ArnNotLike: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:*" } }, ctx)).toBe(false);
    expect(holds({ ArnNotEquals: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/0123" } }, ctx)).toBe(false);
    expect(holds({ ArnNotEquals: { "aws:SourceArn": "arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/9999" } }, ctx)).toBe(true);
  });
});

describe("Bool", () => {
  it("matches true and false", () => {
    expect(holds({ Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "true" })).toBe(true);
    expect(holds({ Bool: { "aws:SecureTransport": "true" } }, { "aws:SecureTransport": "false" })).toBe(false);
    expect(holds({ Bool: { "aws:SecureTransport": "false" } }, { "aws:SecureTransport": "false" })).toBe(true);
    expect(holds({ Bool: { "aws:SecureTransport": false } }, { "aws:SecureTransport": "true" })).toBe(false);
  });

  it("a request value that is not a boolean matches neither", () => {
    expect(holds({ Bool: { "aws:SecureTransport": "yes" } }, { "aws:SecureTransport": "yes" })).toBe(false);
    expect(holds({ Bool: { "aws:SecureTransport": ["true", "false"] } }, { "aws:SecureTransport": "1" })).toBe(false);
  });
});

describe("Numeric operators (the request value compared with the policy value)", () => {
  const age = (v: string) => ({ "aws:MultiFactorAuthAge": v });

  it.each([
    ["NumericEquals", "3600", ["3600", "3600.0"], ["3599", "3601"]],
    ["NumericNotEquals", "3600", ["3599", "3601"], ["3600"]],
    ["NumericLessThan", "3600", ["3599", "-1", "0.5"], ["3600", "3601"]],
    ["NumericLessThanEquals", "3600", ["3600", "3599"], ["3601"]],
    ["NumericGreaterThan", "3600", ["3601", "3600.5"], ["3600", "3599"]],
    ["NumericGreaterThanEquals", "3600", ["3600", "3601"], ["3599"]],
  ])("%s %s", (op, policy, yes, no) => {
    for (const v of yes) expect([v, holds({ [op]: { "aws:MultiFactorAuthAge": policy } }, age(v))]).toEqual([v, true]);
    for (const v of no) expect([v, holds({ [op]: { "aws:MultiFactorAuthAge": policy } }, age(v))]).toEqual([v, false]);
  });

  it("a value that is not a number matches no positive operator", () => {
    for (const v of ["", "abc", "12abc", "1 2", "0x10"]) {
      expect([v, holds({ NumericLessThanEquals: { "aws:MultiFactorAuthAge": "3600" } }, age(v))]).toEqual([v, false]);
      expect([v, holds({ NumericGreaterThanEquals: { "aws:MultiFactorAuthAge": "0" } }, age(v))]).toEqual([v, false]);
    }
    expect(holds({ NumericEquals: { "aws:MultiFactorAuthAge": "abc" } }, age("0"))).toBe(false);
  });

  it("decimal values with several digits after the point compare as numbers", () => {
    expect(holds({ NumericGreaterThan: { "aws:MultiFactorAuthAge": "3600" } }, age("3600.25"))).toBe(true);
    expect(holds({ NumericLessThan: { "aws:MultiFactorAuthAge": "3600.75" } }, age("3600.5"))).toBe(true);
    expect(holds({ NumericEquals: { "aws:MultiFactorAuthAge": "-12.50" } }, age("-12.5"))).toBe(true);
  });
});

describe("Date operators (ISO 8601 or epoch seconds)", () => {
  const at = (v: string) => ({ "aws:CurrentTime": v });

  it.each([
    ["DateEquals", "2026-12-01T10:00:00Z", ["2026-12-01T10:00:00Z", "1796119200"], ["2026-12-01T10:00:01Z"]],
    ["DateNotEquals", "2026-12-01T10:00:00Z", ["2026-12-01T10:00:01Z"], ["2026-12-01T10:00:00Z"]],
    ["DateLessThan", "2026-12-01T10:00:00Z", ["2026-12-01T09:59:59Z", "1796119199"], ["2026-12-01T10:00:00Z", "2027-01-01T00:00:00Z"]],
    ["DateLessThanEquals", "2026-12-01T10:00:00Z", ["2026-12-01T10:00:00Z", "2026-11-30"], ["2026-12-01T10:00:01Z"]],
    ["DateGreaterThan", "2026-12-01T10:00:00Z", ["2026-12-01T10:00:01Z"], ["2026-12-01T10:00:00Z", "2026-12-01T09:00:00Z"]],
    ["DateGreaterThanEquals", "1796119200", ["2026-12-01T10:00:00Z", "2026-12-02"], ["2026-12-01T09:59:59Z"]],
  ])("%s %s", (op, policy, yes, no) => {
    for (const v of yes) expect([v, holds({ [op]: { "aws:CurrentTime": policy } }, at(v))]).toEqual([v, true]);
    for (const v of no) expect([v, holds({ [op]: { "aws:CurrentTime": policy } }, at(v))]).toEqual([v, false]);
  });

  it("a value that is no date matches no positive operator", () => {
    for (const v of ["tomorrow", "12/01/2026", "2026-13-45T99:00:00Z", "x2026-12-01"]) {
      expect([v, holds({ DateLessThan: { "aws:CurrentTime": "2100-01-01T00:00:00Z" } }, at(v))]).toEqual([v, false]);
      expect([v, holds({ DateGreaterThan: { "aws:CurrentTime": "1970-01-02T00:00:00Z" } }, at(v))]).toEqual([v, false]);
    }
    expect(holds({ DateGreaterThan: { "aws:CurrentTime": "soon" } }, at("2026-12-01T00:00:00Z"))).toBe(false);
  });

  it("ISO 8601 with a numeric offset (W3C form, https://www.w3.org/TR/NOTE-datetime) is a date; a day without two digits, or text before the date, is not", () => {
    expect(holds({ DateEquals: { "aws:CurrentTime": "2026-12-01T10:00:00Z" } }, at("2026-12-01T11:00:00+01:00"))).toBe(true);
    expect(holds({ DateEquals: { "aws:CurrentTime": "2026-12-01T10:00:00+00:00" } }, at("1796119200"))).toBe(true);
    expect(holds({ DateLessThan: { "aws:CurrentTime": "2100-01-01T00:00:00Z" } }, at("2026-12-1"))).toBe(false);
    expect(holds({ DateLessThan: { "aws:CurrentTime": "2100-01-01T00:00:00Z" } }, at("on 2026-12-01"))).toBe(false);
  });
});

describe("a key missing from the request", () => {
  it("fails a positive operator and satisfies a negated one", () => {
    expect(holds({ StringEquals: { "sts:ExternalId": "shop" } })).toBe(false);
    expect(holds({ StringNotEquals: { "sts:ExternalId": "shop" } })).toBe(true);
    expect(holds({ ArnNotLike: { "aws:SourceArn": "arn:aws:ecs:*:*:*" } })).toBe(true);
    expect(holds({ NumericLessThan: { "aws:MultiFactorAuthAge": "3600" } })).toBe(false);
    expect(holds({ Bool: { "aws:SecureTransport": "false" } })).toBe(false);
  });

  it("...IfExists: true when the key is missing, evaluated as the operator when it is present", () => {
    expect(holds({ StringEqualsIfExists: { "sts:ExternalId": "shop" } })).toBe(true);
    expect(holds({ StringEqualsIfExists: { "sts:ExternalId": "shop" } }, { "sts:ExternalId": "other" })).toBe(false);
    expect(holds({ StringEqualsIfExists: { "sts:ExternalId": "shop" } }, { "sts:ExternalId": "shop" })).toBe(true);
    expect(holds({ StringNotEqualsIfExists: { "sts:ExternalId": "shop" } }, { "sts:ExternalId": "shop" })).toBe(false);
    expect(holds({ BoolIfExists: { "aws:MultiFactorAuthPresent": "false" } })).toBe(true);
  });

  it("Null: true means the key must be missing, false that it must be present", () => {
    expect(holds({ Null: { "aws:TokenIssueTime": "true" } })).toBe(true);
    expect(holds({ Null: { "aws:TokenIssueTime": "true" } }, { "aws:TokenIssueTime": "2026-12-01T00:00:00Z" })).toBe(false);
    expect(holds({ Null: { "aws:TokenIssueTime": "false" } })).toBe(false);
    expect(holds({ Null: { "aws:TokenIssueTime": "false" } }, { "aws:TokenIssueTime": "2026-12-01T00:00:00Z" })).toBe(true);
    expect(holds({ Null: { "aws:TokenIssueTime": true } })).toBe(true);
    // A value that is neither true nor false asks nothing that can hold.
    expect(holds({ Null: { "aws:TokenIssueTime": "maybe" } })).toBe(false);
    expect(holds({ Null: { "aws:TokenIssueTime": "maybe" } }, { "aws:TokenIssueTime": "x" })).toBe(false);
    // Several values for one key: any of them may hold (values OR together).
    expect(holds({ Null: { "aws:TokenIssueTime": ["true", "false"] } })).toBe(true);
    expect(holds({ Null: { "aws:TokenIssueTime": ["true", "false"] } }, { "aws:TokenIssueTime": "x" })).toBe(true);
  });
});

describe("multivalued keys: ForAnyValue and ForAllValues", () => {
  const tags = (...v: string[]) => ({ "aws:TagKeys": v });

  it("ForAnyValue: some request value matches some policy value; a missing key or an empty set does not", () => {
    const c = { "ForAnyValue:StringEquals": { "aws:TagKeys": ["team", "app"] } };
    expect(holds(c, tags("env", "app"))).toBe(true);
    expect(holds(c, tags("env", "cost"))).toBe(false);
    expect(holds(c, tags())).toBe(false);
    expect(holds(c)).toBe(false);
    expect(holds(c, { "aws:TagKeys": "team" })).toBe(true);
  });

  it("ForAnyValue with IfExists holds for a missing key or an empty set", () => {
    const c = { "ForAnyValue:StringEqualsIfExists": { "aws:TagKeys": "team" } };
    expect(holds(c)).toBe(true);
    expect(holds(c, tags())).toBe(true);
    expect(holds(c, tags("env"))).toBe(false);
  });

  it("ForAnyValue with a negated operator: some request value is none of the policy values", () => {
    const c = { "ForAnyValue:StringNotEquals": { "aws:TagKeys": ["team", "app"] } };
    expect(holds(c, tags("team", "env"))).toBe(true);
    expect(holds(c, tags("team", "app"))).toBe(false);
    // A missing key: ForAnyValue is false, negated or not.
    expect(holds(c)).toBe(false);
  });

  it("ForAllValues: every request value matches some policy value; true for a missing key or an empty set", () => {
    const c = { "ForAllValues:StringEquals": { "aws:TagKeys": ["team", "app"] } };
    expect(holds(c, tags("team", "app"))).toBe(true);
    expect(holds(c, tags("team", "env"))).toBe(false);
    expect(holds(c, tags())).toBe(true);
    expect(holds(c)).toBe(true);
  });

  it("ForAllValues with a negated operator: every request value is none of the policy values", () => {
    const c = { "ForAllValues:StringNotLike": { "aws:TagKeys": "aws:*" } };
    expect(holds(c, tags("team", "app"))).toBe(true);
    expect(holds(c, tags("team", "aws:cloudformation:stack-name"))).toBe(false);
  });

  it("a plain operator given a list: positive needs one value to match, negated needs all to match none", () => {
    expect(holds({ StringEquals: { "aws:TagKeys": "team" } }, tags("env", "team"))).toBe(true);
    expect(holds({ StringEquals: { "aws:TagKeys": "team" } }, tags("env", "cost"))).toBe(false);
    expect(holds({ StringNotEquals: { "aws:TagKeys": "team" } }, tags("env", "team"))).toBe(false);
    expect(holds({ StringNotEquals: { "aws:TagKeys": "team" } }, tags("env", "cost"))).toBe(true);
    // An empty list is a missing value.
    expect(holds({ StringEquals: { "aws:TagKeys": "team" } }, tags())).toBe(false);
    expect(holds({ StringNotEquals: { "aws:TagKeys": "team" } }, tags())).toBe(true);
    expect(holds({ StringEqualsIfExists: { "aws:TagKeys": "team" } }, tags())).toBe(true);
  });
});

describe("what deployer does not evaluate", () => {
  it("an unknown operator is reported and never holds; the others are still evaluated", () => {
    const lookup = contextLookup({ "iam:PassedToService": "ecs-tasks.amazonaws.com" });
    expect(evaluateConditions({ IpAddress: { "aws:SourceIp": "10.0.0.0/8" } }, lookup, true)).toEqual({
      matches: false,
      supportedMatch: true,
      unsupported: ["IpAddress"],
    });
    expect(
      evaluateConditions(
        { IpAddress: { "aws:SourceIp": "10.0.0.0/8" }, StringEquals: { "iam:PassedToService": "lambda.amazonaws.com" } },
        lookup,
        true,
      ),
    ).toEqual({ matches: false, supportedMatch: false, unsupported: ["IpAddress"] });
  });

  it("an operator whose keys are not an object is reported, not evaluated", () => {
    const r = evaluateConditions({ StringEquals: "x" as never, Bool: null as never }, contextLookup({}), true);
    expect(r).toEqual({ matches: false, supportedMatch: true, unsupported: ["StringEquals", "Bool"] });
  });

  it("a condition on a key deployer cannot know is reported as Operator(key) unless the request gives it", () => {
    const c = { StringEquals: { "aws:SourceVpce": "vpce-1", "aws:PrincipalTag/team": "shop" } };
    expect(evaluateConditions(c, contextLookup({}), true)).toEqual({
      matches: false,
      supportedMatch: true,
      unsupported: ["StringEquals(aws:SourceVpce)", "StringEquals(aws:PrincipalTag/team)"],
    });
    expect(evaluateConditions(c, contextLookup({ "aws:SourceVpce": "vpce-1", "aws:PrincipalTag/team": "shop" }), true)).toEqual({
      matches: true,
      supportedMatch: true,
      unsupported: [],
    });
    // A known key that is missing is simply missing.
    expect(evaluateConditions({ StringEquals: { "sts:ExternalId": "x" } }, contextLookup({}), true)).toEqual({
      matches: false,
      supportedMatch: false,
      unsupported: [],
    });
  });

  it.each([
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:SourceIp",
    "aws:VpcSourceIp",
    "aws:PrincipalTag/team",
    "aws:ResourceTag/team",
    "AWS:PRINCIPALORGID",
    "aws:PrincipalOrgPaths",
    "aws:ResourceOrgID",
    "aws:ResourceOrgPaths",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
    "aws:CalledVia",
    "aws:CalledViaFirst",
    "aws:CalledViaLast",
    "aws:ViaAWSService",
    "iam:ResourceTag/team",
    "secretsmanager:ResourceTag/app",
  ])("%s cannot be known before the request", (key) => {
    expect(UNKNOWABLE_KEY.test(key)).toBe(true);
  });

  it.each([
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:PrincipalArn",
    "aws:PrincipalTag",
    "aws:ResourceTag/",
    "aws:SourceIpX",
    "xaws:SourceIp",
    "aws:RequestTag/team",
    "iam:PassedToService",
    "ecs:ResourceTag",
    "ecs_x:ResourceTag/a",
    "aws:TagKeys",
  ])("%s is evaluated", (key) => {
    expect(UNKNOWABLE_KEY.test(key)).toBe(false);
  });
});

describe("parseOperator: every operator deployer evaluates", () => {
  it.each([
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Bool",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
  ])("%s, with IfExists and with each set prefix", (name) => {
    expect(parseOperator(name)).toEqual({ set: undefined, base: name.toLowerCase(), ifExists: false });
    expect(parseOperator(`${name}IfExists`)).toEqual({ set: undefined, base: name.toLowerCase(), ifExists: true });
    expect(parseOperator(`ForAnyValue:${name}`)).toEqual({ set: "ForAnyValue", base: name.toLowerCase(), ifExists: false });
    expect(parseOperator(`FORALLVALUES:${name}IFEXISTS`)).toEqual({ set: "ForAllValues", base: name.toLowerCase(), ifExists: true });
  });

  it("refuses a set prefix without an operator, and IfExists alone", () => {
    expect(parseOperator("ForAnyValue:")).toBeUndefined();
    expect(parseOperator("IfExists")).toBeUndefined();
    expect(parseOperator(":StringEquals")).toBeUndefined();
    expect(parseOperator("ForAllValues:Null")).toBeUndefined();
  });
});
