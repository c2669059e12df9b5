// Forms of a policy AWS does not document, read the stricter way (fidelity rule): deployer does not
// guess how IAM reads them; a statement resting on one may or may not apply — an Allow never grants
// on it, a Deny makes the answer uncertain (preflight: unverified), and the form is named.
// - Numbers: numeric operators compare "a key to an integer or decimal value"
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
//   (`.25`, `1.`, `1e3`, surrounding spaces: undocumented).
// - `{"Service": "*"}`: the Principal reference documents `*` only as the whole element or as `{"AWS": "*"}`
//   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous
import { describe, expect, it } from "vitest";
import type { PolicyDocument } from "../../../src/aws/ports.js";
import { contextLookup, evaluateConditions } from "../../../src/iam/conditions.js";
import { evaluateTrustPolicy } from "../../../src/iam/evaluator.js";

const AGE = "aws:MultiFactorAuthAge";
const numeric = (operator: string, policyValue: string, requestValue: string) =>
  evaluateConditions({ [operator]: { [AGE]: policyValue } }, contextLookup({ [AGE]: requestValue }), true);

describe("numbers in numeric conditions", () => {
  it("integers and decimals are compared", () => {
    expect(numeric("NumericEquals", "10", "10").matches).toBe(true);
    expect(numeric("NumericEquals", "10", "11").matches).toBe(false);
    expect(numeric("NumericLessThan", "3600", "120").matches).toBe(true);
    expect(numeric("NumericEquals", "-1.25", "-1.25").matches).toBe(true);
    expect(numeric("NumericEquals", "+12.5", "12.50").matches).toBe(true);
    expect(numeric("NumericGreaterThan", "1.25", "1.5").matches).toBe(true);
  });

  it("text that is no number matches nothing, and is nothing deployer could not evaluate", () => {
    for (const v of ["x10", "10x", "ten", "", "1.2.3", "0x10"])
      expect(numeric("NumericEquals", v, "10"), v).toEqual({ matches: false, supportedMatch: false, unsupported: [] });
  });

  it("forms AWS does not document are not guessed at: the condition is named, the answer uncertain", () => {
    for (const v of [".25", "1.", "1e3", "1.5e3", "1e+3", "1e-3", "1E10", "2e10", " 10", "10 "]) {
      expect(numeric("NumericEquals", v, "10"), JSON.stringify(v)).toEqual({
        matches: false,
        supportedMatch: true,
        unsupported: [`NumericEquals(${AGE}: ${v})`],
      });
    }
    // The same for a request value of such a form.
    expect(numeric("NumericLessThan", "3600", "1e2").unsupported).toEqual([`NumericLessThan(${AGE}: 3600)`]);
  });
});

describe('a wildcard service principal {"Service": "*"}', () => {
  const ROLE = "arn:aws:iam::222222222222:role/shop-task";
  const ecsTasks = { type: "Service" as const, id: "ecs-tasks.amazonaws.com" };
  const trust = (Principal: Record<string, string | string[]>, Effect: "Allow" | "Deny" = "Allow"): PolicyDocument => ({
    Version: "2012-10-17",
    Statement: [{ Effect, Principal, Action: "sts:AssumeRole" }],
  });
  const allowTasks = { Effect: "Allow" as const, Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" };

  it("an Allow on it grants nothing for sure: uncertain, and the form is named", () => {
    const r = evaluateTrustPolicy({ trustPolicy: trust({ Service: "*" }), principal: ecsTasks, roleArn: ROLE, context: {} });
    expect(r.decision).toBe("implicitDeny");
    expect(r.uncertain).toBe(true);
    expect(r.unsupported).toEqual(["Principal(Service: *)"]);
  });

  it("a Deny on it makes a granted trust uncertain, never a plain pass", () => {
    const policy: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [allowTasks, { Effect: "Deny", Principal: { Service: "*" }, Action: "sts:AssumeRole" }],
    };
    const r = evaluateTrustPolicy({ trustPolicy: policy, principal: ecsTasks, roleArn: ROLE, context: {} });
    expect(r.decision).toBe("allowed");
    expect(r.uncertain).toBe(true);
  });

  it("NotPrincipal with it: uncertain too", () => {
    const policy: PolicyDocument = {
      Version: "2012-10-17",
      Statement: [allowTasks, { Effect: "Deny", NotPrincipal: { Service: "*" }, Action: "sts:AssumeRole" }],
    };
    const r = evaluateTrustPolicy({ trustPolicy: policy, principal: ecsTasks, roleArn: ROLE, context: {} });
    expect(r.uncertain).toBe(true);
    expect(r.unsupported).toEqual(["NotPrincipal(Service: *)"]);
  });

  it("beside the service's own name the name decides: trusted", () => {
    const r = evaluateTrustPolicy({
      trustPolicy: trust({ Service: ["*", "ecs-tasks.amazonaws.com"] }),
      principal: ecsTasks,
      roleArn: ROLE,
      context: {},
    });
    expect([r.decision, r.uncertain]).toEqual(["allowed", false]);
  });
});
