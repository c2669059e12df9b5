// Differential test: every case of the battery goes through deployer's evaluator and through
// @cloud-copilot/iam-simulate (dev-only oracle, AGPL, never imported from src/). Both must reach the
// decision the case expects.
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { describe, expect, it } from "vitest";
import { evaluateIdentityPolicies, evaluateResourcePolicy, evaluateTrustPolicy, type Decision } from "../../../src/iam/evaluator.js";
import { CASES, type DifferentialCase } from "./differential-cases.js";

const ALLOW_ALL = { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] };

function accountOf(arn: string): string {
  return arn.split(":")[4]!;
}

function toSimulation(c: DifferentialCase): Simulation {
  const base = { serviceControlPolicies: [], resourceControlPolicies: [] };
  const context = c.context ?? {};
  if (c.kind === "identity") {
    return {
      ...base,
      request: {
        principal: "arn:aws:iam::222222222222:role/deployer",
        action: c.action,
        resource: { resource: c.resource, accountId: accountOf(c.resource) },
        contextVariables: context,
      },
      identityPolicies: c.policies.map((policy, i) => ({ name: `policy${i}`, policy })),
      ...(c.boundary ? { permissionBoundaryPolicies: [{ name: "boundary", policy: c.boundary }] } : {}),
    };
  }
  // Resource and trust policies: an AWS caller is placed in another account than the resource and
  // given allow-all identity policies, so the decision is the resource policy's alone.
  return {
    ...base,
    request: {
      principal: c.principal.id,
      action: c.action,
      resource: { resource: c.resource, accountId: accountOf(c.resource) },
      contextVariables: context,
    },
    identityPolicies: c.principal.type === "AWS" ? [{ name: "allow-all", policy: ALLOW_ALL }] : [],
    resourcePolicy: c.policy,
  };
}

async function oracle(c: DifferentialCase): Promise<Decision> {
  const r = await runSimulation(toSimulation(c), {});
  if (r.resultType === "error") throw new Error(`oracle rejected case "${c.name}": ${JSON.stringify(r.errors)}`);
  if (r.resultType === "single") {
    // A context key the oracle dropped as not applicable would make the comparison meaningless.
    expect(r.result.ignoredContextKeys ?? [], `oracle ignored context keys in "${c.name}"`).toEqual([]);
  }
  const map = { Allowed: "allowed", ExplicitlyDenied: "explicitDeny", ImplicitlyDenied: "implicitDeny" } as const;
  return map[r.overallResult];
}

function ours(c: DifferentialCase): Decision {
  const context = c.context ?? {};
  if (c.kind === "identity") {
    return evaluateIdentityPolicies({ policies: c.policies, boundary: c.boundary, action: c.action, resource: c.resource, context })
      .decision;
  }
  if (c.kind === "trust") {
    return evaluateTrustPolicy({ trustPolicy: c.policy, principal: c.principal, roleArn: c.resource, action: c.action, context }).decision;
  }
  return evaluateResourcePolicy({ policy: c.policy, principal: c.principal, action: c.action, resource: c.resource, context }).decision;
}

describe("IAM evaluator agrees with iam-simulate", () => {
  it("has a battery of at least 40 cases with unique names", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
  });

  it.each(CASES.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const [mine, theirs] = [ours(c), await oracle(c)];
    expect({ oracle: theirs }).toEqual({ oracle: c.expected });
    expect({ deployer: mine }).toEqual({ deployer: c.expected });
  });
});
