// How an Arn* pattern with policy variables is cut into its six components (src/iam/wildcard.ts,
// splitArnPattern): only a closed `${…}` hides its colons; every other character, `$`, `{` and `}`
// included, is text, and a pattern must still have six components.
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
// ("Each of the six colon-delimited components of the ARN is checked separately"),
// https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html ("Policy variables
// with no value", "Specifying default values").
import { describe, expect, it } from "vitest";
import { contextLookup } from "../../../src/iam/conditions.js";
import { arnMatches, patternMatch } from "../../../src/iam/wildcard.js";

const lookup = contextLookup({
  "aws:PrincipalAccount": "222222222222",
  "aws:TagKeys": ["team", "cost"],
  "aws:PrincipalTag/team": ["a", "b"],
});

describe("cutting an Arn* pattern that uses variables into components", () => {
  it("braces without `$`, and `$` without a brace, are text: their colons cut like any other", () => {
    expect(arnMatches("arn:aws:ecs:{x:y}:222222222222:task/*", "arn:aws:ecs:{x:y}:222222222222:task/1", lookup)).toBe(true);
    expect(arnMatches("arn:aws:ecs:$a:b}:222222222222:task/*", "arn:aws:ecs:$a:b}:222222222222:task/1", lookup)).toBe(true);
  });

  it("a `}` before a variable is text, and the variable after it still resolves", () => {
    expect(arnMatches("arn:aws:ecs:e}:${aws:PrincipalAccount}:task/*", "arn:aws:ecs:e}:222222222222:task/1", lookup)).toBe(true);
  });

  it("an unclosed `${` is text: its colon cuts", () => {
    expect(arnMatches("arn:aws:ecs:${x:222222222222:task/*", "arn:aws:ecs:${x:222222222222:task/1", lookup)).toBe(true);
  });

  it("a pattern of five components matches nothing, even an ARN whose sixth component is empty", () => {
    expect(arnMatches("arn:aws:ecs:${aws:PrincipalAccount}:task", "arn:aws:ecs:222222222222:task:", lookup)).toBe(false);
    expect(arnMatches("arn:aws:ecs:${aws:PrincipalAccount}:task:", "arn:aws:ecs:222222222222:task:", lookup)).toBe(true);
  });
});

describe("a key with several values in a variable", () => {
  it("is no single value: nothing matches, and its default is not used (the key is present)", () => {
    const opts = { ignoreCase: false, wildcards: true, variables: lookup };
    expect(patternMatch("${aws:TagKeys, 'team'}", "team", opts)).toBe(false);
    expect(patternMatch("${aws:TagKeys}", "team", opts)).toBe(false);
  });

  it("a tag deployer was given, even as a list, is known: no match, not unresolvable", () => {
    const opts = { ignoreCase: false, wildcards: true, variables: lookup };
    expect(patternMatch("${aws:PrincipalTag/team}", "a", opts)).toBe(false);
  });
});
