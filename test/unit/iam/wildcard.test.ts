// IAM pattern matching (src/iam/wildcard.ts), as the AWS documentation defines it:
// - Action: `*` and `?` wildcards, case-insensitive
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html);
// - Resource: `*` any run of characters (none included) and `?` exactly one, case-sensitive
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html);
// - StringEquals compares exactly (no wildcards), StringLike takes `*` and `?`; ArnLike/ArnEquals
//   check each of the six colon-separated parts of the ARN on its own, case-sensitively
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html);
// - policy variables `${key}` take the request's value; `${*}`, `${?}` and `${$}` stand for the literal
//   characters; a variable whose key is not in the request makes the element not match
//   (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html).
import { describe, expect, it } from "vitest";
import { actionMatches, arnMatches, compilePattern, matchesPattern, splitArn } from "../../../src/iam/wildcard.js";

const like = { ignoreCase: false, wildcards: true } as const;
const equals = { ignoreCase: false, wildcards: false } as const;
const vars =
  (ctx: Record<string, string | string[]>) =>
  (key: string): string | string[] | undefined =>
    ctx[key];

describe("wildcards", () => {
  it("`*` matches any run of characters, none included, across `/` and `:`", () => {
    expect(matchesPattern("arn:aws:iam::222222222222:role/*", "arn:aws:iam::222222222222:role/", like)).toBe(true);
    expect(matchesPattern("arn:aws:iam::222222222222:role/*", "arn:aws:iam::222222222222:role/ci/deployer", like)).toBe(true);
    expect(matchesPattern("arn:aws:*", "arn:aws:iam::222222222222:role/x", like)).toBe(true);
    expect(matchesPattern("*-task", "shop-api\n-task", like)).toBe(true);
  });

  it("`?` matches exactly one character (also a newline), never none and never two", () => {
    expect(matchesPattern("role/shop-ap?", "role/shop-api", like)).toBe(true);
    expect(matchesPattern("role/shop-ap?", "role/shop-ap", like)).toBe(false);
    expect(matchesPattern("role/shop-ap?", "role/shop-apii", like)).toBe(false);
    expect(matchesPattern("a?b", "a\nb", like)).toBe(true);
  });

  it("a pattern matches the whole value, not a part of it", () => {
    expect(matchesPattern("role/shop", "role/shop-api", like)).toBe(false);
    expect(matchesPattern("shop-api", "role/shop-api", like)).toBe(false);
  });

  it("regular-expression characters in a pattern are literal", () => {
    for (const ch of [".", "+", "^", "$", "{", "}", "(", ")", "|", "[", "]", "\\", "/"]) {
      expect([ch, matchesPattern(`a${ch}b`, `a${ch}b`, like)]).toEqual([ch, true]);
      // "." would match any character, "+" would repeat, "|" would alternate, "[" would open a class.
      expect([ch, matchesPattern(`a${ch}b`, "axb", like)]).toEqual([ch, false]);
    }
    expect(matchesPattern("a+", "aa", like)).toBe(false);
    expect(matchesPattern("a|b", "a", like)).toBe(false);
    expect(matchesPattern("[ab]", "a", like)).toBe(false);
  });

  it("without wildcards (StringEquals) `*` and `?` are ordinary characters", () => {
    expect(matchesPattern("shop-*", "shop-api", equals)).toBe(false);
    expect(matchesPattern("shop-*", "shop-*", equals)).toBe(true);
    expect(matchesPattern("shop-ap?", "shop-api", equals)).toBe(false);
    expect(matchesPattern("shop-ap?", "shop-ap?", equals)).toBe(true);
  });

  it("Resource and StringLike are case-sensitive; Action is not", () => {
    expect(matchesPattern("role/Shop-*", "role/shop-api", like)).toBe(false);
    expect(matchesPattern("role/Shop-*", "role/shop-api", { ...like, ignoreCase: true })).toBe(true);
    expect(actionMatches("IAM:passrole", "iam:PassRole")).toBe(true);
    expect(actionMatches("iam:Pass*", "IAM:PASSROLE")).toBe(true);
    expect(actionMatches("iam:PassRol?", "iam:PassRole")).toBe(true);
    expect(actionMatches("iam:Get*", "iam:PassRole")).toBe(false);
  });

  it("Action patterns never resolve policy variables", () => {
    expect(actionMatches("${*}", "*")).toBe(false);
    expect(actionMatches("iam:${x}", "iam:${x}")).toBe(true);
  });

  it("the same pattern text asked with other options gets the other answer (no answer is reused across options)", () => {
    // Each order: a cached compile for one set of options must not answer for another.
    expect(matchesPattern("Shop-*", "shop-api", { ...like, ignoreCase: true })).toBe(true);
    expect(matchesPattern("Shop-*", "shop-api", like)).toBe(false);
    expect(matchesPattern("Shop-*", "Shop-api", equals)).toBe(false);
    expect(matchesPattern("Shop-*", "Shop-api", like)).toBe(true);
    expect(matchesPattern("shop-?", "SHOP-1", { ignoreCase: true, wildcards: false })).toBe(false);
    expect(matchesPattern("shop-?", "SHOP-?", { ignoreCase: true, wildcards: false })).toBe(true);
    expect(matchesPattern("shop-?", "SHOP-1", { ignoreCase: true, wildcards: true })).toBe(true);
  });

  it("keeps answering right after many distinct patterns (its cache is bounded and refilled)", () => {
    for (let i = 0; i < 2_100; i++) expect(matchesPattern(`role/app-${i}-*`, `role/app-${i}-x`, like)).toBe(true);
    expect(matchesPattern("role/app-0-*", "role/app-1-x", like)).toBe(false);
    expect(matchesPattern("role/app-2099-*", "role/app-2099-y", like)).toBe(true);
  });
});

describe("policy variables", () => {
  const opts = (ctx: Record<string, string | string[]>) => ({ ...like, variables: vars(ctx) });

  it("a variable takes the request's value, and the value's own `*` and `?` are literal", () => {
    expect(matchesPattern("role/${aws:username}-*", "role/alice-task", opts({ "aws:username": "alice" }))).toBe(true);
    expect(matchesPattern("role/${aws:username}-*", "role/bob-task", opts({ "aws:username": "alice" }))).toBe(false);
    expect(matchesPattern("role/${aws:username}", "role/alice", opts({ "aws:username": "*" }))).toBe(false);
    expect(matchesPattern("role/${aws:username}", "role/*", opts({ "aws:username": "*" }))).toBe(true);
    expect(matchesPattern("role/${aws:username}", "role/a.c", opts({ "aws:username": "a.c" }))).toBe(true);
    expect(matchesPattern("role/${aws:username}", "role/abc", opts({ "aws:username": "a.c" }))).toBe(false);
  });

  it("a variable whose key the request lacks, or gives as a list, makes the pattern match nothing", () => {
    expect(matchesPattern("role/${aws:username}", "role/", opts({}))).toBe(false);
    expect(matchesPattern("*${aws:username}*", "anything", opts({}))).toBe(false);
    expect(compilePattern("role/${aws:username}", opts({}))).toBeNull();
    expect(matchesPattern("role/${aws:TagKeys}", "role/a", opts({ "aws:TagKeys": ["a"] }))).toBe(false);
  });

  it("`${*}`, `${?}` and `${$}` are the literal characters", () => {
    const o = opts({});
    expect(matchesPattern("a${*}b", "a*b", o)).toBe(true);
    expect(matchesPattern("a${*}b", "axyb", o)).toBe(false);
    expect(matchesPattern("a${?}b", "a?b", o)).toBe(true);
    expect(matchesPattern("a${?}b", "axb", o)).toBe(false);
    expect(matchesPattern("a${$}b", "a$b", o)).toBe(true);
  });

  it("is resolved afresh for every request (the same pattern, two users)", () => {
    const pattern = "role/${aws:username}";
    expect(matchesPattern(pattern, "role/alice", opts({ "aws:username": "alice" }))).toBe(true);
    expect(matchesPattern(pattern, "role/bob", opts({ "aws:username": "bob" }))).toBe(true);
    expect(matchesPattern(pattern, "role/alice", opts({ "aws:username": "bob" }))).toBe(false);
  });

  it("without variables enabled (policies before Version 2012-10-17) `${…}` is literal text", () => {
    expect(matchesPattern("role/${aws:username}", "role/${aws:username}", like)).toBe(true);
    expect(matchesPattern("role/${aws:username}", "role/alice", like)).toBe(false);
    // The compile of the literal form is not reused for a request that resolves variables.
    expect(matchesPattern("role/${aws:username}", "role/alice", opts({ "aws:username": "alice" }))).toBe(true);
    expect(matchesPattern("role/${aws:username}", "role/${aws:username}", opts({ "aws:username": "alice" }))).toBe(false);
  });

  it("an unclosed `${` is literal text", () => {
    const o = opts({ "aws:username": "alice" });
    expect(matchesPattern("role/${aws:username", "role/${aws:username", o)).toBe(true);
    expect(matchesPattern("role/$", "role/$", o)).toBe(true);
    expect(matchesPattern("a$b${x}", "a$bX", opts({ x: "X" }))).toBe(true);
  });

  it("braces without a `$` before them are literal text, and a `}` before the variable does not end it", () => {
    const o = opts({ "aws:username": "alice" });
    expect(matchesPattern("role/a{b}", "role/a{b}", o)).toBe(true);
    expect(matchesPattern("role/a}${aws:username}", "role/a}alice", o)).toBe(true);
  });
});

describe("arnMatches (ArnLike / ArnEquals)", () => {
  const TASK = "arn:aws:ecs:eu-west-1:222222222222:task/shop-dev/0123";

  it("matches part by part, each part with wildcards", () => {
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/*", TASK)).toBe(true);
    expect(arnMatches("arn:*:ecs:*:222222222222:*", TASK)).toBe(true);
    expect(arnMatches("arn:aws:ecs:eu-west-?:222222222222:task/shop-dev/0123", TASK)).toBe(true);
    expect(arnMatches("arn:aws:ecs:eu-west-1:333333333333:task/*", TASK)).toBe(false);
    expect(arnMatches("arn:aws:ecs:us-east-1:222222222222:task/*", TASK)).toBe(false);
    expect(arnMatches("arn:aws:ecr:eu-west-1:222222222222:task/*", TASK)).toBe(false);
    expect(arnMatches("arn:aws-cn:ecs:eu-west-1:222222222222:task/*", TASK)).toBe(false);
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/other/*", TASK)).toBe(false);
  });

  it("the first part must match too", () => {
    expect(arnMatches("urn:aws:ecs:eu-west-1:222222222222:task/*", TASK)).toBe(false);
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/*", `x${TASK}`)).toBe(false);
  });

  it("a `*` in one part does not reach into the next", () => {
    // As a plain string pattern `*` takes "ecs:eu-west-1"; as an ARN pattern it is the service part
    // alone, and the region part "222222222222" is then compared with "eu-west-1".
    const pattern = "arn:aws:*:222222222222:task/x:y";
    const arn = "arn:aws:ecs:eu-west-1:222222222222:task/x:y";
    expect(matchesPattern(pattern, arn, like)).toBe(true);
    expect(arnMatches(pattern, arn)).toBe(false);
    expect(arnMatches("arn:aws:*:*:222222222222:task/x:y", arn)).toBe(true);
  });

  it("is case-sensitive", () => {
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/SHOP-DEV/*", TASK)).toBe(false);
  });

  it("the resource part keeps its colons; values with fewer than six parts never match", () => {
    expect(
      arnMatches(
        "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop:*",
        "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop:log-stream:x",
      ),
    ).toBe(true);
    expect(
      arnMatches("arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/other:*", "arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop:x"),
    ).toBe(false);
    expect(arnMatches("*", TASK)).toBe(false);
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/*", "222222222222")).toBe(false);
  });

  it("resolves policy variables when asked to (`${*}` is a literal `*` then)", () => {
    const lookup = vars({});
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/${*}", "arn:aws:ecs:eu-west-1:222222222222:task/*", lookup)).toBe(true);
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/${*}", TASK, lookup)).toBe(false);
    expect(arnMatches("arn:aws:ecs:eu-west-1:222222222222:task/${*}", "arn:aws:ecs:eu-west-1:222222222222:task/${*}")).toBe(true);
  });

  it("splitArn keeps six parts, the last with any further colons", () => {
    expect(splitArn("arn:aws:logs:eu-west-1:222222222222:log-group:/ecs/shop:*")).toEqual([
      "arn",
      "aws",
      "logs",
      "eu-west-1",
      "222222222222",
      "log-group:/ecs/shop:*",
    ]);
    expect(splitArn("arn:aws:iam::222222222222:role/x")).toEqual(["arn", "aws", "iam", "", "222222222222", "role/x"]);
    expect(splitArn("arn:aws:iam::222222222222")).toBeUndefined();
  });
});
