// Policy variables beside literal braces (src/iam/wildcard.ts): only `${` opens a variable
// (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html). A separate
// file from wildcard.test.ts so that an incremental mutation run reuses the earlier results.
import { describe, expect, it } from "vitest";
import { matchesPattern } from "../../../src/iam/wildcard.js";

describe("policy variables beside literal braces", () => {
  const opts = { ignoreCase: false, wildcards: true, variables: (k: string) => ({ "aws:username": "alice" })[k] };

  it("`{…}` without a `$` stays literal in a pattern that also has a variable", () => {
    expect(matchesPattern("role/a{b}-${aws:username}", "role/a{b}-alice", opts)).toBe(true);
    expect(matchesPattern("role/{team}/${aws:username}", "role/{team}/alice", opts)).toBe(true);
    expect(matchesPattern("role/{team}/${aws:username}", "role/{team}/bob", opts)).toBe(false);
  });
});
